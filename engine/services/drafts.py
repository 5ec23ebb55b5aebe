"""Save a task form as a draft and come back to it: kept per task and person, deleted when the task is done."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import Clock
from engine.store.database import UnitOfWork
from engine.store.models import TaskDraft

from .tasks import ensure_can_work, open_task


def save_draft(*, task_id: str, data: dict, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        task = open_task(uow.session, task_id)
        ensure_can_work(task, actor)
        draft = uow.session.get(TaskDraft, (task_id, actor.user_id))
        if draft is None:
            draft = TaskDraft(task_id=task_id, user_id=actor.user_id)
            uow.session.add(draft)
        draft.data = {key: value for key, value in data.items() if value not in (None, "", [])}
        draft.saved_at = clock.now()
        uow.commit()


def load_draft(session: Session, *, task_id: str, actor: Actor) -> TaskDraft | None:
    return session.get(TaskDraft, (task_id, actor.user_id))
