"""One place that maps domain errors to HTTP: JSON for the API, pages for people."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConcurrencyConflict, DefinitionProblem, DomainError, EngineFailure, InvalidState, NotAuthorized, NotFound,
    TaskNotOpen, ValidationFailed,
)

STATUS = {
    NotFound: 404, NotAuthorized: 403, ValidationFailed: 422, TaskNotOpen: 409, ConcurrencyConflict: 409,
    InvalidState: 409, EngineFailure: 500, DefinitionProblem: 422,
}

HTTP_MESSAGES = {
    400: "请求格式不正确。", 401: "请先登录。", 403: "您没有执行此操作的权限。", 404: "页面或数据不存在。",
    405: "不支持此操作。", 409: "数据已被他人更新，请刷新后重试。", 413: "上传的文件过大。",
    422: "提交的数据有误。", 500: "系统内部错误，已记录，请联系管理员。",
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(error: DomainError) -> dict:
    body = {"code": error.code, "message": error.message}
    if error.fields:
        body["fields"] = error.fields
    if isinstance(error, DefinitionProblem):
        body["problems"] = error.problems
    if isinstance(error, EngineFailure):
        body["element_id"] = error.element_id
        if error.detail and _is_administrator():  # the cause is for whoever fixes it, not for the clerk
            body["detail"] = error.detail
    return body


def _is_administrator() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated and current_user.has_role("admin"))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        status = status_for(error)
        if wants_json():
            return jsonify(error=error_body(error)), status
        return render_template("error.html", status=status, message=error.message), status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        message = HTTP_MESSAGES.get(error.code, error.description)
        if error.code == 400 and "CSRF" in (error.description or ""):
            message = "页面已过期或请求来源不可信（CSRF 校验失败），请刷新页面后重试。"
        if wants_json():
            return jsonify(error={"code": error.name.lower().replace(" ", "_"), "message": message}), error.code
        return render_template("error.html", status=error.code, message=message), error.code
