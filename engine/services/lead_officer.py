"""The lead officer (主办人) of a case: the handler tasks the process creates go to them (stepping.sync_tasks).

A head who gives the lead's task to a colleague says whether the lead changes with it. If so, the colleague
becomes the lead, the lead's other open tasks on the case follow, and so does every later task; the change is
in the full-process record. Without it, only that one task moves.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.errors import ValidationFailed
from engine.store.models import HumanTask, User
from engine.store.statuses import TaskStatus

from .duties import ensure_separation, primary_officer, record_duty


def change_lead_officer(session: Session, *, task: HumanTask, new_lead: User, actor: Actor, clock: Clock) -> None:
    """Make `new_lead` the lead officer of the task's case (within the caller's transaction)."""
    if task.candidate_role != "handler":
        raise ValidationFailed("只有承办人的待办可以同时变更主办人。",
                               fields={"change_lead": ["该待办不由承办人办理，不能据此变更主办人。"]})
    if new_lead.valid_certificate(clock.now().astimezone(CHINA_TZ).date()) is None:
        raise ValidationFailed(f"{new_lead.display_name}没有有效的行政执法证件，不能担任主办人。",
                               fields={"change_lead": ["主办人须持有有效的行政执法证件。"]})
    previous_id = primary_officer(session, task.case_id)
    if previous_id == new_lead.id:
        return
    ensure_separation(session, case_id=task.case_id, user_id=new_lead.id, duty="handle")
    record_duty(session, case_id=task.case_id, user_id=new_lead.id, duty="handle", clock=clock, primary=True)
    moved = []
    if previous_id is not None:
        for other in session.scalars(select(HumanTask).where(
                HumanTask.case_id == task.case_id, HumanTask.status == TaskStatus.OPEN, HumanTask.id != task.id,
                HumanTask.candidate_role == "handler", HumanTask.assignee_id == previous_id)):
            other.assignee_id = new_lead.id
            moved.append(other.title)
    previous = session.get(User, previous_id) if previous_id is not None else None
    was = previous.display_name if previous is not None else "（未指定）"
    audit.record(session, clock=clock, actor=actor, action="lead_officer_changed", case_id=task.case_id,
                 instance_id=task.instance_id, task_id=task.id, task_title=task.title,
                 summary=f"变更主办人：{was} → {new_lead.display_name}，此后承办人的待办交由{new_lead.display_name}办理"
                         + (f"（一并转交：{'、'.join(moved)}）" if moved else ""),
                 data={"from": previous_id, "to": new_lead.id, "moved_tasks": moved})
