"""/api/v1/openapi.json, generated (apispec) from the routes and the marshmallow schemas that validate them, and
/api/v1/reference, the browsable reference (Swagger UI, installed from npm and served by the app)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, current_app, jsonify, render_template, url_for
from werkzeug.routing import IntegerConverter, Rule

from . import api_blueprint
from .schemas import Error
from ..schema_fields import DB_INT_MAX
from .validation import PATH_TEXT_LIMIT, Operation

TITLE = "综合行政执法办案系统 API"
DESCRIPTION = (
    "以 `Authorization: Bearer <令牌>` 调用（令牌由 `zhifa user token 用户名` 签发），或在已登录的浏览器中以会话调用"
    "（写操作须带 `X-CSRFToken` 请求头）。出错时返回 4xx 与 `{\"error\": {code, message, fields}}`，"
    "`fields` 按字段（嵌套字段用点号，如 `party.id_number`）列出提示。")
ERROR_TEXT = {400: "请求格式不正确", 401: "未登录或令牌无效", 403: "无权执行此操作", 404: "不存在或不可见",
              409: "状态冲突（已被他人处理，或当前状态不允许）", 413: "上传的文件过大", 422: "数据有误，`fields` 指明字段"}
ALWAYS = {401, 403, 422}  # no login; a role or agency that may not; a parameter the database cannot hold
PUBLIC_ENDPOINTS = ("api.openapi_document", "api.reference")


@api_blueprint.get("/openapi.json")
def openapi_document():
    return jsonify(openapi_spec(current_app))


@api_blueprint.get("/reference")
def reference():
    return render_template("api/reference.html", spec_url=url_for("api.openapi_document"))


def openapi_spec(app: Flask) -> dict:
    """The document for `app`, built once per app (routes and schemas do not change while it runs)."""
    if "zhifa_openapi" not in app.extensions:
        app.extensions["zhifa_openapi"] = build_spec(app)
    return app.extensions["zhifa_openapi"]


def build_spec(app: Flask) -> dict:
    spec = APISpec(title=TITLE, version="1", openapi_version="3.0.3", plugins=[FlaskPlugin(), MarshmallowPlugin()],
                   info={"description": DESCRIPTION}, servers=[{"url": "/"}], security=[{"bearer": []}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=Error)
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        described: Operation | None = getattr(view, "api_operation", None)
        if not rule.endpoint.startswith("api.") or described is None:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        spec.path(view=view, app=app, parameters=_path_parameters(rule),
                  operations={method.lower(): _operation(described, rule) for method in methods})
    return spec.to_dict()


def _operation(described: Operation, rule: Rule) -> dict:
    endpoint = rule.endpoint
    operation: dict = {"summary": described.summary, "operationId": endpoint.removeprefix("api."),
                       "tags": [_tag(endpoint)], "responses": {}}
    if described.description:
        operation["description"] = described.description
    if described.query is not None:
        operation["parameters"] = [{"in": "query", "schema": described.query}]
    request_content = {key: value for key, value in described.content.items() if key != "response"}
    if described.body is not None:
        request_content.setdefault("application/json", {"schema": described.body})
    if request_content:
        operation["requestBody"] = {"required": True, "content": request_content}
    answer = described.content.get("response") or (
        {"application/json": {"schema": described.response}} if described.response is not None else {})
    for status in (described.status, *described.also):
        operation["responses"][str(status)] = {"description": "成功", "content": answer}
    for status in sorted(set(described.errors) | ALWAYS | ({404} if rule.arguments else set())):
        operation["responses"][str(status)] = {"description": ERROR_TEXT[status],
                                               "content": {"application/json": {"schema": "Error"}}}
    return operation


def _tag(endpoint: str) -> str:
    name = endpoint.removeprefix("api.")
    for prefix, tag in (("admin", "监督"), ("migration", "流程设计"), ("definition", "流程设计"), ("draft", "流程设计"),
                        ("task", "待办任务"), ("form", "表单"), ("deadline", "期限")):
        if prefix in name:
            return tag
    return "案件"


def _path_parameters(rule: Rule) -> list[dict]:
    parameters = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
        else:
            schema = {"type": "string", "minLength": 1, "maxLength": PATH_TEXT_LIMIT, "pattern": "^[^/]+$"}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return parameters
