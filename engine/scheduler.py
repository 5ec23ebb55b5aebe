"""One scheduler tick: fire due timers, flag overdue clocks, work on the job queue (bulk actions, then migration
jobs), and leave a heartbeat.
Every worker process runs it on an interval; the database, not the scheduler, coordinates the workers (see
engine.services.timers)."""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta

from engine.clock import Clock
from engine.runner import WorkflowRunner
from engine.services.bulk import run_bulk_operations
from engine.services.deadlines import mark_overdue
from engine.services.heartbeats import record_heartbeat, timer_lag
from engine.services.migration import run_migration_jobs
from engine.services.timers import DEFAULT_LEASE, fire_due_timers, worker_name
from engine.store.database import Database

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    timers_fired: int
    deadlines_overdue: int
    bulk_items: int = 0
    migration_items: int = 0


def tick(*, database: Database, runner: WorkflowRunner, clock: Clock, worker: str | None = None,
         lease: timedelta = DEFAULT_LEASE, heartbeat: bool = True) -> TickResult:
    """`heartbeat=False` for a one-off run (`zhifa timers run-due --now …`) that is no worker of its own."""
    worker = worker or worker_name()
    started = time.monotonic()
    lag = timer_lag(database, clock.now()) if heartbeat else timedelta(0)
    try:
        fired = fire_due_timers(database=database, runner=runner, clock=clock, worker=worker, lease=lease)
        overdue = mark_overdue(database=database, clock=clock)
        bulk = run_bulk_operations(database=database, runner=runner, clock=clock, worker=worker, lease=lease)
        migrated = run_migration_jobs(database=database, runner=runner, clock=clock, worker=worker, lease=lease)
    except Exception:
        if heartbeat:
            error = traceback.format_exc()
            try:
                record_heartbeat(database=database, worker=worker, now=clock.now(), lag=lag, timers_fired=0,
                                 tick_ms=int((time.monotonic() - started) * 1000), error=error)
            except Exception:  # the database itself is down: the original error says more
                pass
        raise
    if heartbeat:
        try:
            record_heartbeat(database=database, worker=worker, now=clock.now(), lag=lag, timers_fired=fired,
                             tick_ms=int((time.monotonic() - started) * 1000))
        except Exception:  # monitoring must not fail the work that was done
            log.exception("could not record the scheduler heartbeat")
    return TickResult(timers_fired=fired, deadlines_overdue=overdue, bulk_items=bulk, migration_items=migrated)
