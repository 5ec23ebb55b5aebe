from __future__ import annotations

from engine.services.cases import get_case_for
from engine.services.documents import list_documents

from ..auth import current_actor
from ..context import engine_context
from . import api_blueprint, ok, operation
from .schemas import Documents


@api_blueprint.get("/cases/<int:case_id>/documents")
@operation("案件的执法文书", response=Documents)
def case_documents(case_id: int):
    with engine_context().uow() as uow:
        get_case_for(uow.session, case_id, current_actor())
        return ok({"documents": list_documents(uow.session, case_id)})
