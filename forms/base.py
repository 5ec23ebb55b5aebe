"""Declarative form definitions: one source for rendering, the JSON definition, and marshmallow validation."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, Callable

from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .chronology import EARLIEST_YEAR, LATEST_YEAR, chronology_errors
from .validators import validate_id_number

CHINA_TZ = ZoneInfo("Asia/Shanghai")

FIELD_TYPES = ("text", "textarea", "choice", "date", "datetime", "money", "integer", "boolean", "id_number",
               "officers", "officer")

MESSAGES = {
    "required": "此项为必填项。",
    "null": "此项为必填项。",
    "invalid": "格式不正确。",
    "invalid_awareness": "时间格式不正确。",
    "special": "格式不正确。",
    "too_large": "数值过大。",
    "format": "格式不正确。",
}

MONEY_CAP = Decimal("1000000000000")  # 一万亿元: no fine, payment or value on a case comes near it


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    visible_to: frozenset[str] | None = None  # None: every role that may open the task

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"choice field {self.name} needs choices")

    def as_json(self) -> dict:
        out = {"name": self.name, "type": self.type, "label": self.label, "required": self.required}
        if self.choices:
            out["choices"] = [{"value": value, "label": label} for value, label in self.choices]
        if self.help:
            out["help"] = self.help
        if self.max_length:
            out["max_length"] = self.max_length
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out

    def marshmallow_field(self) -> fields.Field:
        error_messages: dict[str, str] = dict(MESSAGES)
        kwargs: dict[str, Any] = {"required": self.required, "allow_none": not self.required,
                                  "error_messages": error_messages}
        validators: list[Callable[[Any], Any]] = []
        if self.type in ("text", "textarea", "id_number"):
            limit = self.max_length or (5000 if self.type == "textarea" else 200)
            validators.append(validate.Length(max=limit, error=f"不能超过 {limit} 个字。"))
            if self.required:
                validators.append(validate.Length(min=1, error=MESSAGES["required"]))
            if self.type == "id_number":
                validators.append(validate_id_number)
            return fields.String(validate=validators, **kwargs)
        if self.type == "choice":
            values = [value for value, _ in self.choices]
            labels = "、".join(label for _, label in self.choices)
            return fields.String(validate=validate.OneOf(values, error=f"请从以下选项中选择：{labels}。"), **kwargs)
        if self.type == "money":
            # 元 with at most two decimals (分); never rounded silently: 150.555 is a typing slip, not 150.56
            validators += [validate.Range(min=self.minimum or 0, max=self.maximum,
                                          error=_range_message(self.minimum or 0, self.maximum)),
                           validate_money]
            return fields.Decimal(validate=validators, as_string=False, **kwargs)
        if self.type == "integer":
            validators.append(validate.Range(min=self.minimum, max=self.maximum,
                                             error=_range_message(self.minimum, self.maximum)))
            return fields.Integer(validate=validators, strict=False, **kwargs)
        if self.type == "officers":
            return fields.List(fields.Integer(strict=False), **kwargs)
        if self.type == "officer":  # one certified officer, by user id (the lead officer, 主办人)
            return fields.Integer(strict=False, **kwargs)
        if self.type == "date":
            error_messages["invalid"] = "日期格式不正确，应为 YYYY-MM-DD。"
            return fields.Date(validate=validate_year, **kwargs)
        if self.type == "datetime":
            return fields.AwareDateTime(default_timezone=CHINA_TZ, validate=validate_year, **kwargs)
        return fields.Boolean(**kwargs)


def validate_money(value: Decimal) -> None:
    if value > MONEY_CAP:
        raise ValidationError("金额过大：不能超过一万亿元，请核对。")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("金额最多保留两位小数（分）。")


def validate_year(value: date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"日期应在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间，请核对年份。")


def _range_message(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"应在 {minimum:g} 至 {maximum:g} 之间。"
    if minimum is not None:
        return f"不能小于 {minimum:g}。"
    return f"不能大于 {maximum:g}。"


CrossFieldRule = Callable[[dict, dict], dict[str, str] | None]  # (cleaned data, case context) -> field errors


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    fields: tuple[Field, ...]
    rules: tuple[CrossFieldRule, ...] = field(default=())
    description: str = ""

    @cached_property
    def schema(self) -> Schema:
        schema_class = Schema.from_dict({f.name: f.marshmallow_field() for f in self.fields}, name=f"{self.key}_schema")
        return schema_class(unknown=EXCLUDE)

    def validate(self, data: dict, context: dict | None = None, *, partial: bool = False) -> dict:
        """Return cleaned, JSON-ready data or raise marshmallow.ValidationError with per-field messages.

        `context` is what the rules may know about the case: `party_kind`, the process `data` so far, and `now`
        (the service's clock), against which every date is checked (forms.chronology).
        `partial`: only the fields given are checked (an admin skipping a step supplies what the process needs)."""
        if not isinstance(data, dict):
            raise ValidationError({"_schema": ["提交的数据格式不正确。"]})
        prepared = {name: (None if value == "" else value) for name, value in data.items()}
        if partial:
            prepared = {name: value for name, value in prepared.items() if value not in (None, [])}
        cleaned = self.schema.load(prepared, partial=partial)
        errors: dict[str, list[str]] = {}
        for rule in self.rules:
            for name, message in (rule(cleaned, context or {}) or {}).items():
                errors.setdefault(name, []).append(message)
        labels = {f.name: f.label for f in self.fields}
        for name, message in chronology_errors(cleaned, labels, context or {}).items():
            errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)
        return {name: _json_ready(value) for name, value in cleaned.items()}

    def fields_for(self, roles: set[str] | None) -> tuple[Field, ...]:
        if roles is None:
            return self.fields
        return tuple(f for f in self.fields if f.visible_to is None or f.visible_to & roles)

    def as_json(self, roles: set[str] | None = None) -> dict:
        return {"key": self.key, "title": self.title, "description": self.description,
                "fields": [f.as_json() for f in self.fields_for(roles)]}


def _json_ready(value):
    """Task data must serialize: dates as ISO text, money as a number with two decimals."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, Decimal):
        try:
            return float(value.quantize(Decimal("0.01")))
        except InvalidOperation:
            return float(value)
    return value
