"""Migrating running instances of a process to a newer version: a dry run that says which instances can move
and why the others cannot, then a background job that moves the chosen ones, each in its own transaction.

Each instance is migrated under the optimistic version check (someone completing its task at the same moment
gets a conflict, or the job records the instance as failed, never a half-migrated state), inside the case's
scope so statutory timers are armed again from the case's clocks, and with its task mirror, due dates and
`next_due_at` saved by save_workflow exactly as after any other step. Every migrated instance is audited.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import DomainError, InvalidState, NotFound
from engine.roles import role_for_lane
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork
from engine.store.models import (
    Case, HumanTask, MigrationJob, MigrationJobItem, ProcessDefinition, ProcessInstance,
)

from .designer import RUNNING_STATUSES, definition_version, require_designer
from .stepping import ACTIVE_STATUSES, case_scope, get_instance, load_workflow, run_step, save_workflow, spec_reader

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=60)  # a running job that has not moved for this long was interrupted


def _candidates(session, process_id: str, target: ProcessDefinition):
    return session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.process_id == process_id, ProcessDefinition.version < target.version,
               ProcessInstance.status.in_(RUNNING_STATUSES))
        .options(joinedload(ProcessInstance.case), joinedload(ProcessInstance.definition))
        .order_by(ProcessInstance.id)).all()


def dry_run(session, *, process_id: str, target_version: int | None, actor: Actor, runner: WorkflowRunner) -> dict:
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
    """Create a migration job for the chosen instances (all running instances on older versions when None).
    The caller runs it in the background with run_job()."""
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


def run_job(*, job_id: int, actor: Actor, database: Database, runner: WorkflowRunner, clock: Clock) -> None:
    """Migrate every pending item of the job, one transaction per instance (resumable: done items are skipped)."""
    with database.unit_of_work() as uow:
        job = uow.session.get(MigrationJob, job_id)
        if job is None:
            raise NotFound("迁移任务不存在。")
        job.status, job.started_at, job.heartbeat_at = "running", job.started_at or clock.now(), clock.now()
        items = list(uow.session.scalars(select(MigrationJobItem.id).where(
            MigrationJobItem.job_id == job_id, MigrationJobItem.status == "pending").order_by(MigrationJobItem.id)))
        uow.commit()
    for item_id in items:
        try:
            _migrate_item(item_id=item_id, job_id=job_id, actor=actor, database=database, runner=runner,
                          clock=clock)
        except Exception as exc:  # one instance must never stop the others
            message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, DomainError):
                log.exception("migrating item %s of job %s", item_id, job_id)
            _record_item(database, job_id=job_id, item_id=item_id, status="failed", message=message, clock=clock)
    with database.unit_of_work() as uow:
        job = uow.session.get(MigrationJob, job_id)
        job.status, job.finished_at, job.heartbeat_at = "done", clock.now(), clock.now()
        audit.record(uow.session, clock=clock, actor=actor, action="migration_finished",
                     summary=f"迁移完成：{job.migrated} 个已迁移，{job.skipped} 个不能迁移，{job.failed} 个失败",
                     data={"job_id": job.id, "migrated": job.migrated, "skipped": job.skipped,
                           "failed": job.failed})
        uow.commit()


def _migrate_item(*, item_id: int, job_id: int, actor: Actor, database: Database, runner: WorkflowRunner,
                  clock: Clock) -> None:
    def body(session) -> None:
        item = session.get(MigrationJobItem, item_id)
        job = session.get(MigrationJob, job_id)
        target = session.get(ProcessDefinition, job.target_definition_id)
        instance = get_instance(session, item.instance_id, for_update=True)
        now = clock.now()
        if instance.definition_id == target.id or instance.status not in RUNNING_STATUSES:
            _finish(item, job, "skipped", "已在目标版本" if instance.definition_id == target.id else "流程已结束", now)
            return
        workflow = load_workflow(session, instance, runner)
        reader = spec_reader(session, target.id)
        check = runner.check_migration(workflow, target.id, reader)
        if not check.can_migrate:
            _finish(item, job, "skipped", "；".join(check.reasons), now)
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
        _finish(item, job, "migrated", "；".join(check.warnings) or None, now)

    run_step(database.unit_of_work(), instance_id=None, clock=clock, actor=actor, body=body)


def refresh_task_mirror(session, *, instance: ProcessInstance, ready) -> None:
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


def _finish(item: MigrationJobItem, job: MigrationJob, status: str, message: str | None, now) -> None:
    item.status, item.message, item.finished_at = status, message, now
    setattr(job, status, getattr(job, status) + 1)
    job.heartbeat_at = now


def _record_item(database: Database, *, job_id: int, item_id: int, status: str, message: str, clock: Clock) -> None:
    with database.unit_of_work() as uow:
        item = uow.session.get(MigrationJobItem, item_id)
        if item.status != "pending":
            return
        _finish(item, uow.session.get(MigrationJob, job_id), status, message, clock.now())
        uow.commit()


def job_progress(session, job_id: int, *, now) -> dict:
    job = session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound("迁移任务不存在。")
    target = session.get(ProcessDefinition, job.target_definition_id)
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


def latest_jobs(session, process_id: str, limit: int = 5) -> list[int]:
    return list(session.scalars(select(MigrationJob.id).where(MigrationJob.process_id == process_id)
                                .order_by(MigrationJob.id.desc()).limit(limit)))


def claim_interrupted(*, job_id: int, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    """Take over a job whose worker stopped (the app restarted mid-job): its pending items run again."""
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
                            .values(status="queued", heartbeat_at=clock.now()))
        uow.commit()
