"""marshmallow fields for what the web app reads from requests, with Chinese messages and the limits the database
sets: the API's schemas (webapp/api/schemas.py) and the case list's query (webapp/case_list.py) share them."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate

MESSAGES = {"required": "此项为必填项。", "null": "不能为空。", "invalid": "格式不正确。", "unknown": "不支持的字段。"}
TEXT_LIMIT = 5000
DB_INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL; SQLite's 64-bit integers are wider
DB_INT_MIN = -(2**31)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # as every date typed into a form (forms/)


def printable(value: str) -> None:
    """Search text: PostgreSQL refuses a NUL in a parameter, and no one types a control character."""
    if any(ord(char) < 32 for char in value):
        raise ValidationError("不能包含控制字符。")


def text(max_length: int = TEXT_LIMIT, *, required: bool = False, choices=None, min_length: int | None = None,
         search: bool = False, **options) -> fields.String:
    validators = [validate.Length(max=max_length, error=f"不能超过 {max_length} 个字符。")]
    if min_length:
        validators.append(validate.Length(min=min_length, error="此项为必填项。"))
    if choices is not None:
        validators.append(validate.OneOf(choices, error="应为 " + "、".join(choices) + " 之一。"))
    if search:
        validators.append(printable)
    return fields.String(required=required, validate=validators, error_messages=MESSAGES, **options)


def integer(low: int = 0, high: int = DB_INT_MAX, **options) -> fields.Integer:
    """A JSON integer (never a boolean, a float or a string in a body) the database can hold."""
    return fields.Integer(strict=True, validate=validate.Range(low, high, error=f"应在 {low} 到 {high} 之间。"),
                          error_messages={**MESSAGES, "invalid": "应为整数。"}, **options)


def query_integer(low: int = 0, high: int = DB_INT_MAX, **options) -> fields.Integer:
    """An integer in the query string (text there, so not strict)."""
    return fields.Integer(validate=validate.Range(low, high, error=f"应在 {low} 到 {high} 之间。"),
                          error_messages={**MESSAGES, "invalid": "应为整数。"}, **options)


class Day(fields.Date):
    """YYYY-MM-DD exactly (not 20260301, not 2026-3-1), in 1900–2100: a day ± 1 at the calendar's ends overflows."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) != 10:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def day(**options) -> fields.Date:
    return Day(validate=validate.Range(FIRST_DAY, LAST_DAY, error=f"年份应在 {FIRST_DAY.year} 到 {LAST_DAY.year} 之间。"),
               error_messages={**MESSAGES, "invalid": "日期格式应为 YYYY-MM-DD。"}, **options)
