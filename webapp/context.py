"""The engine context of the running app."""
from __future__ import annotations

from flask import current_app

from engine.context import EngineContext

__all__ = ["EngineContext", "engine_context"]


def engine_context() -> EngineContext:
    return current_app.extensions["zhifa"]
