"""Form definitions, one per user-task form key. `get(key)` and `exists(key)` are what the engine uses."""
from __future__ import annotations

from .base import Field, FormDefinition
from .case_forms import CASE_FORMS

_REGISTRY: dict[str, FormDefinition] = {form.key: form for form in CASE_FORMS}


def get(key: str) -> FormDefinition | None:
    return _REGISTRY.get(key)


def exists(key: str) -> bool:
    return key in _REGISTRY


def all_forms() -> list[FormDefinition]:
    return list(_REGISTRY.values())


__all__ = ["Field", "FormDefinition", "all_forms", "exists", "get"]
