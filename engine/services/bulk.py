"""Bulk actions (批量操作): retry, suspend, resume or reassign many instances or tasks with one reason.

An admin queues an operation with its items on the job queue (engine.services.job_queue); the scheduler
ticks work through them, each item in its own transaction through the same service a single action uses (so
each leaves its own audit record, and one failure does not undo the others). Progress is the items' statuses,
which the console polls. An operation is claimed with a lease like a timer, so several workers never work on
one at the same time, and a worker that dies leaves it to the next one (the item it was on is reported as
interrupted). Timers that a stopped scheduler left unfired are fired one instance at a time from the console
(`timers.fire_now`): a bulk action needs a running scheduler, which fires them by itself.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import DomainError, InvalidState, NotAuthorized, NotFound, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork
from engine.store.models import (
    BULK_ACTIONS, BulkOperation, BulkOperationItem, Case, HumanTask, ProcessDefinition, ProcessInstance, User,
)

from . import instances, tasks
from .job_queue import BATCH_ITEMS, BATCH_SECONDS, Budget, claim_job, release_job

log = logging.getLogger(__name__)
ACTION_TITLES = {"retry": "重试", "suspend": "中止", "resume": "恢复", "reassign": "改派"}
MAX_ITEMS = 5000
INTERRUPTED = "处理该项时工作进程中断，结果未知，请核对后重新操作。"


def create_bulk(*, action: str, targets: list, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                assignee_id: int | None = None) -> int:
    """Queue a bulk action over instance ids (retry, suspend, resume) or task ids (reassign)."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以执行批量操作。")
    errors: dict[str, list[str]] = {}
    if action not in BULK_ACTIONS:
        errors["action"] = [f"操作应为：{'、'.join(ACTION_TITLES.values())}。"]
    if not reason or not reason.strip():
        errors["reason"] = ["此项为必填项。"]
    wanted = list(dict.fromkeys(str(target).strip() for target in targets or [] if str(target).strip()))
    if not wanted:
        errors["targets"] = ["请至少选择一项。"]
    elif len(wanted) > MAX_ITEMS:
        errors["targets"] = [f"一次最多 {MAX_ITEMS} 项。"]
    if action == "reassign" and not isinstance(assignee_id, int):
        errors["assignee_id"] = ["请选择被指派人。"]
    if errors:
        raise ValidationFailed("批量操作的参数有误。", fields=errors)
    with uow:
        session = uow.session
        labels = _labels(session, action, wanted)
        unknown = [target for target in wanted if target not in labels]
        if unknown:
            raise ValidationFailed("以下对象不存在：" + "、".join(unknown[:20]), fields={"targets": unknown[:20]})
        params = {}
        if action == "reassign":
            assignee = session.get(User, assignee_id)
            if assignee is None or not assignee.is_active:
                raise ValidationFailed("被指派人不存在或已停用。", fields={"assignee_id": ["被指派人不符合条件。"]})
            params = {"assignee_id": assignee.id, "assignee_name": assignee.display_name}
        now = clock.now()
        operation = BulkOperation(action=action, reason=reason.strip(), params=params, status="queued",
                                  total=len(wanted), created_by_id=actor.user_id, created_by_name=actor.name,
                                  created_at=now)
        session.add(operation)
        session.flush()
        session.add_all(BulkOperationItem(operation_id=operation.id, position=index, target=target,
                                          label=labels[target][:300], status="pending")
                        for index, target in enumerate(wanted))
        audit.record(session, clock=clock, actor=actor, action="bulk_queued",
                     summary=f"批量{ACTION_TITLES[action]} {len(wanted)} 项：{operation.reason}",
                     data={"operation_id": operation.id, "action": action, "targets": wanted[:200], **params})
        uow.commit()
        return operation.id


def _labels(session: Session, action: str, targets: list[str]) -> dict[str, str]:
    if action == "reassign":
        rows = session.execute(select(HumanTask.id, Case.number, HumanTask.title)
                               .join(Case, Case.id == HumanTask.case_id).where(HumanTask.id.in_(targets)))
        return {task_id: f"{number} · {title}" for task_id, number, title in rows}
    ids = [int(target) for target in targets if target.isdigit()]
    rows = session.execute(select(ProcessInstance.id, Case.number, ProcessDefinition.name)
                           .join(Case, Case.id == ProcessInstance.case_id)
                           .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                           .where(ProcessInstance.id.in_(ids)))
    return {str(instance_id): f"{number} · {name}" for instance_id, number, name in rows}


def cancel_bulk(*, operation_id: int, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    """Stop an operation: items not yet started are skipped; those done stay done."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以取消批量操作。")
    with uow:
        session = uow.session
        operation = session.get(BulkOperation, operation_id)
        if operation is None:
            raise NotFound("批量操作不存在。")
        if operation.status not in ("queued", "running"):
            raise InvalidState("该批量操作已经结束。")
        now = clock.now()
        session.execute(update(BulkOperationItem).where(BulkOperationItem.operation_id == operation_id,
                                                        BulkOperationItem.status == "pending")
                        .values(status="skipped", message="已取消", finished_at=now))
        operation.status, operation.finished_at = "cancelled", now
        audit.record(session, clock=clock, actor=actor, action="bulk_cancelled",
                     summary=f"取消批量操作 #{operation_id}", data={"operation_id": operation_id})
        uow.commit()


def run_bulk_operations(*, database: Database, runner: WorkflowRunner, clock: Clock, worker: str,
                        lease: timedelta, max_items: int = BATCH_ITEMS, max_seconds: float = BATCH_SECONDS) -> int:
    """Work on queued operations, oldest first, for a tick's share of time. Returns how many items were done."""
    budget = Budget(max_items, max_seconds)
    while budget.left():
        claimed = _claim(database, worker=worker, now=clock.now(), lease=lease)
        if claimed is None:
            break
        operation_id, action, reason, params, actor = claimed
        while budget.left():
            item = _next_item(database, operation_id)
            if item is None:
                break
            status, message = _run_item(database=database, runner=runner, clock=clock, action=action,
                                        reason=f"{reason}（批量操作 #{operation_id}）", params=params, actor=actor,
                                        target=item[1])
            with database.unit_of_work() as uow:
                uow.session.execute(update(BulkOperationItem).where(BulkOperationItem.id == item[0])
                                    .values(status=status, message=message, finished_at=clock.now()))
                uow.commit()
            budget.spend()
        _release(database, operation_id, worker=worker, now=clock.now())
    return budget.done


def _claim(database: Database, *, worker: str, now: datetime, lease: timedelta):
    with database.unit_of_work() as uow:
        session = uow.session
        operation = claim_job(session, BulkOperation, worker=worker, now=now, lease=lease)
        if operation is None:
            return None
        # an item left `running` belongs to a worker whose lease ran out: its outcome is unknown
        session.execute(update(BulkOperationItem).where(BulkOperationItem.operation_id == operation.id,
                                                        BulkOperationItem.status == "running")
                        .values(status="failed", message=INTERRUPTED, finished_at=now))
        user = session.get(User, operation.created_by_id)
        claimed = (operation.id, operation.action, operation.reason, dict(operation.params or {}), Actor.of(user))
        uow.commit()
        return claimed


def _next_item(database: Database, operation_id: int) -> tuple[int, str] | None:
    """Take the next pending item (marking it running, so a cancellation or another worker skips it)."""
    with database.unit_of_work() as uow:
        session = uow.session
        row = session.execute(select(BulkOperationItem.id, BulkOperationItem.target).where(
            BulkOperationItem.operation_id == operation_id, BulkOperationItem.status == "pending")
            .order_by(BulkOperationItem.position).limit(1)).first()
        if row is None:
            return None
        taken = cast(CursorResult, session.execute(update(BulkOperationItem).where(
            BulkOperationItem.id == row.id, BulkOperationItem.status == "pending").values(status="running"))).rowcount
        uow.commit()
        return (row.id, row.target) if taken else None


def _run_item(*, database: Database, runner: WorkflowRunner, clock: Clock, action: str, reason: str, params: dict,
              actor: Actor, target: str) -> tuple[str, str | None]:
    deps: dict[str, Any] = {"uow": database.unit_of_work(), "clock": clock}
    try:
        if action == "reassign":
            tasks.assign_task(task_id=target, assignee_id=params["assignee_id"], reason=reason, actor=actor, **deps)
        else:
            service = {"retry": instances.retry_instance, "suspend": instances.suspend_instance,
                       "resume": instances.resume_instance}[action]
            service(instance_id=int(target), reason=reason, actor=actor, runner=runner, **deps)
    except DomainError as error:
        return "failed", error.message
    except Exception as error:  # one broken item must not stop the rest
        log.exception("bulk %s of %s failed", action, target)
        return "failed", f"{type(error).__name__}: {error}"
    return "ok", None


def _release(database: Database, operation_id: int, *, worker: str, now: datetime) -> None:
    with database.unit_of_work() as uow:
        session = uow.session
        operation = session.get_one(BulkOperation, operation_id)
        left = session.scalar(select(func.count()).where(BulkOperationItem.operation_id == operation_id,
                                                         BulkOperationItem.status.in_(("pending", "running"))))
        if operation.status == "running" and not left:
            operation.status, operation.finished_at = "done", now
        release_job(session, BulkOperation, operation_id, worker=worker)
        uow.commit()


# -- reading progress ------------------------------------------------------------------------------------------

def progress(session: Session, operation_id: int) -> dict:
    operation = session.get(BulkOperation, operation_id)
    if operation is None:
        raise NotFound("批量操作不存在。")
    counts = dict(session.execute(select(BulkOperationItem.status, func.count())
                                  .where(BulkOperationItem.operation_id == operation_id)
                                  .group_by(BulkOperationItem.status)).all())
    items = session.execute(select(BulkOperationItem.position, BulkOperationItem.target, BulkOperationItem.label,
                                   BulkOperationItem.status, BulkOperationItem.message)
                            .where(BulkOperationItem.operation_id == operation_id)
                            .order_by(BulkOperationItem.position)).all()
    return _summary(operation, counts) | {"items": [dict(row._mapping) for row in items]}


def recent_operations(session: Session, limit: int = 20) -> list[dict]:
    operations = session.scalars(select(BulkOperation).order_by(BulkOperation.id.desc()).limit(limit)).all()
    counts: dict[int, dict[str, int]] = {}
    if operations:
        for operation_id, status, count in session.execute(
                select(BulkOperationItem.operation_id, BulkOperationItem.status, func.count())
                .where(BulkOperationItem.operation_id.in_([op.id for op in operations]))
                .group_by(BulkOperationItem.operation_id, BulkOperationItem.status)):
            counts.setdefault(operation_id, {})[status] = count
    return [_summary(op, counts.get(op.id, {})) for op in operations]


def _summary(operation: BulkOperation, counts: dict[str, int]) -> dict:
    finished = sum(counts.get(status, 0) for status in ("ok", "failed", "skipped"))
    return {"id": operation.id, "action": operation.action, "action_title": ACTION_TITLES.get(operation.action),
            "reason": operation.reason, "params": operation.params, "status": operation.status,
            "total": operation.total, "ok": counts.get("ok", 0), "failed": counts.get("failed", 0),
            "skipped": counts.get("skipped", 0), "pending": counts.get("pending", 0) + counts.get("running", 0),
            "finished": finished, "percent": round(100 * finished / operation.total) if operation.total else 100,
            "created_by": operation.created_by_name, "created_at": operation.created_at,
            "started_at": operation.started_at, "finished_at": operation.finished_at}
