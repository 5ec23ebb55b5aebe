"""Operations endpoints: `/healthz` for load balancers and `/metrics` in the Prometheus text format.

/healthz needs no login and says ok or not per check, with a short reason when not: the database answers, it
accepts a write (a transaction of its own that commits), the schema is at the newest migration, and some
scheduler worker ticked recently. /metrics is for admins and supervisors (a session or
an API token), or for a scraper holding `ZHIFA_METRICS_TOKEN`.
"""
from __future__ import annotations

import hmac
import threading
from datetime import timedelta
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from engine.clock import CHINA_TZ
from engine.services import inbox, monitoring
from engine.services.heartbeats import probe_write, worker_health
from engine.services.timers import worker_name
from engine.store.migrate import alembic_config
from engine.store.models import BulkOperationItem, HumanTask

from .admin import thresholds
from .context import engine_context

ops_blueprint = Blueprint("ops", __name__)


@lru_cache(maxsize=4)
def _script_heads(url: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory  # only when asked: loading it logs at INFO

    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


@ops_blueprint.get("/healthz")
def healthz():
    ctx = engine_context()
    checks, now = {}, ctx.clock.now()
    try:
        with ctx.uow() as uow:
            session = uow.session
            session.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
            current = frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))
            heads = _script_heads(str(ctx.database.engine.url.render_as_string(hide_password=False)))
            checks["migrations"] = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
            stale = timedelta(seconds=current_app.config["ZHIFA_SCHEDULER_STALE_SECONDS"])
            workers = worker_health(session, now=now, stale_after=stale)
            alive = [w for w in workers if w["alive"]]
            checks["scheduler"] = {"ok": bool(alive), "workers_alive": len(alive),
                                   "last_tick_age_seconds": round(min((w["age_seconds"] for w in workers),
                                                                      default=-1), 1)}
    except SQLAlchemyError as exc:
        checks.setdefault("database", {"ok": False, "error": type(exc).__name__, "reason": _reason(exc)})
        checks.setdefault("migrations", {"ok": False})
        checks.setdefault("scheduler", {"ok": False})
    if checks["database"]["ok"]:
        try:
            probe_write(database=ctx.database, now=now, probe=f"{worker_name()}:{threading.get_ident()}")
            checks["database_write"] = {"ok": True}
        except SQLAlchemyError as exc:
            checks["database_write"] = {"ok": False, "error": type(exc).__name__,
                                        "reason": f"数据库不接受写入：{_reason(exc)}"}
    else:
        checks["database_write"] = {"ok": False, "reason": "数据库无法连接"}
    ok = all(check["ok"] for check in checks.values())
    response = jsonify(status="ok" if ok else "fail", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line (e.g. `database or disk is full`), short: for whoever reads the probe."""
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return text_.splitlines()[0][:200] if text_ else type(exc).__name__


def _may_scrape() -> bool:
    token = current_app.config.get("ZHIFA_METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    return current_user.is_authenticated and current_user.has_role("admin", "supervisor")


def _label(value) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class _Exposition:
    def __init__(self):
        self.lines: list[str] = []

    def metric(self, name: str, kind: str, help_text: str, samples) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            rendered = ",".join(f'{key}="{_label(val)}"' for key, val in labels.items())
            self.lines.append(f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@ops_blueprint.get("/metrics")
def metrics():
    if not _may_scrape():
        abort(401 if not current_user.is_authenticated else 403)
    ctx = engine_context()
    limits = thresholds(MultiDict())
    out, now = _Exposition(), ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        tasks = session.execute(select(
            func.count().filter(HumanTask.assignee_id.is_not(None)), func.count().filter(HumanTask.assignee_id.is_(None)),
            func.count().filter(inbox.overdue_task(now))).where(HumanTask.status == "open")).one()
        out.metric("zhifa_open_tasks", "gauge", "Open human tasks.",
                   [({"state": "assigned"}, tasks[0]), ({"state": "unassigned"}, tasks[1])])
        out.metric("zhifa_overdue_tasks", "gauge", "Open tasks past their due moment.", [({}, tasks[2])])
        out.metric("zhifa_overdue_deadlines", "gauge", "Statutory clocks past their end and not met.",
                   [({}, monitoring.overdue(session, now=now, limit=0).total)])
        out.metric("zhifa_deadlines_due_soon", "gauge", "Running clocks ending within three working days.",
                   [({}, monitoring.due_soon(session, now=now, limit=0).total)])
        out.metric("zhifa_instances", "gauge", "Process instances by status.",
                   [({"status": status}, count) for status, count in sorted(monitoring.instance_counts(session).items())])
        out.metric("zhifa_instance_errors", "gauge", "Process instances stopped by an engine error.",
                   [({}, monitoring.errors(session, limit=0).total)])
        stuck = monitoring.stuck(session, now=now, thresholds=limits, limit=0)
        out.metric("zhifa_stuck", "gauge", "Stuck cases and tasks by kind (see the admin console).",
                   [({"kind": kind}, listing.total) for kind, listing in stuck.items()])
        due = monitoring.timers_due(session, now)
        out.metric("zhifa_timers_due", "gauge", "Timers due and not fired yet.", [({}, due["count"])])
        out.metric("zhifa_timer_oldest_due_seconds", "gauge", "How overdue the oldest unfired timer is.",
                   [({}, round(due["oldest_age_seconds"], 3))])
        workers = worker_health(session, now=now, stale_after=limits.stale_worker)
        out.metric("zhifa_scheduler_workers_alive", "gauge", "Scheduler workers that ticked recently.",
                   [({}, sum(w["alive"] for w in workers))])
        out.metric("zhifa_scheduler_last_tick_age_seconds", "gauge", "Seconds since each worker's last tick.",
                   [({"worker": w["worker"]}, round(w["age_seconds"], 3)) for w in workers])
        out.metric("zhifa_scheduler_tick_lag_seconds", "gauge",
                   "How overdue the oldest due timer was when the worker's last tick began.",
                   [({"worker": w["worker"]}, w["lag_seconds"]) for w in workers])
        out.metric("zhifa_scheduler_tick_duration_seconds", "gauge", "Duration of each worker's last tick.",
                   [({"worker": w["worker"]}, w["tick_ms"] / 1000) for w in workers])
        out.metric("zhifa_scheduler_timers_fired_total", "counter", "Timers fired by each worker since it started.",
                   [({"worker": w["worker"]}, w["total_fired"]) for w in workers])
        pending = session.scalar(select(func.count()).where(BulkOperationItem.status.in_(("pending", "running"))))
        out.metric("zhifa_bulk_items_pending", "gauge", "Items of bulk actions not processed yet.", [({}, pending)])
        expiring = monitoring.certificates_expiring(session, today=now.astimezone(CHINA_TZ).date(),
                                                    days=limits.certificate_days)
        out.metric("zhifa_certificates_expiring", "gauge", "Enforcement certificates expired or expiring in 30 days.",
                   [({"state": "expired"}, sum(c["expired"] for c in expiring)),
                    ({"state": "expiring"}, sum(not c["expired"] for c in expiring))])
    return Response(out.text(), mimetype="text/plain; version=0.0.4; charset=utf-8",
                    headers={"Cache-Control": "no-store"})
