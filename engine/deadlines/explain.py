"""Plain-language explanations of how a due date was reached, as staff and parties read them."""
from __future__ import annotations

from datetime import date, datetime

from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ
from engine.deadlines.catalog import UNIT_WORDS
from engine.deadlines.counting import Count


def _day(day: date, reference: date | None = None) -> str:
    return day.strftime("%m-%d") if reference is not None and reference.year == day.year else day.isoformat()


def explain(*, starts_on: str, start: datetime | date, period: int, unit: str, basis: str, count: Count,
            calendar: WorkCalendar, party_side: bool, tolled_text: str = "", extension_text: str = "") -> str:
    if unit == "hour":
        start_text = start.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if isinstance(start, datetime) \
            else start.isoformat()
        text = (f"{starts_on} {start_text} 起 {period} 小时{extension_text}{tolled_text}，"
                f"至 {count.due_at.astimezone(CHINA_TZ).strftime('%Y-%m-%d %H:%M')} 届满")
    else:
        text = f"{starts_on} {count.start_day.isoformat()} 起 {period}{UNIT_WORDS[unit]}{extension_text}{tolled_text}"
        if count.rolled:
            rest = calendar.rest_name(count.strict_last_day)
            kind = "休息日" if rest.startswith("周") else "法定节假日"
            text += (f"，届满日 {_day(count.strict_last_day, count.last_day)} 为{kind}（{rest}），"
                     f"顺延至 {count.last_day.isoformat()}")
            if not party_side:
                text += f"；机关宜于 {_day(count.strict_last_day, count.last_day)} 前办结"
        else:
            text += f"，届满日 {count.last_day.isoformat()}"
    text += f"（{basis}）"
    if count.provisional:
        years = "、".join(str(y) for y in sorted(count.unknown_years))
        text += f"。{years} 年节假日安排尚未录入，暂按周末推算，结果为暂定"
    return text
