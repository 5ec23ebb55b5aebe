"""运行监控: the dashboard, the lists of troubled cases with their bulk actions, and bulk progress."""
from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import NotFound
from engine.services import bulk as bulk_services
from engine.services import monitoring
from engine.services.case_admin import staff_by_role
from engine.services.heartbeats import worker_health
from engine.services.inbox import due_soon_before
from engine.store.models import Agency

from ..auth import current_actor
from ..context import engine_context
from ..filters import INSTANCE_STATUS_TITLES, STAGE_TITLES
from ..i18n import N_
from . import act, admin_blueprint, admin_only, thresholds

PAGE_SIZE = 50
STATE_TITLES = {"error": N_("流程出错"), "overdue": N_("已超期"), "due_soon": N_("三个工作日内到期"),
                "stuck": N_("停滞"), "suspended": N_("已中止")}
KIND_TITLES = {"error": N_("流程出错"), "overdue": N_("期限已超期"), "due_soon": N_("期限临近"), "suspended": N_("已中止"),
               "no_progress": N_("长期无进展"), "timer_unfired": N_("定时器到期未触发"),
               "referral_unanswered": N_("移送逾期未反馈"), "task_unclaimed": N_("待办长期无人认领")}


def _agency_filter() -> int | None:
    return request.args.get("agency", type=int) or None


@admin_blueprint.get("/")
def dashboard():
    ctx = engine_context()
    limits = thresholds()
    agency_id = _agency_filter()
    with ctx.uow() as uow:
        data = monitoring.summary(uow.session, now=ctx.clock.now(), thresholds=limits, agency_id=agency_id)
        agencies = monitoring.agencies(uow.session)
    charts = _charts(data)
    return render_template("admin/dashboard.html", data=data, limits=limits, agencies=agencies, agency_id=agency_id,
                           charts=charts, kind_titles=KIND_TITLES)


def _charts(data: dict) -> dict:
    """What the browser draws with ECharts (the tables beside them say the same for readers without script)."""
    agencies = sorted({row["agency"] for row in data["by_stage"]})
    stages = sorted({row["stage"] for row in data["by_stage"]}, key=lambda s: list(STAGE_TITLES).index(s)
                    if s in STAGE_TITLES else 99)
    counts = {(row["agency"], row["stage"]): row["count"] for row in data["by_stage"]}
    return {
        "by_stage": {"categories": [_(STAGE_TITLES.get(stage, stage)) for stage in stages],
                     "series": [{"name": agency, "data": [counts.get((agency, stage), 0) for stage in stages]}
                                for agency in agencies]},
        "instances": [{"name": _(INSTANCE_STATUS_TITLES.get(status, status)), "value": count}
                      for status, count in sorted(data["instances"].items())],
        "trouble": [{"name": _(KIND_TITLES[kind]), "value": listing.total} for kind, listing in (
            ("error", data["errors"]), ("overdue", data["overdue"]), ("due_soon", data["due_soon"]),
            *data["stuck"].items())],
    }


@admin_blueprint.get("/cases")
def trouble_list():
    """One kind of trouble, in full, paged, with the bulk actions it calls for."""
    state = request.args.get("state", "error")
    if state not in monitoring.TROUBLE_STATES:
        abort(404)
    kind = request.args.get("kind")
    if state == "stuck" and kind not in monitoring.STUCK_KINDS:
        kind = None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    agency_id = _agency_filter()
    ctx = engine_context()
    limits = thresholds()
    with ctx.uow() as uow:
        session = uow.session
        now = ctx.clock.now()
        listings = monitoring.trouble(session, state, now=now, thresholds=limits, agency_id=agency_id,
                                      limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, kind=kind)
        agencies = monitoring.agencies(session)
        soon_before = due_soon_before(session, now) if state == "due_soon" else None
        assignees = _assignees(session, listings.get("task_unclaimed"))
    pages = max((max(listing.total for listing in listings.values()) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("admin/trouble.html", state=state, kind=kind, listings=listings, page=page, pages=pages,
                           agencies=agencies, agency_id=agency_id, limits=limits, state_titles=STATE_TITLES,
                           kind_titles=KIND_TITLES, soon_before=soon_before, assignees=assignees,
                           here=request.full_path.rstrip("?"))


def _assignees(session, listing) -> list[tuple[int, str, str]]:
    """Colleagues the unclaimed tasks on this page may be reassigned to: (id, name, agency) of active staff
    holding one of their roles in one of their agencies (the engine checks each task again)."""
    if listing is None or not listing.rows:
        return []
    out = []
    for agency_id in sorted({row["agency_id"] for row in listing.rows}):
        agency = session.get(Agency, agency_id)
        roles = {row["candidate_role"] for row in listing.rows if row["agency_id"] == agency_id}
        for members in staff_by_role(session, agency_id, roles).values():
            out += [(user_id, name, agency.name) for user_id, name in members]
    return sorted(set(out), key=lambda entry: (entry[2], entry[1]))


@admin_blueprint.post("/bulk")
@admin_only
def create_bulk():
    ctx = engine_context()
    created = {}

    def queue(**kwargs):
        created["id"] = bulk_services.create_bulk(**kwargs)
        return created["id"]

    response = act(queue, lambda operation_id: f"已提交批量操作 #{operation_id}，正在后台逐项处理。",
                   back=request.form.get("next") or url_for("admin.dashboard"),
                   action=request.form.get("action", ""), targets=request.form.getlist("target"),
                   reason=request.form.get("reason", ""), assignee_id=request.form.get("assignee_id", type=int),
                   actor=current_actor(), **ctx.deps())
    if "id" in created:
        return redirect(url_for("admin.bulk_page", operation_id=created["id"]))
    return response


@admin_blueprint.get("/bulk")
def bulk_list():
    with engine_context().uow() as uow:
        operations = bulk_services.recent_operations(uow.session, limit=50)
    return render_template("admin/bulk_list.html", operations=operations)


@admin_blueprint.get("/bulk/<int:operation_id>")
def bulk_page(operation_id: int):
    ctx = engine_context()
    with ctx.uow() as uow:
        progress = bulk_services.progress(uow.session, operation_id)
        workers = worker_health(uow.session, now=ctx.clock.now(), stale_after=thresholds().stale_worker)
    return render_template("admin/bulk.html", op=progress, scheduler_alive=any(w["alive"] for w in workers))


@admin_blueprint.get("/bulk/<int:operation_id>.json")
def bulk_progress(operation_id: int):
    try:
        with engine_context().uow() as uow:
            progress = bulk_services.progress(uow.session, operation_id)
    except NotFound:
        return jsonify(error={"code": "not_found", "message": "批量操作不存在。"}), 404
    for key in ("created_at", "started_at", "finished_at"):
        progress[key] = progress[key].isoformat() if progress[key] else None
    response = jsonify(progress)
    response.headers["Cache-Control"] = "no-store"
    return response


@admin_blueprint.post("/bulk/<int:operation_id>/cancel")
@admin_only
def cancel_bulk(operation_id: int):
    ctx = engine_context()
    return act(bulk_services.cancel_bulk, "已取消批量操作，尚未处理的项目不再处理。",
               back=url_for("admin.bulk_page", operation_id=operation_id), operation_id=operation_id,
               actor=current_actor(), **ctx.deps())
