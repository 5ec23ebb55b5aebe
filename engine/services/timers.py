"""Firing due timers exactly once, however many workers run on however many machines.

A worker claims a small batch of due instances in a short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL,
so workers never block on each other), writing its name and a lease expiry on each row. It then fires each
claimed instance in a transaction of its own. A worker killed mid-batch simply stops renewing: when its lease
runs out the rows are claimable again and another worker fires them. The optimistic `version` column is the
final guard: if a slow worker and its successor ever both fire one instance, only one commit can succeed.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import ConcurrencyConflict, EngineFailure, InvalidState, NotAuthorized, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import Database
from engine.store.models import ProcessInstance
from engine.store.statuses import InstanceStatus

from .stepping import case_scope, get_instance, load_workflow, run_step, save_workflow

log = logging.getLogger(__name__)
SCHEDULER = Actor.system("定时器")
DEFAULT_LEASE = timedelta(seconds=30)
DEFAULT_BATCH = 20


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due(*, database: Database, worker: str, now: datetime, limit: int = DEFAULT_BATCH,
              lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Claim up to `limit` instances whose timers are due and not claimed by a live worker."""
    with database.unit_of_work() as uow:
        session = uow.session
        query = (select(ProcessInstance.id)
                 .where(ProcessInstance.status == InstanceStatus.WAITING, ProcessInstance.next_due_at < now,
                        or_(ProcessInstance.claim_expires_at.is_(None), ProcessInstance.claim_expires_at < now))
                 .order_by(ProcessInstance.next_due_at).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, key_share=True)  # FOR NO KEY UPDATE (see stepping)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(ids))
                            .values(claimed_by=worker, claim_expires_at=now + lease)
                            .execution_options(synchronize_session=False))
        uow.commit()
        return ids


def fire_instance(*, instance_id: int, worker: str, database: Database, runner: WorkflowRunner, clock: Clock) -> bool:
    """Fire the due timers of one claimed instance in its own transaction; False if there was nothing to do."""
    def body(session: Session) -> bool:
        instance = get_instance(session, instance_id, for_update=True, skip_locked=True)
        if instance is None or instance.claimed_by != worker:
            return False  # another worker holds it now
        now = clock.now()
        if instance.status != InstanceStatus.WAITING or instance.next_due_at is None or instance.next_due_at >= now:
            instance.claimed_by, instance.claim_expires_at = None, None
            return False
        workflow = load_workflow(session, instance, runner)
        audit.record(session, clock=clock, actor=SCHEDULER, action="timer_fired", case_id=instance.case_id,
                     instance_id=instance.id, summary="定时事件到期触发",
                     data={"due_at": instance.next_due_at.isoformat(), "worker": worker})
        with session.no_autoflush, case_scope(session, instance=instance, clock=clock, actor=SCHEDULER):
            runner.fire_timers(workflow, clock)
            instance.claimed_by, instance.claim_expires_at = None, None
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=SCHEDULER)
        return True

    try:
        return run_step(database.unit_of_work(), instance_id=instance_id, clock=clock, actor=SCHEDULER, body=body)
    except ConcurrencyConflict:
        return False
    except EngineFailure as failure:
        log.warning("timer on instance %s failed: %s", instance_id, failure.message)
        return False


def fire_due_timers(*, database: Database, runner: WorkflowRunner, clock: Clock, worker: str | None = None,
                    batch_size: int = DEFAULT_BATCH, lease: timedelta = DEFAULT_LEASE) -> int:
    """Claim and fire batches until nothing due is left for this worker. Returns how many instances advanced.

    To catch up to a given moment (ops, or simulating a case's future) pass a clock set to that moment.
    """
    worker = worker or worker_name()
    fired, attempted = 0, set[int]()
    while True:
        claimed = claim_due(database=database, worker=worker, now=clock.now(), limit=batch_size, lease=lease)
        if not claimed or attempted.issuperset(claimed):
            return fired  # nothing left, or only instances that did not advance (retried after their lease)
        attempted.update(claimed)
        fired += sum(fire_instance(instance_id=instance_id, worker=worker, database=database, runner=runner,
                                   clock=clock) for instance_id in claimed)


def fire_now(*, instance_id: int, reason: str, actor: Actor, uow, clock: Clock, runner: WorkflowRunner) -> None:
    """An admin fires an instance's due timers at once (立即触发), as the scheduler would: the fix for timers a
    stopped scheduler left unfired. An engine error marks the instance `error`, as it would for the scheduler."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以手动触发定时器。")
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})

    def body(session: Session) -> None:
        instance = get_instance(session, instance_id, for_update=True)
        now = clock.now()
        if instance.status != InstanceStatus.WAITING or instance.next_due_at is None or instance.next_due_at >= now:
            raise InvalidState("该流程没有到期未触发的定时器。")
        workflow = load_workflow(session, instance, runner)
        audit.record(session, clock=clock, actor=actor, action="timers_fired_manually", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"手动触发到期定时器：{reason.strip()}",
                     data={"due_at": instance.next_due_at.isoformat(), "reason": reason.strip()})
        with case_scope(session, instance=instance, clock=clock, actor=actor):
            runner.fire_timers(workflow, clock)
            instance.claimed_by, instance.claim_expires_at = None, None
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)

    run_step(uow, instance_id=instance_id, clock=clock, actor=actor, body=body)
