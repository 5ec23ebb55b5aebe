"""A case as the admin console shows it: every process with its status and error, the steps that may be re-run,
open tasks with the colleagues they may go to, clocks, and the heads who may approve an extension."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import Clock
from engine.deadlines.catalog import catalog
from engine.deadlines.extensions import limit_text, offer
from engine.errors import ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import CaseReview, HumanTask, ProcessDefinition, ProcessInstance, User, user_role
from engine.store.statuses import TaskStatus

from .cases import get_case_for
from .deadlines import case_deadlines
from .moves import MOVABLE, rerunnable_steps
from .stepping import load_workflow
from .tasks import assign_task


def extension_offer(clock: dict) -> dict | None:
    """The extension the console may still record on a clock, as the law allows it: the most that may be asked
    for, whether a collective discussion must be cited, and the limit in words; None where none is allowed."""
    entry = catalog().get(clock["key"])
    if entry is None:
        return None
    allowed = offer(clock, entry)
    return {**allowed, "limit": limit_text(entry)} if allowed else None


def reassign_task(*, task_id: str, assignee_id: int, reason: str, actor: Actor, uow: UnitOfWork,
                  clock: Clock, change_lead: bool = False) -> None:
    """The console's reassignment (改派): like a head's, but across agencies for an admin, and with a reason."""
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})
    assign_task(task_id=task_id, assignee_id=assignee_id, reason=reason.strip(), actor=actor, uow=uow, clock=clock,
                change_lead=change_lead)


def staff_by_role(session: Session, agency_id: int, roles) -> dict[str, list[tuple[int, str]]]:
    """Active staff of an agency holding each role: who a task may go to, who may approve (heads)."""
    out: dict[str, list[tuple[int, str]]] = {role: [] for role in roles}
    for role, user_id, name in session.execute(
            select(user_role.c.role_id, User.id, User.display_name).join(user_role, user_role.c.user_id == User.id)
            .where(User.agency_id == agency_id, User.is_active.is_(True), user_role.c.role_id.in_(list(roles)))
            .order_by(User.display_name, User.id)):
        out[role].append((user_id, name))
    return out


def admin_case(session: Session, *, case_id: int, actor: Actor, runner: WorkflowRunner) -> dict:
    case = get_case_for(session, case_id, actor)
    instances = []
    for instance, process_name, version in session.execute(
            select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.version)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessInstance.case_id == case.id).order_by(ProcessInstance.id)):
        steps = rerunnable_steps(load_workflow(session, instance, runner)) if instance.status in MOVABLE else []
        instances.append({
            "id": instance.id, "process_name": process_name, "version": version, "status": instance.status,
            "error_element": instance.error_element, "error_message": instance.error_message,
            "error_detail": instance.error_detail, "error_at": instance.error_at, "error_count": instance.error_count,
            "next_due_at": instance.next_due_at, "created_at": instance.created_at, "updated_at": instance.updated_at,
            "cancel_reason": instance.cancel_reason, "steps": steps})
    tasks = session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN)
                            .order_by(HumanTask.created_at)).all()
    roles = {task.candidate_role for task in tasks} | {"head"}
    staff = staff_by_role(session, case.agency_id, roles)
    return {
        "case": case, "instances": instances,
        "tasks": [{"id": task.id, "title": task.title, "form_key": task.form_key, "instance_id": task.instance_id,
                   "candidate_role": task.candidate_role, "assignee_id": task.assignee_id,
                   "assignee_name": task.assignee.display_name if task.assignee else None,
                   "created_at": task.created_at, "due_at": task.due_at,
                   "candidates": [c for c in staff.get(task.candidate_role, []) if c[0] != task.assignee_id]}
                  for task in tasks],
        "deadlines": [{**clock, "extension_offer": extension_offer(clock)} for clock in case_deadlines(session, case.id)],
        "heads": staff["head"],
        "review": session.scalar(select(CaseReview).where(CaseReview.case_id == case.id)),
    }
