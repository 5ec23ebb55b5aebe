"""JSON API under /api/v1: session cookie (with the CSRF header) or `Authorization: Bearer <token>`."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from ..extensions import csrf, login_manager

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@api_blueprint.before_request
def require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("authenticated_by_token"):
        csrf.protect()  # a browser session must prove the request came from our own page
    return None


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        from engine.errors import ValidationFailed
        raise ValidationFailed("请求体应为 JSON 对象。", fields={"_schema": ["请求体应为 JSON 对象。"]})
    return data


def ok(payload, status: int = 200):
    return jsonify(payload), status


from . import admin_api, case_list_api, cases, deadlines_api, designer_api, documents_api, forms_api, tasks  # noqa: E402,F401  (routes register on import)
