"""The product's one clock, and the offset that moves it for a training instance or a year-ahead test run."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.clock import ShiftedClock, SystemClock, parse_offset


def test_a_clock_offset_is_read_in_days_hours_minutes_or_seconds():
    assert parse_offset("+365d") == timedelta(days=365)
    assert parse_offset("-2h") == timedelta(hours=-2)
    assert parse_offset(" 90m ") == timedelta(minutes=90)
    assert parse_offset("30s") == timedelta(seconds=30)
    for wrong in ("", "365", "next year", "+1y", "d"):
        with pytest.raises(ValueError, match=r"\+365d"):
            parse_offset(wrong)


def test_a_shifted_clock_runs_with_the_system_clock_at_its_offset():
    system, shifted = SystemClock(), ShiftedClock(timedelta(days=365))
    assert abs(shifted.now() - system.now() - timedelta(days=365)) < timedelta(seconds=5)
