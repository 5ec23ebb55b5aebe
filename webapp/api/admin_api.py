"""GET /api/v1/admin/cases?state=error|overdue|stuck|due_soon|suspended — troubled cases for integrations
(admins and supervisors; a session or a bearer token). `stuck` lists its four kinds (`kind=` picks one);
`limit` (≤ 200, default 50) and `offset` page each kind; `agency`, `stuck_days` and `unclaimed_days` filter."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort
from flask_login import current_user

from engine.errors import ValidationFailed
from engine.services import monitoring

from ..admin import thresholds
from ..context import engine_context
from . import api_blueprint, ok, operation
from .schemas import AdminCasesQuery, TroubledCases

def _json(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


@api_blueprint.get("/admin/cases")
@operation("问题案件：出错、超期、停滞、临期、挂起（管理员与执法监督人员）", query=AdminCasesQuery,
           response=TroubledCases, errors=(401, 403, 422))
def admin_cases(query: dict):
    if not current_user.has_role("admin", "supervisor"):
        abort(403)
    state, kind, limit, offset = query["state"], query.get("kind"), query["limit"], query["offset"]
    if kind is not None and state != "stuck":
        raise ValidationFailed("kind 仅用于 state=stuck。", fields={"kind": [f"应为 {'|'.join(monitoring.STUCK_KINDS)} 之一。"]})
    ctx = engine_context()
    limits = thresholds()
    with ctx.uow() as uow:
        now = ctx.clock.now()
        found = monitoring.trouble(uow.session, state, now=now, thresholds=limits,
                                   agency_id=query.get("agency"), limit=limit,
                                   offset=offset, kind=kind)
    items = [_json(row) for listing in found.values() for row in listing.rows]
    return ok({"state": state, "now": now.isoformat(), "limit": limit, "offset": offset,
               "totals": {kind: listing.total for kind, listing in found.items()},
               "thresholds": {"stuck_days": limits.stuck_days, "unclaimed_days": limits.unclaimed_days,
                              "timer_grace_minutes": limits.timer_grace.total_seconds() / 60},
               "items": items})
