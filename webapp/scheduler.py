"""The timer job: an APScheduler interval job in every worker process.

APScheduler's own job store is not shared between processes (it does not support that), so each worker keeps
its job in memory and the database does the coordination: due instances are claimed with a lease
(FOR UPDATE SKIP LOCKED on PostgreSQL), and the optimistic version column makes a double fire impossible.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.scheduler import tick
from engine.services.timers import worker_name

from .context import EngineContext

log = logging.getLogger(__name__)


def _job(ctx: EngineContext, worker: str, lease: timedelta):
    def run_tick() -> None:
        try:
            result = tick(database=ctx.database, runner=ctx.runner, clock=ctx.clock, worker=worker, lease=lease)
            if result.timers_fired or result.deadlines_overdue:
                log.info("tick: %d timer(s) fired, %d deadline(s) overdue", result.timers_fired,
                         result.deadlines_overdue)
        except Exception:  # one bad tick must not stop the next one
            log.exception("scheduler tick failed")
    return run_tick


def start_scheduler(ctx: EngineContext, *, tick_seconds: float = 1.0, lease_seconds: float = 30,
                    blocking: bool = False):
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(_job(ctx, worker_name(), timedelta(seconds=lease_seconds)), "interval", seconds=tick_seconds,
                      id="scheduler_tick", max_instances=1, coalesce=True, misfire_grace_time=30)
    scheduler.start()
    return scheduler
