"""Migration jobs run in a thread of the app process: the request that starts one returns at once, and the
page polls the job's counts. Each instance is migrated in its own transaction, so a restart mid-job loses
nothing: the job shows as interrupted and its pending instances can be resumed."""
from __future__ import annotations

import logging
import threading

from engine.actors import Actor
from engine.context import EngineContext
from engine.services.migration import run_job

log = logging.getLogger(__name__)


def run_in_background(ctx: EngineContext, job_id: int, actor: Actor) -> threading.Thread:
    def work() -> None:
        try:
            run_job(job_id=job_id, actor=actor, database=ctx.database, runner=ctx.runner, clock=ctx.clock)
        except Exception:  # logged, and the job shows as interrupted once its heartbeat is stale
            log.exception("migration job %s stopped", job_id)

    thread = threading.Thread(target=work, name=f"zhifa-migration-{job_id}", daemon=True)
    thread.start()
    return thread
