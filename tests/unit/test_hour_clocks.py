"""An hour clock (24 h transfer, urgent referral, emergency report) starts at the moment of its event, never at
midnight of a bare date (procedure.md §3)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.actors import Actor
from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ, FrozenClock
from engine.deadlines import records
from engine.deadlines.catalog import entry
from engine.deadlines.counting import count_period
from engine.deadlines.scope import DeadlineScope, deadline_scope, start_deadline
from engine.errors import DomainError, ValidationFailed

NOW = datetime(2026, 3, 3, 16, 45, tzinfo=CHINA_TZ)
HOUR_CLOCKS = ["crime_transfer_24h", "referral_urgent_24h", "emergency_measure_24h"]


class NoRows:
    """Just enough of a session for a case with no clocks yet."""

    def __init__(self):
        self.added = []

    def scalars(self, _query):
        return []

    def get(self, _model, _key):
        return None  # no agency setting: the catalog's period

    def add(self, row):
        self.added.append(row)


def scope(session=None) -> DeadlineScope:
    return DeadlineScope(session=session or NoRows(), case_id=1, agency_id=1, instance_id=None,
                         clock=FrozenClock(NOW), actor=Actor.system(), calendar=WorkCalendar())


def test_counting_hours_from_a_bare_date_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        count_period(WorkCalendar(), start=date(2026, 3, 3), period=24, unit="hour")
    assert "时刻" in raised.value.message and "2026-03-03" in raised.value.message


@pytest.mark.parametrize("key", HOUR_CLOCKS)
@pytest.mark.parametrize("start", [date(2026, 3, 3), "2026-03-03"])
def test_an_hour_clock_started_with_a_date_only_is_a_domain_error_naming_the_clock(key, start):
    with deadline_scope(scope()), pytest.raises(DomainError) as raised:
        start_deadline(key, start)
    assert isinstance(raised.value, ValidationFailed)
    assert f"「{entry(key).title}」须从事件发生的时刻起算，不能只给日期 2026-03-03" in raised.value.message


def test_an_hour_clock_runs_from_the_moment_given_or_from_now():
    session = NoRows()
    with deadline_scope(scope(session)):
        assert start_deadline("crime_transfer_24h", "2026-03-03T09:30:00+08:00").startswith("2026-03-04T09:30")
        assert start_deadline("referral_urgent_24h").startswith("2026-03-04T16:45")
    assert [row.key for row in session.added] == ["crime_transfer_24h", "referral_urgent_24h"]


def test_day_clocks_still_take_a_date():
    start = records.parse_start("2026-03-03", NOW, entry=entry("seizure_30d"))
    assert start == datetime(2026, 3, 3, tzinfo=CHINA_TZ)
