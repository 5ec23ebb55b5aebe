"""What every API request is checked for before a view runs, and the decorator that ties a view to its schemas.

`@operation(body=…, query=…, response=…)` validates the request with the same marshmallow schemas that
/api/v1/openapi.json documents (webapp/api/openapi.py reads them from the view), and hands the view what they
loaded. Whatever no schema describes (a task's form data, a message's payload) still passes the generic checks
here: JSON at most MAX_DEPTH deep, no NUL byte or lone surrogate in any string, integers within the database's
range. Every refusal is a ValidationFailed naming the field, so a careless client gets a 422, never a 500.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from flask import request
from marshmallow import Schema, ValidationError

from engine.errors import ValidationFailed

from ..schema_fields import DB_INT_MAX, DB_INT_MIN

MAX_DEPTH = 32  # a case's data is a few levels deep; deeper JSON is an attack or a bug
PATH_TEXT_LIMIT = 100  # process ids (String(100)), form keys, message names, deadline keys, task ids
NOT_JSON = "请求体应为 JSON 对象。"


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    also: tuple[int, ...] = ()  # other success statuses with the same answer (200: that content was deployed already)
    errors: tuple[int, ...] = (401, 403, 404, 422)
    content: dict = field(default_factory=dict)  # another body (multipart) or another answer (a file)
    description: str = ""


def operation(summary: str, **options):
    """Validate the view's body (`body=`) and query string (`query=`) with their schemas, then call the view with
    `body` and `query` keyword arguments holding what they loaded; `response=` documents the answer."""
    spec = Operation(summary=summary, **options)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if spec.query is not None and "query" not in kwargs:
                kwargs["query"] = load(spec.query, request.args.to_dict())
            if spec.body is not None and "body" not in kwargs:
                kwargs["body"] = load(spec.body, json_body())
            return view(*args, **kwargs)

        wrapped.api_operation = spec
        return wrapped

    return decorator


def load(schema: type[Schema], data: dict) -> dict:
    try:
        return schema().load(data)
    except ValidationError as exc:
        fields = flatten(exc.messages)
        raise ValidationFailed("提交的数据有误：" + "、".join(fields), fields=fields) from exc


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"party.name": [...], "instance_ids.0": [...]}."""
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {prefix or "_schema": messages}
    if not isinstance(messages, dict):
        return {prefix or "_schema": [str(messages)]}
    flat: dict[str, list[str]] = {}
    for name, inner in messages.items():
        flat.update(flatten(inner, f"{prefix}.{name}" if prefix else str(name)))
    return flat


def json_body() -> dict:
    """The request's JSON object, checked for what would fail later in the engine or the database."""
    try:
        data = json.loads(request.get_data(cache=True) or b"null")
    except RecursionError:
        raise ValidationFailed(f"JSON 嵌套不能超过 {MAX_DEPTH} 层。", fields={"_schema": [f"嵌套不能超过 {MAX_DEPTH} 层。"]})
    except ValueError:  # not JSON, or not UTF-8
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(NOT_JSON, fields={"_schema": [NOT_JSON]})
    problems: dict[str, list[str]] = {}
    _check_value(data, "", 0, problems)
    if problems:
        raise ValidationFailed("提交的数据有误：" + "、".join(problems), fields=problems)
    return data


def check_request_args(view_args: dict | None, args) -> None:
    """Path and query parameters: integers the database can hold, text without control characters."""
    problems: dict[str, list[str]] = {}
    for name, value in (view_args or {}).items():
        if isinstance(value, int) and not DB_INT_MIN <= value <= DB_INT_MAX:
            problems[name] = [f"应为不超过 {DB_INT_MAX} 的整数。"]
        elif isinstance(value, str):
            message = text_problem(value) or (
                f"不能超过 {PATH_TEXT_LIMIT} 个字符。" if len(value) > PATH_TEXT_LIMIT else None)
            if message:
                problems[name] = [message]
    for name, value in args.items(multi=True):
        message = text_problem(name) or text_problem(value)
        if message:
            problems[name if not text_problem(name) else "_query"] = [message]
    if problems:
        raise ValidationFailed("请求参数有误：" + "、".join(problems), fields=problems)


def text_problem(value: str) -> str | None:
    """Why the database cannot store `value` (PostgreSQL refuses a NUL; UTF-8 has no lone surrogate), or None."""
    if "\x00" in value:
        return "不能包含空字符（NUL）。"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "包含无效的字符（孤立的代理项）。"
    return None


def _check_value(value, path: str, depth: int, problems: dict) -> None:
    name = path or "_schema"
    if depth > MAX_DEPTH:  # named by the member it starts in: `findings`, not findings.0.0.0…
        problems.setdefault(path.split(".")[0], [f"嵌套不能超过 {MAX_DEPTH} 层。"])
    elif isinstance(value, str):
        message = text_problem(value)
        if message:
            problems.setdefault(name, [message])
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            problems.setdefault(name, ["数值超出范围。"])
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            problems.setdefault(name, ["数值无效。"])
    elif isinstance(value, dict):
        for key, item in value.items():
            message = text_problem(key)
            if message:
                problems.setdefault(name, [f"字段名{message}"])
                continue
            _check_value(item, f"{path}.{key}" if path else key, depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}.{index}" if path else str(index), depth + 1, problems)
