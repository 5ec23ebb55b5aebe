"""The case page's process diagrams as JSON, fetched by static/case_diagram.js and drawn with the vendored
bpmn-js viewer (served by the app itself: government intranets have no CDN)."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from engine.errors import DomainError
from engine.services.diagram import case_diagrams

from ..auth import current_actor
from ..context import engine_context
from ..errors import HTTP_MESSAGES, error_body, status_for
from ..filters import INSTANCE_STATUS_TITLES
from . import pages_blueprint


@pages_blueprint.get("/cases/<int:case_id>/diagrams")
def case_diagram_data(case_id: int):
    # a script fetches this: answer in JSON (401, 403, 404), never with the login page or an HTML error page
    if not current_user.is_authenticated:
        return _no_store(jsonify(error={"code": "unauthorized", "message": HTTP_MESSAGES[401]})), 401
    ctx = engine_context()
    try:
        with ctx.uow() as uow:
            diagrams = case_diagrams(uow.session, case_id, current_actor(), runner=ctx.runner)
    except DomainError as exc:
        return _no_store(jsonify(error=error_body(exc))), status_for(exc)
    for diagram in diagrams:
        diagram["status_title"] = _(INSTANCE_STATUS_TITLES.get(diagram["status"], diagram["status"]))
    return _no_store(jsonify(case_id=case_id, instances=diagrams))


def _no_store(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response
