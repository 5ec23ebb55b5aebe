"""Template filters: times are stored in UTC and shown in Beijing time."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from engine.clock import CHINA_TZ
from engine.deadlines.counting import due_label


def fromiso(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def due(value):
    """A due moment as every page and the API show it: 「D 24:00」 for a period ending at the end of day D."""
    value = fromiso(value)
    return due_label(value) if value else "—"


def localtime(value, fmt: str = "%Y-%m-%d %H:%M"):
    value = fromiso(value)
    return value.astimezone(CHINA_TZ).strftime(fmt) if value else "—"


STAGE_TITLES = {
    "lead": "线索初查", "summary": "简易程序", "filed": "已立案", "investigation": "立案调查", "not_filed": "不予立案",
    "referred": "已移送", "crime_transfer": "涉嫌犯罪移送", "transferred": "已移送公安", "decided": "已作出决定",
    "reconsideration": "行政复议", "litigation": "行政诉讼", "revoked": "决定已撤销", "enforcement": "强制执行",
    "enforced": "已执行", "partly_paid": "部分缴纳", "paid": "已缴纳罚款", "archived": "已归档",
}
INSTANCE_STATUS_TITLES = {"running": "运行中", "waiting": "办理中", "suspended": "已中止", "error": "出错",
                          "completed": "已结束", "cancelled": "已撤销"}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["stage"] = lambda value: STAGE_TITLES.get(value, value)
    app.jinja_env.filters["instance_status"] = lambda value: INSTANCE_STATUS_TITLES.get(value, value)
    app.jinja_env.filters["fromiso"] = fromiso
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["due"] = due
