from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import DomainError, NotAuthorized
from engine.roles import ROLE_TITLES
from engine.services import inbox as inbox_services
from engine.services import tasks as task_services

from ..auth import current_actor, roles_required
from ..context import engine_context
from ..filters import STAGE_TITLES
from ..nav import remember_counts
from .auth_views import _safe_next
from . import pages_blueprint

PAGE_SIZE = 50
MAX_PAGE = 100_000
FILTER_ARGS = ("view", "stage", "process", "due", "q")


@pages_blueprint.get("/")
@login_required
def home():
    return redirect(url_for("pages.inbox"))


def _filters(can_see_agency: bool) -> dict:
    """The inbox's query string, cleaned: unknown values are dropped rather than refused."""
    args = request.args
    view = args.get("view", "all")
    if view not in inbox_services.VIEWS or (view == "agency" and not can_see_agency):
        view = "all"
    due = args.get("due") if args.get("due") in inbox_services.DUE_FILTERS else None
    return {"view": view, "stage": _text(args.get("stage")), "process": _text(args.get("process")), "due": due,
            "q": _text(args.get("q"))}


def _text(value: str | None) -> str | None:
    """A search text as the database can take it: PostgreSQL refuses a NUL, so control characters are dropped."""
    return "".join(char for char in (value or "") if char >= " ").strip()[:100] or None


def _url_of(endpoint: str, key: str, sample):
    """url_for of `endpoint` for any value of its one argument `key`, built once: a page of 50 rows needs 150
    of these, and each url_for call costs as much as rendering its row."""
    before, _, after = url_for(endpoint, **{key: sample}).rpartition(str(sample))
    return lambda value: f"{before}{quote(str(value), safe='')}{after}"


@pages_blueprint.get("/inbox")
@login_required
def inbox():
    ctx = engine_context()
    actor = current_actor()
    can_assign = inbox_services.can_see_agency(actor)
    filters = _filters(can_assign)
    page_number = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)  # OFFSET within bigint
    with ctx.uow() as uow:
        session = uow.session
        result = inbox_services.inbox(
            session, actor, view=filters["view"], stage=filters["stage"], process_id=filters["process"],
            due=filters["due"], q=filters["q"], page=page_number, page_size=PAGE_SIZE, now=ctx.clock.now())
        processes = inbox_services.latest_processes(session)
        colleagues = inbox_services.assignable_colleagues(
            session, actor, {row.candidate_role for row in result.rows}) if can_assign else {}
    remember_counts(result.counts)
    active = {key: value for key, value in filters.items() if value and not (key == "view" and value == "all")}

    def inbox_url(**changes) -> str:
        """This inbox with some filters changed (None removes one); the page goes back to 1 unless given."""
        params = {**active, **changes}
        return url_for("pages.inbox", **{key: value for key, value in params.items()
                                         if value is not None and not (key == "view" and value == "all")
                                         and not (key == "page" and value == 1)})

    # the rows' stage and role names, each translated once rather than once a row
    stage_names = {stage: gettext(STAGE_TITLES.get(stage, stage)) for stage in {row.stage for row in result.rows}}
    role_names = {role: gettext(ROLE_TITLES.get(role, role)) for role in {row.candidate_role for row in result.rows}}
    return render_template(
        "inbox/index.html", result=result, tasks=result.rows, stage_names=stage_names, role_names=role_names, filters=filters, active=active,
        inbox_url=inbox_url, stages=STAGE_TITLES, processes=processes, colleagues=colleagues,
        can_assign=can_assign, now=result.now, soon_before=result.soon_before,
        here=request.full_path.rstrip("?"), case_url=_url_of("pages.show_case", "case_id", 987654321),
        **{f"{name}_url": _url_of(f"pages.{endpoint}", "task_id", "TASK-ID") for name, endpoint in (
            ("task", "task_page"), ("claim", "claim_task"), ("unclaim", "unclaim_task"), ("assign", "assign_task"))},
        count_cap=inbox_services.COUNT_CAP,
        capped=any(isinstance(count, inbox_services.MoreThan) for count in (
            result.total, result.counts.mine, result.counts.queue, result.counts.overdue)),
        # past the count's cap the last page is not known yet: a page past the end shows the last one
        last_page=MAX_PAGE if isinstance(result.pages, inbox_services.MoreThan) else result.pages)


@pages_blueprint.post("/tasks/<task_id>/claim")
@login_required
def claim_task(task_id: str):
    return _task_action(task_services.claim_task, task_id, "已认领任务。")


@pages_blueprint.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim_task(task_id: str):
    return _task_action(task_services.unclaim_task, task_id, "已退回任务队列。")


@pages_blueprint.post("/tasks/<task_id>/assign")
@roles_required("head", "admin")
def assign_task(task_id: str):
    assignee_id = request.form.get("assignee_id", type=int)
    if assignee_id is None:
        flash("请选择被指派人。", "error")
        return _back()
    ctx = engine_context()
    try:
        task_services.assign_task(task_id=task_id, assignee_id=assignee_id, actor=current_actor(),
                                  change_lead=request.form.get("change_lead") == "1", **ctx.deps())
    except NotAuthorized:
        abort(403)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash("已指派任务，并变更了主办人：此后承办人的待办交由新的主办人办理。"
              if request.form.get("change_lead") == "1" else "已指派任务。", "success")
    return _back()


def _task_action(service, task_id: str, success: str):
    ctx = engine_context()
    try:
        service(task_id=task_id, actor=current_actor(), **ctx.deps())
        flash(success, "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return _back()


def _back():
    """Back where the form was (the inbox with its filters and page); never to another site."""
    return redirect(_safe_next(request.form.get("next")))
