"""JSON API under /api/v1: session cookie (with the CSRF header) or `Authorization: Bearer <token>`.

Every route is described in /api/v1/openapi.json (webapp/api/openapi.py) from the schemas that validate it
(`@operation`, webapp/api/validation.py); the reference page /api/v1/reference shows it."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from ..extensions import csrf, login_manager
from .validation import check_request_args, json_body, operation  # noqa: F401  (used by the route modules)

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@api_blueprint.before_request
def require_login():
    from .openapi import PUBLIC_ENDPOINTS

    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("authenticated_by_token"):
        csrf.protect()  # a browser session must prove the request came from our own page
    check_request_args(request.view_args, request.args)  # a NUL or an id beyond the database's range is a 422
    return None


def ok(payload, status: int = 200):
    return jsonify(payload), status


from . import (  # noqa: E402,F401  (routes register on import)
    admin_api, case_list_api, cases, deadlines_api, designer_api, documents_api, forms_api, openapi, tasks,
)
