"""Migrating running instances of a process to a newer version: a dry run that says which instances can move
and why the others cannot, then a job that moves the chosen ones, each in its own transaction. The job waits
on the queue every scheduler tick works (engine.services.job_queue, like a bulk action), so it runs on any
worker and survives a restart: a stopped worker's job is taken over, at its pending items, once its lease ends.

Each instance is migrated under the optimistic version check (someone completing its task at the same moment
gets a conflict, or the job records the instance as failed, never a half-migrated state), inside the case's
scope so statutory timers are armed again from the case's clocks, and with its task mirror, due dates and
`next_due_at` saved by save_workflow exactly as after any other step. Every migrated instance is audited.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, joinedload

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import DomainError, InvalidState, NotFound
from engine.roles import role_for_lane
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork
from engine.store.models import (
    Case, HumanTask, MigrationJob, MigrationJobItem, ProcessDefinition, ProcessInstance, User,
)

from .designer import RUNNING_STATUSES, definition_version, require_designer
from .job_queue import BATCH_ITEMS, BATCH_SECONDS, Budget, claim_job, release_job
from .stepping import ACTIVE_STATUSES, case_scope, get_instance, load_workflow, run_step, save_workflow, spec_reader

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=60)  # a running job that has not moved for this long was interrupted


def _candidates(session: Session, process_id: str, target: ProcessDefinition):
    return session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.process_id == process_id, ProcessDefinition.version < target.version,
               ProcessInstance.status.in_(RUNNING_STATUSES))
        .options(joinedload(ProcessInstance.case), joinedload(ProcessInstance.definition))
        .order_by(ProcessInstance.id)).all()


def dry_run(session: Session, *, process_id: str, target_version: int | None, actor: Actor, runner: WorkflowRunner) -> dict:
    """Every running instance on an older version: can it move to the target version, and if not, why not."""
    require_designer(actor)
    target = definition_version(session, process_id, target_version)
    rows = []
    for instance in _candidates(session, process_id, target):
        try:
            check = runner.check_migration(load_workflow(session, instance, runner), target.id,
                                           spec_reader(session, target.id))
            verdict = {"can_migrate": check.can_migrate, "reasons": check.reasons, "warnings": check.warnings,
                       "current": check.current}
        except Exception as exc:  # a state the library cannot diff is a reason, not a crash of the page
            log.exception("dry run of instance %s", instance.id)
            verdict = {"can_migrate": False, "reasons": [f"无法比较：{type(exc).__name__}: {exc}"], "warnings": [],
                       "current": []}
        rows.append({"instance_id": instance.id, "case_id": instance.case_id, "case_number": instance.case.number,
                     "party_name": instance.case.party_name, "version": instance.definition.version,
                     "status": instance.status, **verdict})
    return {"process_id": process_id, "target_version": target.version, "target_id": target.id,
            "instances": rows, "movable": sum(r["can_migrate"] for r in rows),
            "blocked": sum(not r["can_migrate"] for r in rows)}


def start_job(*, process_id: str, target_version: int | None, instance_ids: list[int] | None, actor: Actor,
              uow: UnitOfWork, clock: Clock) -> int:
    """Queue a migration job for the chosen instances (all running instances on older versions when None);
    the scheduler's ticks work it (run_migration_jobs), on whichever worker ticks first."""
    require_designer(actor)
    with uow:
        session = uow.session
        target = definition_version(session, process_id, target_version)
        chosen = [i for i in _candidates(session, process_id, target)
                  if instance_ids is None or i.id in set(instance_ids)]
        if not chosen:
            raise InvalidState("没有可迁移的运行中实例。")
        now = clock.now()
        job = MigrationJob(process_id=process_id, target_definition_id=target.id, status="queued",
                           total=len(chosen), migrated=0, skipped=0, failed=0, requested_by_id=actor.user_id,
                           requested_by_name=actor.name, created_at=now)
        session.add(job)
        session.flush()
        session.add_all([MigrationJobItem(job_id=job.id, instance_id=i.id, from_definition_id=i.definition_id,
                                          status="pending") for i in chosen])
        audit.record(session, clock=clock, actor=actor, action="migration_started",
                     summary=f"迁移流程 {process_id} 的 {len(chosen)} 个运行中实例到第 {target.version} 版",
                     data={"job_id": job.id, "process_id": process_id, "target_version": target.version})
        uow.commit()
        return job.id


def run_migration_jobs(*, database: Database, runner: WorkflowRunner, clock: Clock, worker: str,
                       lease: timedelta, max_items: int = BATCH_ITEMS, max_seconds: float = BATCH_SECONDS) -> int:
    """Work on queued migration jobs, oldest first, for a tick's share of time: one transaction per instance,
    so a job a stopped worker left half-done goes on from its pending items. Returns how many were done."""
    budget = Budget(max_items, max_seconds)
    while budget.left():
        claimed = _claim(database, worker=worker, now=clock.now(), lease=lease)
        if claimed is None:
            break
        job_id, actor = claimed
        while budget.left():
            item_id = _next_item(database, job_id)
            if item_id is None:
                break
            try:
                _migrate_item(item_id=item_id, job_id=job_id, actor=actor, database=database, runner=runner,
                              clock=clock)
            except Exception as exc:  # one instance must never stop the others
                message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, DomainError):
                    log.exception("migrating item %s of job %s", item_id, job_id)
                _record_item(database, item_id=item_id, status="failed", message=message, clock=clock)
            budget.spend()
        _release(database, job_id=job_id, worker=worker, actor=actor, clock=clock)
    return budget.done


def _claim(database: Database, *, worker: str, now, lease: timedelta) -> tuple[int, Actor] | None:
    with database.unit_of_work() as uow:
        session = uow.session
        job = claim_job(session, MigrationJob, worker=worker, now=now, lease=lease)
        if job is None:
            return None
        job.heartbeat_at = now
        user = session.get(User, job.requested_by_id) if job.requested_by_id is not None else None
        claimed = (job.id, Actor.of(user) if user is not None else Actor.system(job.requested_by_name))
        uow.commit()
        return claimed


def _next_item(database: Database, job_id: int) -> int | None:
    with database.unit_of_work() as uow:
        return uow.session.scalar(select(MigrationJobItem.id).where(
            MigrationJobItem.job_id == job_id, MigrationJobItem.status == "pending")
            .order_by(MigrationJobItem.id).limit(1))


def _release(database: Database, *, job_id: int, worker: str, actor: Actor, clock: Clock) -> None:
    """Let the job go; the worker that finds no item left marks it done, once (the update is conditional, so
    two workers finishing together cannot both)."""
    with database.unit_of_work() as uow:
        session = uow.session
        left = session.scalar(select(func.count()).where(MigrationJobItem.job_id == job_id,
                                                         MigrationJobItem.status == "pending"))
        now = clock.now()
        if not left and cast(CursorResult, session.execute(update(MigrationJob).where(
                MigrationJob.id == job_id, MigrationJob.status == "running")
                .values(status="done", finished_at=now, heartbeat_at=now))).rowcount:
            job = session.get_one(MigrationJob, job_id)
            audit.record(session, clock=clock, actor=actor, action="migration_finished",
                         summary=f"迁移完成：{job.migrated} 个已迁移，{job.skipped} 个不能迁移，{job.failed} 个失败",
                         data={"job_id": job.id, "migrated": job.migrated, "skipped": job.skipped,
                               "failed": job.failed})
        release_job(session, MigrationJob, job_id, worker=worker)
        uow.commit()


def _migrate_item(*, item_id: int, job_id: int, actor: Actor, database: Database, runner: WorkflowRunner,
                  clock: Clock) -> None:
    def body(session: Session) -> None:
        item = session.get_one(MigrationJobItem, item_id, with_for_update=True)
        if item.status != "pending":  # done meanwhile by a worker that held the job after this one's lease ran out
            return
        job = session.get_one(MigrationJob, job_id)
        target = session.get_one(ProcessDefinition, job.target_definition_id)
        instance = get_instance(session, item.instance_id, for_update=True)
        now = clock.now()
        if instance.definition_id == target.id or instance.status not in RUNNING_STATUSES:
            _finish(session, item, "skipped", "已在目标版本" if instance.definition_id == target.id else "流程已结束",
                    now)
            return
        workflow = load_workflow(session, instance, runner)
        reader = spec_reader(session, target.id)
        check = runner.check_migration(workflow, target.id, reader)
        if not check.can_migrate:
            _finish(session, item, "skipped", "；".join(check.reasons), now)
            return
        old_version = session.scalar(select(ProcessDefinition.version).where(
            ProcessDefinition.id == instance.definition_id))
        with case_scope(session, instance=instance, clock=clock, actor=actor):
            runner.migrate(workflow, target.id, reader, clock, advance=instance.status in ACTIVE_STATUSES)
            instance.definition_id = target.id
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
        refresh_task_mirror(session, instance=instance, ready=runner.ready_user_tasks(workflow))
        audit.record(session, clock=clock, actor=actor, action="instance_migrated", case_id=instance.case_id,
                     instance_id=instance.id,
                     summary=f"流程「{target.name}」由第 {old_version} 版迁移到第 {target.version} 版"
                             + (f"（{'；'.join(check.warnings)}）" if check.warnings else ""),
                     data={"job_id": job_id, "from_version": old_version, "to_version": target.version,
                           "warnings": check.warnings})
        _finish(session, item, "migrated", "；".join(check.warnings) or None, now)

    run_step(database.unit_of_work(), instance_id=None, clock=clock, actor=actor, body=body)


def refresh_task_mirror(session: Session, *, instance: ProcessInstance, ready) -> None:
    """Open tasks keep their rows (and claims) across a migration, but take the new version's title, lane,
    role and form; a task whose role changed goes back to the queue of the new role."""
    by_spiff_id = {task.id: task for task in ready}
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.status == "open")):
        task = by_spiff_id.get(row.spiff_task_id)
        if task is None:
            continue
        role = role_for_lane(task.lane) or "admin"
        if role != row.candidate_role:
            row.assignee_id = None
        row.name, row.title, row.lane, row.candidate_role = task.name, task.title, task.lane, role
        row.form_key = task.form_key or task.name


def _finish(session: Session, item: MigrationJobItem, status: str, message: str | None, now) -> None:
    """The item's outcome and the job's count, both in the database (the item only if still pending), so two
    workers that both took the item (a lease that ran out mid-item) cannot both count it: the second rolls back."""
    if not cast(CursorResult, session.execute(update(MigrationJobItem).where(
            MigrationJobItem.id == item.id, MigrationJobItem.status == "pending")
            .values(status=status, message=message, finished_at=now))).rowcount:
        raise InvalidState("该实例已由另一个工作进程处理。")
    count = getattr(MigrationJob, status)
    session.execute(update(MigrationJob).where(MigrationJob.id == item.job_id)
                    .values({count: count + 1, MigrationJob.heartbeat_at: now}))


def _record_item(database: Database, *, item_id: int, status: str, message: str, clock: Clock) -> None:
    with database.unit_of_work() as uow:
        item = uow.session.get_one(MigrationJobItem, item_id, with_for_update=True)
        if item.status != "pending":
            return
        _finish(uow.session, item, status, message, clock.now())
        uow.commit()


def job_progress(session: Session, job_id: int, *, now) -> dict:
    job = session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound("迁移任务不存在。")
    target = session.get_one(ProcessDefinition, job.target_definition_id)
    items = session.execute(
        select(MigrationJobItem, ProcessInstance.case_id)
        .join(ProcessInstance, ProcessInstance.id == MigrationJobItem.instance_id)
        .where(MigrationJobItem.job_id == job_id).order_by(MigrationJobItem.id)).all()
    numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_({c for _, c in items}))).all())
    status = job.status
    if status == "running" and job.heartbeat_at is not None and now - job.heartbeat_at > STALE_AFTER:
        status = "interrupted"
    done = job.migrated + job.skipped + job.failed
    return {"id": job.id, "process_id": job.process_id, "target_version": target.version, "status": status,
            "total": job.total, "done": done, "migrated": job.migrated, "skipped": job.skipped,
            "failed": job.failed, "requested_by": job.requested_by_name, "created_at": job.created_at,
            "finished_at": job.finished_at,
            "items": [{"instance_id": item.instance_id, "case_id": case_id, "case_number": numbers.get(case_id),
                       "status": item.status, "message": item.message} for item, case_id in items]}


def latest_jobs(session: Session, process_id: str, limit: int = 5) -> list[int]:
    return list(session.scalars(select(MigrationJob.id).where(MigrationJob.process_id == process_id)
                                .order_by(MigrationJob.id.desc()).limit(limit)))


def resume_job(*, job_id: int, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    """Put a job that has not moved for a while (its worker stopped, or no scheduler ran) back at the head of
    the queue: the next tick of any worker takes it, without waiting for a stopped worker's lease."""
    require_designer(actor)
    with uow:
        job = uow.session.get(MigrationJob, job_id)
        if job is None:
            raise NotFound("迁移任务不存在。")
        if job.status == "done":
            raise InvalidState("迁移任务已经完成。")
        if job.status == "running" and job.heartbeat_at and clock.now() - job.heartbeat_at <= STALE_AFTER:
            raise InvalidState("迁移任务正在进行。")
        uow.session.execute(update(MigrationJob).where(MigrationJob.id == job_id)
                            .values(status="queued", heartbeat_at=clock.now(), claimed_by=None,
                                    claim_expires_at=None))
        uow.commit()
