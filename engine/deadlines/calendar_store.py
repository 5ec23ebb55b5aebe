"""Loads the working-day calendar from the holiday tables; reloaded only when an admin changed them."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.calendar import DayEntry, WorkCalendar
from engine.store.models import CalendarDay, CalendarYear

_cached: tuple[tuple, WorkCalendar] | None = None


def load_calendar(session) -> WorkCalendar:
    global _cached
    stamp = tuple(session.execute(select(func.count(), func.max(CalendarDay.updated_at))).one()) + tuple(
        session.execute(select(func.count(), func.max(CalendarYear.updated_at))
                        .where(CalendarYear.confirmed.is_(True))).one())
    if _cached is not None and _cached[0] == stamp:
        return _cached[1]
    entries = {row.day: DayEntry(row.day, row.is_workday, row.name) for row in session.scalars(select(CalendarDay))}
    years = frozenset(session.scalars(select(CalendarYear.year).where(CalendarYear.confirmed.is_(True))))
    calendar = WorkCalendar(entries=entries, confirmed_years=years)
    _cached = (stamp, calendar)
    return calendar
