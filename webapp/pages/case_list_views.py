"""The case list (案件台账, /cases) and its Excel export: every case the user may see, filtered and paged."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template, request, url_for
from flask_login import login_required

from engine.errors import ValidationFailed
from engine.services import case_list as case_list_services

from ..auth import current_actor
from ..case_list import STATUS_TITLES, case_list_xlsx, parse_case_query
from ..context import engine_context
from ..filters import STAGE_TITLES, localtime
from . import pages_blueprint

PAGE_SIZE = 50
EXPORT_MOST = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pages_blueprint.get("/cases")
@login_required
def case_list():
    ctx = engine_context()
    actor = current_actor()
    page_number = max(request.args.get("page", 1, type=int) or 1, 1)
    errors, status = {}, 200
    try:
        query = parse_case_query(request.args)
    except ValidationFailed as exc:
        errors, status = exc.fields or {}, 422
        query = None
    with ctx.uow() as uow:
        result = None
        if query is not None:
            result = case_list_services.list_cases(uow.session, actor, filters=query.filters, now=ctx.clock.now(),
                                                   limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
            if not result.rows and result.total and page_number > 1:  # past the end: the last page
                page_number = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
                result = case_list_services.list_cases(
                    uow.session, actor, filters=query.filters, now=ctx.clock.now(), limit=PAGE_SIZE,
                    offset=(page_number - 1) * PAGE_SIZE)
        officers = case_list_services.officer_choices(uow.session, actor)
    active = query.args if query is not None else {}

    def list_url(**changes) -> str:
        params = {**active, **changes}
        return url_for("pages.case_list", **{key: value for key, value in params.items()
                                             if value not in (None, "") and not (key == "page" and value == 1)})

    pages = max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1) if result else 1
    return render_template(
        "cases/index.html", result=result, cases=result.rows if result else [], values=_given(), errors=errors,
        active=active, list_url=list_url, page=page_number, pages=pages, stages=STAGE_TITLES,
        statuses=STATUS_TITLES, officers=officers, now=ctx.clock.now(),
        all_agencies=case_list_services.sees_all_agencies(actor),
        export_url=url_for("pages.case_list_export", **active)), status


@pages_blueprint.get("/cases/export.xlsx")
@login_required
def case_list_export():
    """The same filters as the page, every matching case (up to EXPORT_MOST) as an Excel sheet."""
    ctx = engine_context()
    actor = current_actor()
    query = parse_case_query(request.args)  # a bad parameter is a 422 page saying which
    now = ctx.clock.now()
    with ctx.uow() as uow:
        total = case_list_services.list_cases(uow.session, actor, filters=query.filters, now=now, limit=0).total
        rows = case_list_services.iter_cases(uow.session, actor, filters=query.filters, now=now, most=EXPORT_MOST)
        footnote = f"共 {total} 件，仅导出前 {EXPORT_MOST} 件，请缩小查询条件后分批导出。" if total > EXPORT_MOST \
            else f"共 {total} 件。"
        body = case_list_xlsx(rows, title="案件台账", conditions=_conditions_text(query.args, now), footnote=footnote)
    response = Response(body, mimetype=XLSX)
    filename = f"案件台账-{localtime(now, '%Y%m%d-%H%M')}.xlsx"
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


CONDITION_LABELS = {"q": "案号/当事人/证件号", "matter": "案情/依据", "status": "状态", "stage": "阶段",
                    "officer": "办案人员", "from": "登记日期起", "to": "登记日期止", "overdue": "仅超期"}


def _conditions_text(args: dict, now) -> str:
    shown = {"status": lambda value: STATUS_TITLES.get(value, value),
             "stage": lambda value: STAGE_TITLES.get(value, value), "overdue": lambda value: "是"}
    parts = [f"{CONDITION_LABELS[key]}：{shown.get(key, str)(value)}" for key, value in args.items()]
    return f"导出时间：{localtime(now)}　查询条件：" + ("；".join(parts) if parts else "全部")


def _given() -> dict:
    """What the user typed, shown back in the form even when it was refused."""
    return {name: (request.args.get(name) or "").strip()[:100] for name in
            ("q", "matter", "status", "stage", "officer", "from", "to", "overdue")}
