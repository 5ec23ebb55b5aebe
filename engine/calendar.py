"""The working-day calendar: the State Council holiday schedule, including make-up working days (调休).

Two sources: the `chinese-calendar` package (official schedules it ships), and the system's own holiday
table, which an admin extends each November with next year's schedule or uses to correct a day, without a
release. A year that neither source covers still rests on the holidays the national holiday measures fix every
year (engine/statutory_holidays.py) and on weekends; its make-up working days are unknown, so a count that
touches it is provisional.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version as package_version

import chinese_calendar
from chinese_calendar.constants import holidays as LIBRARY_HOLIDAYS
from chinese_calendar.constants import workdays as LIBRARY_WORKDAYS

from engine.statutory_holidays import statutory_holidays

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LIBRARY_YEARS = range(min(d.year for d in LIBRARY_HOLIDAYS), max(d.year for d in LIBRARY_HOLIDAYS) + 1)
HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


@dataclass(frozen=True)
class DayEntry:
    """One day of the admin's table: a holiday (is_workday False) or a make-up working day (True)."""

    day: date
    is_workday: bool
    name: str = ""


@dataclass(frozen=True)
class WorkCalendar:
    entries: dict[date, DayEntry] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    @property
    def version(self) -> str:
        """Names the data a deadline was computed with, so a later correction can be traced."""
        base = f"chinese-calendar {_library_version()}"
        if not self.entries and not self.confirmed_years:
            return base
        text = ";".join(f"{e.day.isoformat()}:{int(e.is_workday)}" for e in sorted(self.entries.values(),
                                                                                   key=lambda e: e.day))
        text += "|" + ",".join(str(y) for y in sorted(self.confirmed_years))
        return f"{base} + 本地节假日表 {hashlib.sha256(text.encode()).hexdigest()[:8]}"

    def is_known(self, day: date) -> bool:
        return day.year in LIBRARY_YEARS or day.year in self.confirmed_years

    def is_workday(self, day: date) -> bool:
        entry = self.entries.get(day)
        if entry is not None:
            return entry.is_workday
        if day.year in LIBRARY_YEARS:
            return _library_is_workday(day)
        if day.year not in self.confirmed_years and day in statutory_holidays(day.year):
            return False
        return day.weekday() < 5

    def rest_name(self, day: date) -> str:
        """Why a day is not a working day: the holiday's name, or the weekday."""
        entry = self.entries.get(day)
        if entry is not None and entry.name:
            return entry.name
        name = LIBRARY_HOLIDAYS.get(day)
        if name and (entry is None or not entry.is_workday):
            return HOLIDAY_NAMES.get(name, name)
        if entry is None and not self.is_known(day) and day in statutory_holidays(day.year):
            return statutory_holidays(day.year)[day]
        return WEEKDAY_NAMES[day.weekday()]

    def assumed_holiday(self, day: date) -> str | None:
        """The festival a day rests for only because the national holiday measures fix it every year, in a year
        whose schedule is not known yet (a provisional assumption worth showing)."""
        if self.is_known(day) or day in self.entries:
            return None
        return statutory_holidays(day.year).get(day)

    def is_makeup_workday(self, day: date) -> bool:
        entry = self.entries.get(day)
        if entry is not None:
            return entry.is_workday and day.weekday() >= 5
        return day in LIBRARY_WORKDAYS


def year_exceptions(calendar: WorkCalendar, year: int) -> list[tuple[date, bool, str]]:
    """A year's days that break the weekday rule: rest days on weekdays (False, why) and make-up working days on
    weekends (True, "调休上班")."""
    out, day = [], date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        if calendar.is_workday(day) == weekend:
            out.append((day, weekend, "调休上班" if weekend else calendar.rest_name(day)))
        day += timedelta(days=1)
    return out


@lru_cache(maxsize=1)
def _library_version() -> str:
    return package_version("chinesecalendar")


@lru_cache(maxsize=20000)
def _library_is_workday(day: date) -> bool:
    return chinese_calendar.is_workday(day)
