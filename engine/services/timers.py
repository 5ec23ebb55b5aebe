"""Firing due timers: each due instance in a transaction of its own, exactly once across workers.

On PostgreSQL the instance row is locked with FOR UPDATE SKIP LOCKED, so concurrent workers never pick the same
instance; a killed worker's lock dies with its connection. The optimistic `version` column backs this up on
every database.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import ConcurrencyConflict, EngineFailure
from engine.runner import WorkflowRunner
from engine.store.database import Database
from engine.store.models import ProcessInstance

from .stepping import get_instance, load_workflow, run_step, save_workflow

log = logging.getLogger(__name__)
SCHEDULER = Actor.system("定时器")


def due_instance_ids(session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.status == "waiting", ProcessInstance.next_due_at < now)
        .order_by(ProcessInstance.next_due_at).limit(limit)))


def fire_due_timers(*, database: Database, runner: WorkflowRunner, clock: Clock, batch_size: int = 50) -> int:
    """Fire every timer due before the clock's now. Returns how many instances advanced.

    To catch up to a given moment (ops, or simulating a case's future) pass a clock set to that moment.
    """
    fired, attempted = 0, set()
    while True:
        now = clock.now()
        with database.unit_of_work() as uow:
            candidates = [i for i in due_instance_ids(uow.session, now, batch_size + len(attempted))
                          if i not in attempted][:batch_size]
        if not candidates:
            return fired
        attempted.update(candidates)
        fired += sum(1 for instance_id in candidates if fire_instance(
            instance_id=instance_id, database=database, runner=runner, clock=clock, now=now))


def fire_instance(*, instance_id: int, database: Database, runner: WorkflowRunner, clock: Clock,
                  now: datetime) -> bool:
    def body(session) -> bool:
        instance = get_instance(session, instance_id, for_update=True, skip_locked=True)
        if instance is None or instance.status != "waiting" or instance.next_due_at is None \
                or instance.next_due_at >= now:
            return False
        workflow = load_workflow(session, instance, runner)
        due_before = instance.next_due_at
        runner.fire_timers(workflow, clock)
        save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=SCHEDULER)
        audit.record(session, clock=clock, actor=SCHEDULER, action="timer_fired", case_id=instance.case_id,
                     instance_id=instance.id, summary="定时事件到期触发",
                     data={"due_at": due_before.isoformat()})
        return True

    try:
        return run_step(database.unit_of_work(), instance_id=instance_id, clock=clock, actor=SCHEDULER, body=body)
    except ConcurrencyConflict:
        return False
    except EngineFailure as failure:
        log.warning("timer on instance %s failed: %s", instance_id, failure.message)
        return False
