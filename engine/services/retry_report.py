"""An admin's retry, told honestly: what it ran again, and whether that worked or failed again with the same error.

Retrying runs an instance in `error` on from its last good state: the timers that are due and the automatic steps
after them. It does not resubmit a person's form. When the error came from completing a task, that completion
was rolled back whole, so the task is open again and the retry "succeeds" without touching the cause: the same
input will fail again until the cause (the definition or the case's data) is fixed. The outcome says so and names
the open steps, which the admin may skip or send back (moves.skip_task, moves.rerun_step).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from engine.actors import Actor
from engine.clock import Clock
from engine.errors import EngineFailure
from engine.runner import WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import HumanTask, ProcessInstance, User
from engine.store.statuses import TaskStatus

from .instances import retry_instance


@dataclass(frozen=True)
class RetryOutcome:
    succeeded: bool
    error_element: str | None  # the error the retry was meant to get past
    error_message: str | None
    same_error: bool = False  # failed again at the same element with the same message
    new_element: str | None = None
    new_message: str | None = None
    open_tasks: list[dict] = field(default_factory=list)  # {id, title, assignee}: where the process waits now


def retry_and_report(*, instance_id: int, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                     runner: WorkflowRunner) -> RetryOutcome:
    before = _error_of(uow, instance_id)
    try:
        retry_instance(instance_id=instance_id, reason=reason, actor=actor, uow=uow, clock=clock, runner=runner)
    except EngineFailure:
        after = _error_of(uow, instance_id)
        return RetryOutcome(succeeded=False, error_element=before[0], error_message=before[1],
                            same_error=after == before, new_element=after[0], new_message=after[1],
                            open_tasks=_open_tasks(uow, instance_id))
    return RetryOutcome(succeeded=True, error_element=before[0], error_message=before[1],
                        open_tasks=_open_tasks(uow, instance_id))


def _error_of(uow: UnitOfWork, instance_id: int) -> tuple[str | None, str | None]:
    with uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        return (instance.error_element, instance.error_message) if instance is not None else (None, None)


def _open_tasks(uow: UnitOfWork, instance_id: int) -> list[dict]:
    with uow:
        rows = uow.session.execute(
            select(HumanTask.id, HumanTask.title, User.display_name)
            .outerjoin(User, User.id == HumanTask.assignee_id)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)
            .order_by(HumanTask.created_at)).all()
    return [{"id": row.id, "title": row.title, "assignee": row.display_name} for row in rows]
