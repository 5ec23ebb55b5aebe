"""Form definitions, one per user-task form key. `get(key)` and `exists(key)` are what the engine uses."""
from __future__ import annotations

from . import intake, ordinary, payment_deferral, remedies
from .base import Field, FormDefinition

_REGISTRY: dict[str, FormDefinition] = {}
for _form in (*intake.FORMS, *ordinary.FORMS, *payment_deferral.FORMS, *remedies.FORMS):
    if _form.key in _REGISTRY:
        raise ValueError(f"form key {_form.key} defined twice")
    _REGISTRY[_form.key] = _form


_FIELDS: dict[str, Field] = {}
for _form in _REGISTRY.values():
    for _field in _form.fields:
        _FIELDS.setdefault(_field.name, _field)


def describe(data: dict) -> list[tuple[str, str]]:
    """Submitted form data as (label, readable value) pairs, in the order the data has them."""
    rows = []
    for name, value in data.items():
        field = _FIELDS.get(name)
        if field is None or value in (None, "", []):
            continue
        if field.type == "choice":
            value = dict(field.choices).get(value, value)
        elif field.type == "officer" and isinstance(value, dict):
            value = f"{value.get('name')}（{value.get('certificate_number')}）"
        elif field.type == "officers":
            value = "、".join(f"{o.get('name')}（{o.get('certificate_number')}）" if isinstance(o, dict) else str(o)
                             for o in value)
        elif field.type == "boolean":
            value = "是" if value else "否"
        rows.append((field.label, str(value)))
    return rows


def get(key: str) -> FormDefinition | None:
    return _REGISTRY.get(key)


def form(key: str) -> FormDefinition:
    """The form of a key the code itself names (KeyError when there is none)."""
    return _REGISTRY[key]


def exists(key: str) -> bool:
    return key in _REGISTRY


def all_forms() -> list[FormDefinition]:
    return list(_REGISTRY.values())


__all__ = ["Field", "FormDefinition", "all_forms", "describe", "exists", "form", "get"]
