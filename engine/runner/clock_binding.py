"""Make SpiffWorkflow's timers read our injectable clock.

SpiffWorkflow 3.2.0 has no clock hook: its timer module calls `datetime.now(timezone.utc)`. We replace that
module's `datetime` with a subclass whose `now()` reads the clock bound to the current context (thread or
task), so a scheduler running on the system clock and a test travelling in time never see each other's "now".
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine.clock import Clock

_bound_clock: ContextVar[Clock | None] = ContextVar("zhifa_bound_clock", default=None)


class ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = _bound_clock.get()
        if clock is None:
            return datetime.now(tz)
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


spiff_timer.datetime = ClockedDatetime


@contextmanager
def bound_clock(clock: Clock):
    token = _bound_clock.set(clock)
    try:
        yield
    finally:
        _bound_clock.reset(token)
