"""A closed case stays closed: when archiving closes it (结案归档), the case's other processes still waiting — on
a timer, or on a step an admin skipped the archive past — are cancelled with the reason recorded, and the agency's
clocks they were running end with them, so no timer fires a task on a closed file later.

A process that is suspended (中止) or in error is not cancelled behind anyone's back, nor is a reconsideration or a
lawsuit in which the agency answers to the reconsideration body or the court: archiving is refused, naming it,
until it is done or put right. Any other agency clock still running on the case (e.g. the service and publicity
periods a decision of no penalty started and nothing met) ends too, recorded, so a closed file is never overdue. The party's own windows (payment, reconsideration, lawsuit) are
facts about the party and keep running: a lawsuit on a closed case still starts its process.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import ValidationFailed
from engine.store.models import CaseDeadline, HumanTask, ProcessDefinition, ProcessInstance
from engine.store.statuses import ClockStatus, InstanceStatus, TaskStatus

CLOSED_BY_ARCHIVE = "案件已归档结案"
ENDED = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
NOT_CANCELLED: dict[str, str] = {InstanceStatus.SUSPENDED: "已中止", InstanceStatus.ERROR: "出错待处理"}
ANSWERABLE = {"reconsideration": "行政复议尚未办结", "litigation": "行政诉讼尚未办结"}  # the agency is respondent
# an overdue clock stays as it was: its lateness is a fact
AGENCY_CLOCKS_OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)


def end_remaining_instances(session: Session, *, case_id: int, closing: ProcessInstance, clock: Clock, actor: Actor) -> None:
    """Cancel the case's processes other than `closing` that have not ended; refuse (nothing saved) when one of
    them is suspended or in error."""
    rows = session.execute(
        select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.process_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.case_id == case_id, ProcessInstance.id != closing.id,
               ProcessInstance.status.not_in(ENDED))
        .order_by(ProcessInstance.id)).all()
    blocked = [(name, NOT_CANCELLED.get(instance.status) or ANSWERABLE[process_id]) for instance, name, process_id in rows
               if instance.status in NOT_CANCELLED or process_id in ANSWERABLE]
    if blocked:
        names = "、".join(f"「{name}」（{state}）" for name, state in blocked)
        raise ValidationFailed(f"本案流程{names}尚未了结，不能归档结案：请先恢复并办结，或由管理员处理后再立卷归档。",
                               fields={"_schema": [f"尚未了结的流程：{names}。归档即结案。"]})
    now = clock.now()
    for instance, name, _process_id in rows:
        instance.status, instance.cancel_reason = InstanceStatus.CANCELLED, CLOSED_BY_ARCHIVE
        instance.next_due_at = None
        instance.ended_at = instance.updated_at = now
        instance.claimed_by = instance.claim_expires_at = None
        for task in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                            HumanTask.status == TaskStatus.OPEN)):
            task.status, task.completed_at = TaskStatus.WITHDRAWN, now
        ended = []
        for row in session.scalars(select(CaseDeadline).where(
                CaseDeadline.instance_id == instance.id, CaseDeadline.status.in_(AGENCY_CLOCKS_OPEN),
                CaseDeadline.party_side.is_(False))):
            row.status, row.updated_at = ClockStatus.CANCELLED, now
            ended.append(row.key)
        audit.record(session, clock=clock, actor=actor, action="instance_cancelled", case_id=case_id,
                     instance_id=instance.id, summary=f"撤销案件流程「{name}」：{CLOSED_BY_ARCHIVE}",
                     data={"reason": CLOSED_BY_ARCHIVE, "clocks_ended": ended})
    _end_case_clocks(session, case_id=case_id, closing=closing, clock=clock, actor=actor)


def _end_case_clocks(session: Session, *, case_id: int, closing: ProcessInstance, clock: Clock, actor: Actor) -> None:
    now = clock.now()
    ended = []
    for row in session.scalars(select(CaseDeadline).where(
            CaseDeadline.case_id == case_id, CaseDeadline.status.in_(AGENCY_CLOCKS_OPEN),
            CaseDeadline.party_side.is_(False)).order_by(CaseDeadline.id)):
        row.status, row.updated_at = ClockStatus.CANCELLED, now
        ended.append((row.key, row.title))
    if ended:
        titles = "、".join(f"「{title}」" for _key, title in ended)
        audit.record(session, clock=clock, actor=actor, action="deadlines_ended", case_id=case_id,
                     instance_id=closing.id, summary=f"{CLOSED_BY_ARCHIVE}，本机关期限{titles}不再计算",
                     data={"reason": CLOSED_BY_ARCHIVE, "keys": [key for key, _title in ended]})
