"""The timer job: an APScheduler interval job in every worker process.

APScheduler's own job store is not shared between processes (it does not support that), so each worker keeps
its job in memory and the database does the coordination: due instances are claimed row by row with
FOR UPDATE SKIP LOCKED on PostgreSQL, and the optimistic version column makes a double fire impossible.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from engine.services.timers import fire_due_timers

from .context import EngineContext

log = logging.getLogger(__name__)


def start_scheduler(ctx: EngineContext, *, tick_seconds: float = 1.0) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def tick() -> None:
        try:
            fired = fire_due_timers(database=ctx.database, runner=ctx.runner, clock=ctx.clock)
            if fired:
                log.info("fired timers on %d instance(s)", fired)
        except Exception:  # one bad tick must not stop the next one
            log.exception("timer tick failed")

    scheduler.add_job(tick, "interval", seconds=tick_seconds, id="fire_due_timers", max_instances=1,
                      coalesce=True, misfire_grace_time=30)
    scheduler.start()
    return scheduler
