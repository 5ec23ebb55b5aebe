"""Form definitions, one per user-task form key. `get(key)` and `exists(key)` are what the engine uses."""
from __future__ import annotations

from . import intake, ordinary, remedies
from .base import Field, FormDefinition

_REGISTRY: dict[str, FormDefinition] = {}
for _form in (*intake.FORMS, *ordinary.FORMS, *remedies.FORMS):
    if _form.key in _REGISTRY:
        raise ValueError(f"form key {_form.key} defined twice")
    _REGISTRY[_form.key] = _form


def get(key: str) -> FormDefinition | None:
    return _REGISTRY.get(key)


def exists(key: str) -> bool:
    return key in _REGISTRY


def all_forms() -> list[FormDefinition]:
    return list(_REGISTRY.values())


__all__ = ["Field", "FormDefinition", "all_forms", "exists", "get"]
