"""Template filters: times are stored in UTC and shown in Beijing time."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from engine.clock import CHINA_TZ


def fromiso(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def localtime(value, fmt: str = "%Y-%m-%d %H:%M"):
    value = fromiso(value)
    return value.astimezone(CHINA_TZ).strftime(fmt) if value else "—"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["fromiso"] = fromiso
    app.jinja_env.filters["localtime"] = localtime
