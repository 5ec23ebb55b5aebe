"""审计记录: the full-process record across all cases, searchable, and a check of its hash chain."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.audit_anchors import check as check_anchor
from engine.audit_anchors import database_key
from engine.clock import CHINA_TZ
from engine.store.models import AuditRecord, Case

from ..config import audit_anchor_file
from ..context import engine_context
from . import admin_blueprint

PAGE_SIZE = 100
# actions taken in the console (and by heads on a case), to find every fix at once
CONSOLE_ACTIONS = ("instance_retried", "instance_suspended", "instance_resumed", "instance_cancelled",
                   "task_assigned", "task_skipped", "step_rerun", "deadline_extended", "bulk_queued",
                   "bulk_cancelled", "user_created", "user_updated", "user_activated", "user_deactivated",
                   "password_reset", "certificate_added", "certificate_changed", "agency_created", "agency_updated",
                   "agency_document_settings_updated",
                   "calendar_imported", "case_reviewed")


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@admin_blueprint.get("/audit")
def audit_log():
    filters = {"action": request.args.get("action", "").strip()[:64] or None,
               "actor": request.args.get("actor", "").strip()[:64] or None,
               "case": request.args.get("case", "").strip()[:64] or None,
               "console": request.args.get("console") == "1",
               "from": _day("from"), "to": _day("to")}
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(AuditRecord, Case.number).outerjoin(Case, Case.id == AuditRecord.case_id)
    if filters["action"]:
        query = query.where(AuditRecord.action == filters["action"])
    elif filters["console"]:
        query = query.where(AuditRecord.action.in_(CONSOLE_ACTIONS))
    if filters["actor"]:
        query = query.where(AuditRecord.actor_name.icontains(filters["actor"], autoescape=True))
    if filters["case"]:
        query = query.where(Case.number.icontains(filters["case"], autoescape=True))
    if filters["from"]:
        query = query.where(AuditRecord.at >= datetime.combine(filters["from"], time.min, tzinfo=CHINA_TZ))
    if filters["to"]:
        query = query.where(AuditRecord.at < datetime.combine(filters["to"] + timedelta(days=1), time.min,
                                                              tzinfo=CHINA_TZ))
    with engine_context().uow() as uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.order_by(AuditRecord.id.desc()).limit(PAGE_SIZE)
                               .offset((page - 1) * PAGE_SIZE)).all()
        actions = list(session.scalars(select(AuditRecord.action).distinct().order_by(AuditRecord.action)))
    return render_template("admin/audit.html", rows=rows, total=total, page=page, filters=filters, actions=actions,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), report=None)


@admin_blueprint.post("/audit/verify")
def audit_verify():
    """Recompute the whole chain now and check it against the last anchor kept outside the database (as `zhifa
    audit verify` does), and say where it breaks or what no longer agrees, if anything."""
    ctx = engine_context()
    with ctx.uow() as uow:
        report = verify_chain(uow.session)
        anchor, anchor_problem = check_anchor(uow.session, path=audit_anchor_file(),
                                              database=database_key(ctx.database.url))
    return render_template("admin/audit.html", rows=[], total=0, page=1, pages=1, actions=[], report=report,
                           anchor=anchor, anchor_problem=anchor_problem,
                           filters={"action": None, "actor": None, "case": None, "console": False, "from": None,
                                    "to": None}), 200 if report.ok and anchor_problem is None else 409
