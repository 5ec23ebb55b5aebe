"""One injectable clock for everything time-dependent.

Services receive a clock; the engine also binds it while SpiffWorkflow evaluates timers, so a test (or an
admin's simulation) can travel to any moment and every deadline, timer and "overdue" view agrees.
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ShiftedClock:
    """The system clock moved by a fixed offset, still running: a training or acceptance instance that lives on
    another date, or a test that runs the product a year ahead. Every process given the same offset agrees."""

    def __init__(self, offset: timedelta):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


_OFFSET = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*([dhms])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_offset(text: str) -> timedelta:
    """'+365d', '-2h', '90m', '30s' → a timedelta; anything else is a ValueError that says what is expected."""
    match = _OFFSET.match(text or "")
    if not match:
        raise ValueError(f"时钟偏移 {text!r} 无法识别：应写作 +365d、-2h、90m 或 30s（天、时、分、秒）")
    sign, amount, unit = match.groups()
    offset = timedelta(**{_UNITS[unit]: float(amount)})
    return -offset if sign == "-" else offset


class FrozenClock:
    """A clock that stands still until told to move; thread-safe, for tests and simulations."""

    def __init__(self, moment: datetime):
        self._lock = threading.Lock()
        self._moment = _aware(moment)

    def now(self) -> datetime:
        with self._lock:
            return self._moment

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._moment = _aware(moment)

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        with self._lock:
            self._moment += delta if delta is not None else timedelta(**kwargs)
            return self._moment


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("clock moments must carry a timezone")
    return moment.astimezone(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """Normalise a database value: SQLite hands back naive datetimes that we always store in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
