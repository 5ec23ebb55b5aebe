"""The timer job: an APScheduler interval job in every worker process.

APScheduler's own job store is not shared between processes (it does not support that), so each worker keeps
its job in memory and the database does the coordination: due instances are claimed with a lease
(FOR UPDATE SKIP LOCKED on PostgreSQL), and the optimistic version column makes a double fire impossible.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.audit_anchors import database_key, write_anchor
from engine.scheduler import tick
from engine.services.timers import worker_name

from .config import audit_anchor_file, audit_anchor_hours
from .context import EngineContext
from .repeated_errors import RepeatedErrors

log = logging.getLogger(__name__)


def _job(ctx: EngineContext, worker: str, lease: timedelta):
    errors = RepeatedErrors(log, "scheduler tick")

    def run_tick() -> None:
        try:
            result = tick(database=ctx.database, runner=ctx.runner, clock=ctx.clock, worker=worker, lease=lease)
        except Exception as error:  # one bad tick must not stop the next one; an outage is one line a minute
            errors.failed(error)
            return
        errors.succeeded()
        if result.timers_fired or result.deadlines_overdue:  # routine: out of the default (INFO) level
            log.debug("tick: %d timer(s) fired, %d deadline(s) overdue", result.timers_fired,
                      result.deadlines_overdue)
    return run_tick


def _anchor_job(ctx: EngineContext, path: Path, every: timedelta):
    errors = RepeatedErrors(log, "audit anchor", every=24 * 3600)

    def write_daily_anchor() -> None:
        try:
            with ctx.uow() as uow:
                result = write_anchor(uow.session, path=path, database=database_key(ctx.database.url),
                                      clock=ctx.clock, unless_younger_than=every)
        except Exception as error:
            errors.failed(error)
            return
        errors.succeeded()
        if result.problem:
            log.error("审计记录未锚定：%s（锚点文件 %s）", result.problem, path)
    return write_daily_anchor


def start_scheduler(ctx: EngineContext, *, tick_seconds: float = 1.0, lease_seconds: float = 30,
                    blocking: bool = False):
    """Also, every hour, append an anchor of the audit trail to ZHIFA_AUDIT_ANCHOR_FILE when none there is younger
    than ZHIFA_AUDIT_ANCHOR_HOURS (24; 0 turns it off): any process of the machine may, the file's lock makes it
    one."""
    anchor_file, anchor_hours = audit_anchor_file(), audit_anchor_hours()
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(_job(ctx, worker_name(), timedelta(seconds=lease_seconds)), "interval", seconds=tick_seconds,
                      id="scheduler_tick", max_instances=1, coalesce=True, misfire_grace_time=30)
    if anchor_hours > 0:
        # the first look an hour after start, so a short-lived server (a test, a restart loop) checks nothing
        scheduler.add_job(_anchor_job(ctx, anchor_file, timedelta(hours=anchor_hours)), "interval", hours=1,
                          id="audit_anchor", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
