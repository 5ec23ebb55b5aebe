"""One scheduler tick: fire due timers and flag overdue clocks. Every worker process runs it on an interval;
the database, not the scheduler, coordinates the workers (see engine.services.timers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from engine.clock import Clock
from engine.runner import WorkflowRunner
from engine.services.deadlines import mark_overdue
from engine.services.timers import DEFAULT_LEASE, fire_due_timers
from engine.store.database import Database


@dataclass
class TickResult:
    timers_fired: int
    deadlines_overdue: int


def tick(*, database: Database, runner: WorkflowRunner, clock: Clock, worker: str | None = None,
         lease: timedelta = DEFAULT_LEASE) -> TickResult:
    fired = fire_due_timers(database=database, runner=runner, clock=clock, worker=worker, lease=lease)
    overdue = mark_overdue(database=database, clock=clock)
    return TickResult(timers_fired=fired, deadlines_overdue=overdue)
