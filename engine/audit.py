"""The full-process record (全过程记录): every state change appends one record in the same transaction."""
from __future__ import annotations

from engine.actors import Actor
from engine.clock import Clock
from engine.store.models import AuditRecord


def record(session, *, clock: Clock, actor: Actor, action: str, summary: str, case_id: int | None = None,
           instance_id: int | None = None, task_id: str | None = None, task_title: str | None = None,
           data: dict | None = None) -> AuditRecord:
    entry = AuditRecord(at=clock.now(), actor_id=actor.user_id, actor_name=actor.name, action=action,
                        summary=summary, case_id=case_id, instance_id=instance_id, task_id=task_id,
                        task_title=task_title, data=data)
    session.add(entry)
    return entry
