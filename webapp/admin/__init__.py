"""The admin and supervision console (/admin): what is wrong and how to fix it, people, the holiday table,
case-file review, statistics and the annual report, the audit trail.

Roles: system admins (admin) see everything and act; the judicial bureau's supervisors (supervisor) see
everything, review case files, and take statistics and the annual report, but change nothing else. Everyone
else gets 403 on every page here. Every action takes a reason and lands in the audit trail.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, request
from flask_login import current_user

from engine.errors import DomainError, NotAuthorized
from engine.services.monitoring import Thresholds

from ..extensions import login_manager
from ..pages.auth_views import _safe_next

admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")
CONSOLE_ROLES = ("admin", "supervisor")


@admin_blueprint.before_request
def console_roles_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*CONSOLE_ROLES):
        abort(403)
    return None


def admin_only(view):
    """An action that changes something: system admins only (supervisors read)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.has_role("admin"):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def thresholds(args=None) -> Thresholds:
    """The configured idea of "stuck", optionally changed for one look by the query string."""
    config, args = current_app.config, args if args is not None else request.args

    def number(name: str, key: str, low: int, high: int) -> int:
        value = args.get(name, type=int)
        return min(max(value, low), high) if value is not None else config[key]

    return Thresholds(stuck_days=number("stuck_days", "ZHIFA_STUCK_DAYS", 1, 3650),
                      unclaimed_days=number("unclaimed_days", "ZHIFA_UNCLAIMED_DAYS", 0, 3650),
                      timer_grace=timedelta(minutes=config["ZHIFA_TIMER_GRACE_MINUTES"]),
                      stale_worker=timedelta(seconds=config["ZHIFA_SCHEDULER_STALE_SECONDS"]))


def act(service, success, *, back: str, **kwargs):
    """Run an action service, say how it went (`success`: text, or a function of the service's result), and go
    back where the form came from. A refusal by the engine is a 403; any other refusal is said on the page."""
    target = _safe_next(request.form.get("next")) if request.form.get("next") else back
    try:
        result = service(**kwargs)
    except NotAuthorized:
        abort(403)
    except DomainError as exc:
        details = "；".join("；".join(messages) for messages in (exc.fields or {}).values())
        flash(exc.message + (f"（{details}）" if details and details not in exc.message else ""), "error")
        return redirect(target)
    flash(success(result) if callable(success) else success, "success")
    return redirect(target)


from . import audit_views, calendar_views, case_views, monitor_views, people_views, supervision_views  # noqa: E402,F401
