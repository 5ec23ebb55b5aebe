"""Plain-language explanations of how a due date was reached, as staff and parties read them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

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
        assumed = "" if unit == "hour" else _assumed_holidays(count, calendar, whole_span=unit == "workday")
        text += (f"。{years} 年节假日安排尚未录入，暂按《全国年节及纪念日放假办法》第二条的法定节假日和周末推算"
                 f"{f'（已计入 {assumed}）' if assumed else ''}，调休上班日、补假尚不可知，结果为暂定")
    return text


def _assumed_holidays(count: Count, calendar: WorkCalendar, *, whole_span: bool) -> str:
    """The festivals of an unscheduled year that decided the result, e.g. 「2027-10-01 至 10-03 国庆节」: every one
    in a working-day count, only those the last day rolled over in a calendar-day, month or year count."""
    first, last = sorted((count.start_day, count.last_day))
    runs: list[list] = []  # [first day, last day, name]
    day = first + timedelta(days=1) if whole_span else count.strict_last_day
    while day <= last:
        name = calendar.assumed_holiday(day)
        if name and runs and runs[-1][2] == name and runs[-1][1] == day - timedelta(days=1):
            runs[-1][1] = day
        elif name:
            runs.append([day, day, name])
        day += timedelta(days=1)
    return "、".join(f"{a.isoformat()}{'' if a == b else ' 至 ' + _day(b, a)} {name}" for a, b, name in runs)
