"""GET /api/v1/cases — the case list (案件台账) for integrations: the page's filters, `limit` (≤ 200) and `offset`."""
from __future__ import annotations

from flask import request

from engine.services import case_list as case_list_services

from ..auth import current_actor
from ..case_list import case_item, parse_case_query
from ..context import engine_context
from . import api_blueprint, ok, operation
from .schemas import CaseList, CaseListQuery


@api_blueprint.get("/cases")
@operation("案件台账：检索、筛选、分页", query=CaseListQuery, response=CaseList, errors=(401, 422))
def list_cases(query: dict):
    query = parse_case_query(request.args)  # the page's reading of the filters, which the schema has checked
    ctx = engine_context()
    with ctx.uow() as uow:
        result = case_list_services.list_cases(uow.session, current_actor(), filters=query.filters,
                                               now=ctx.clock.now(), limit=query.limit, offset=query.offset)
    return ok({"cases": [case_item(row) for row in result.rows], "total": result.total,
               "limit": result.limit, "offset": result.offset})
