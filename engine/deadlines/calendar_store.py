"""Loads the working-day calendar from the holiday tables.

The tables change a few times a year, so a process keeps what it loaded and looks again for changes at most
every few seconds; an import in this process takes effect at once (`forget()`), in other workers within
RECHECK_SECONDS.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.calendar import DayEntry, WorkCalendar
from engine.store.models import CalendarDay, CalendarYear

RECHECK_SECONDS = 5.0

_lock = threading.Lock()
_cached: dict = {}


def forget() -> None:
    with _lock:
        _cached.clear()


def load_calendar(session: Session) -> WorkCalendar:
    key = str(session.get_bind().engine.url)
    with _lock:
        hit = _cached.get(key)
    if hit is not None and time.monotonic() - hit[0] < RECHECK_SECONDS:
        return hit[2]
    stamp = tuple(session.execute(select(func.count(), func.max(CalendarDay.updated_at))).one()) + tuple(
        session.execute(select(func.count(), func.max(CalendarYear.updated_at))
                        .where(CalendarYear.confirmed.is_(True))).one())
    if hit is not None and hit[1] == stamp:
        calendar = hit[2]
    else:
        entries = {row.day: DayEntry(row.day, row.is_workday, row.name)
                   for row in session.scalars(select(CalendarDay))}
        years = frozenset(session.scalars(select(CalendarYear.year).where(CalendarYear.confirmed.is_(True))))
        calendar = WorkCalendar(entries=entries, confirmed_years=years)
    with _lock:
        _cached[key] = (time.monotonic(), stamp, calendar)
    return calendar
