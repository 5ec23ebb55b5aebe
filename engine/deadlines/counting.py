"""Counting rules of procedure.md §3.

- The starting day is not counted (民法典 Art. 201; 民诉法 Art. 85).
- Working-day periods count working days by the official schedule (APL Art. 85; ACL Art. 69; ARL Art. 88).
- A month period ends on the same date of the month, or the month's last day if there is none (民法典 Art. 202).
- If the last day is a rest day, the period ends on the next working day (民法典 Art. 203; 民诉法 Art. 85).
- Periods end at 24:00 Asia/Shanghai of the last day; hour periods end exactly that many hours later, and so
  start at the moment of their event, never at midnight of a bare date (procedure.md §3).
"""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ
from engine.errors import ValidationFailed

UNITS = ("workday", "day", "month", "year", "hour")


@dataclass
class Count:
    """Result of counting a period: the last day (rolled forward when allowed) and how it was reached."""

    start_day: date
    strict_last_day: date          # the last day by the period alone
    last_day: date                 # after roll-forward to a working day
    due_at: datetime               # 24:00 of the last day, Beijing time (exact moment for hour periods)
    provisional: bool              # a day in the count lies in a year without holiday data
    unknown_years: set[int] = field(default_factory=set)

    @property
    def rolled(self) -> bool:
        return self.last_day != self.strict_last_day


def local_day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(CHINA_TZ).date()
    return moment


def end_of_day(day: date) -> datetime:
    """24:00 of a day in Beijing time, i.e. the first instant of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ)


def due_label(due_at: datetime) -> str:
    """The one way a due moment is shown (inbox, case page, API): a period ending at 24:00 of day D reads
    「D 24:00」, never as the first instant of D+1; an hour clock shows its moment (Beijing time)."""
    local = due_at.astimezone(CHINA_TZ)
    if local.time() == time(0):
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def add_working_days(cal: WorkCalendar, start: date, count: int, unknown: set[int]) -> date:
    """The `count`-th working day after `start` (start not counted); count 0 is the start day itself."""
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        _note(cal, day, unknown)
        if cal.is_workday(day):
            remaining -= 1
    return day


def working_days_before(cal: WorkCalendar, day: date, count: int, unknown: set[int]) -> date:
    """The latest day that still leaves `count` working days before `day` (e.g. a hearing notice)."""
    remaining = count
    while remaining > 0:
        day -= timedelta(days=1)
        _note(cal, day, unknown)
        if cal.is_workday(day):
            remaining -= 1
    return day


def working_days_between(cal: WorkCalendar, after: date, until: date, unknown: set[int]) -> int:
    """Working days in (after, until]: how far a working-day clock moves when paused over that span."""
    total, day = 0, after
    while day < until:
        day += timedelta(days=1)
        _note(cal, day, unknown)
        total += cal.is_workday(day)
    return total


def roll_forward(cal: WorkCalendar, day: date, unknown: set[int]) -> date:
    _note(cal, day, unknown)
    while not cal.is_workday(day):
        day += timedelta(days=1)
        _note(cal, day, unknown)
    return day


def moment_required(day: date, title: str = "") -> ValidationFailed:
    """The error for an hour clock given a date without a time of day."""
    what = f"「{title}」" if title else "按小时计算的期限"
    message = (f"{what}须从事件发生的时刻起算，不能只给日期 {day.isoformat()}："
               f"请写明时、分（如 {day.isoformat()}T09:30）。")
    return ValidationFailed(message, fields={"start": [message]})


def count_period(cal: WorkCalendar, *, start: datetime | date, period: int, unit: str, roll: bool = True,
                 extra_days: int = 0, extra_workdays: int = 0, extra_hours: float = 0) -> Count:
    """Count `period` `unit`s from `start`; `extra_*` add tolled time and extensions in their own units."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit}")
    if period < 0:
        raise ValueError("period must not be negative")
    unknown: set[int] = set()
    start_day = local_day(start)
    if unit == "hour":
        if not isinstance(start, datetime):
            raise moment_required(start)
        due_at = start + timedelta(hours=period + extra_hours)
        last = local_day(due_at)
        _note(cal, last, unknown)
        return Count(start_day, last, last, due_at, bool(unknown), unknown)
    if unit == "workday":
        strict = add_working_days(cal, start_day, period + extra_workdays, unknown)
        strict += timedelta(days=extra_days)
    elif unit == "day":
        strict = start_day + timedelta(days=period + extra_days)
        strict = add_working_days(cal, strict, extra_workdays, unknown) if extra_workdays else strict
    else:
        months = period * (12 if unit == "year" else 1)
        strict = add_months(start_day, months) + timedelta(days=extra_days)
    last = roll_forward(cal, strict, unknown) if roll else strict
    if not roll:
        _note(cal, strict, unknown)
    return Count(start_day, strict, last, end_of_day(last), bool(unknown), unknown)


def _note(cal: WorkCalendar, day: date, unknown: set[int]) -> None:
    if not cal.is_known(day):
        unknown.add(day.year)
