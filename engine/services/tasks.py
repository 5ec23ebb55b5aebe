"""Working human tasks: list, claim, unclaim, assign, complete with validated form data."""
from __future__ import annotations

from marshmallow import ValidationError
from typing import cast

from sqlalchemy import CursorResult, and_, delete, or_, select, update
from sqlalchemy.orm import Session, lazyload

import forms
from engine import audit
from engine.actors import Actor
from engine.checks import run_check
from engine.clock import Clock, as_utc
from engine.errors import NotAuthorized, NotFound, TaskNotOpen, ValidationFailed
from engine.roles import ROLE_TITLES
from engine.runner import WorkflowRunner
from engine.payments import case_amount_due
from engine.store.database import UnitOfWork
from engine.store.models import HumanTask, TaskDraft, User
from engine.store.statuses import TaskStatus

from .task_documents import issue_task_documents
from .duties import take_duty
from .lead_officer import change_lead_officer
from .stepping import case_scope, ensure_active, get_instance, load_workflow, run_step, save_workflow


# nearest due first, tasks without a due moment last, then oldest first
WORKABLE_ORDER = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)


def workable_tasks_query(actor: Actor, *columns):
    """Open tasks the actor can work: assigned to them, or unassigned in their role's queue in their agency."""
    return select(*(columns or (HumanTask,))).where(
        HumanTask.status == TaskStatus.OPEN,
        or_(HumanTask.assignee_id == actor.user_id,
            and_(HumanTask.assignee_id.is_(None), HumanTask.candidate_role.in_(actor.roles),
                 HumanTask.agency_id == actor.agency_id)),
    ).order_by(*WORKABLE_ORDER)


def open_task(session: Session, task_id: str) -> HumanTask:
    # case and assignee load only if used: a refusal message needs them, the happy path does not
    task = session.get(HumanTask, task_id, options=[lazyload(HumanTask.case), lazyload(HumanTask.assignee)])
    if task is None:
        raise NotFound("待办任务不存在。")
    if task.status != TaskStatus.OPEN:
        raise TaskNotOpen(f"任务「{task.title}」已经办结或已撤回，不能再次办理。")
    return task


def ensure_can_work(task: HumanTask, actor: Actor) -> None:
    if task.agency_id != actor.agency_id:
        raise NotAuthorized("这是其他机关的任务。")
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        name = task.assignee.display_name if task.assignee else "他人"
        raise NotAuthorized(f"任务「{task.title}」已由{name}认领。")
    if task.candidate_role not in actor.roles:
        role = ROLE_TITLES.get(task.candidate_role, task.candidate_role)
        raise NotAuthorized(f"任务「{task.title}」应由{role}办理。")


def claim_task(*, task_id: str, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        session = uow.session
        task = open_task(session, task_id)
        ensure_can_work(task, actor)
        if task.assignee_id == actor.user_id:
            return
        claimed = cast(CursorResult, session.execute(update(HumanTask).where(
            HumanTask.id == task_id, HumanTask.status == TaskStatus.OPEN, HumanTask.assignee_id.is_(None),
        ).values(assignee_id=actor.user_id))).rowcount
        if not claimed:
            raise TaskNotOpen("该任务刚被他人认领或已办结。")
        audit.record(session, clock=clock, actor=actor, action="task_claimed", case_id=task.case_id,
                     instance_id=task.instance_id, task_id=task.id, task_title=task.title,
                     summary=f"认领待办「{task.title}」")
        uow.commit()


def unclaim_task(*, task_id: str, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        session = uow.session
        task = open_task(session, task_id)
        if task.assignee_id != actor.user_id and not (actor.has_role("head") and task.agency_id == actor.agency_id):
            raise NotAuthorized("只能退回自己认领的任务。")
        task.assignee_id = None
        audit.record(session, clock=clock, actor=actor, action="task_unclaimed", case_id=task.case_id,
                     instance_id=task.instance_id, task_id=task.id, task_title=task.title,
                     summary=f"退回待办「{task.title}」到{ROLE_TITLES.get(task.candidate_role, '')}队列")
        uow.commit()


def assign_task(*, task_id: str, assignee_id: int, actor: Actor, uow: UnitOfWork, clock: Clock,
                reason: str | None = None, change_lead: bool = False) -> None:
    """A head gives a task of their agency to a named colleague who holds the task's role; a system admin may
    do so in any agency (the admin console requires a reason, which the record keeps). `change_lead`: the
    colleague becomes the case's lead officer too, and the lead's later tasks follow (lead_officer)."""
    with uow:
        session = uow.session
        task = open_task(session, task_id)
        if not (actor.has_role("admin") or (actor.has_role("head") and task.agency_id == actor.agency_id)):
            raise NotAuthorized("只有本机关负责人或系统管理员可以指派任务。")
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_active or assignee.agency_id != task.agency_id \
                or task.candidate_role not in assignee.role_ids:
            raise ValidationFailed("被指派人须为本机关具有相应角色的在岗人员。",
                                   fields={"assignee_id": ["被指派人不符合条件。"]})
        previous = task.assignee_id
        task.assignee_id = assignee.id
        audit.record(session, clock=clock, actor=actor, action="task_assigned", case_id=task.case_id,
                     instance_id=task.instance_id, task_id=task.id, task_title=task.title,
                     summary=f"将待办「{task.title}」指派给{assignee.display_name}" + (f"：{reason}" if reason else ""),
                     data={"from": previous, "to": assignee.id, **({"reason": reason} if reason else {})})
        if change_lead:
            change_lead_officer(session, task=task, new_lead=assignee, actor=actor, clock=clock)
        uow.commit()


def case_facts(case, process_data: dict) -> dict:
    """What a typed date is checked against (forms.chronology): the process data so far, and the case record's
    moment of discovery."""
    return {**process_data, "discovered_at": as_utc(case.discovered_at)}


def complete_task(*, task_id: str, data: dict, actor: Actor, uow: UnitOfWork, clock: Clock,
                  runner: WorkflowRunner) -> int:
    """Validate the form data, complete the task, and run the process to its next wait state.

    Returns the case id. Two concurrent completions of one task give one success and one ConcurrencyConflict
    (or TaskNotOpen); an engine failure rolls everything back and puts the instance in `error`.
    """
    stepped: dict[str, int] = {}  # the instance a failure is recorded on

    def body(session: Session) -> int:
        task = open_task(session, task_id)
        stepped["instance_id"] = task.instance_id
        ensure_can_work(task, actor)
        instance = get_instance(session, task.instance_id)
        ensure_active(instance)
        form = forms.get(task.form_key)
        if form is None:
            raise ValidationFailed(f"任务表单 {task.form_key} 不存在，请联系流程设计人员。")
        workflow = load_workflow(session, instance, runner)
        ready = runner.find_ready_task(workflow, task.spiff_task_id)
        if ready is None:
            raise TaskNotOpen(f"任务「{task.title}」在流程中已不是待办状态。")
        process_data = dict(ready.data)
        properties = dict(ready.task_spec.extensions or {})
        case = instance.case
        try:
            cleaned = form.validate(data, {"party_kind": case.party_kind, "data": case_facts(case, process_data),
                                           "now": clock.now(),
                                           "amount_due": lambda on: case_amount_due(session, case.id, on=on)})
        except ValidationError as exc:
            raise ValidationFailed("表单填写有误，请按提示修改。", fields=exc.normalized_messages()) from exc
        if properties.get("duty"):
            take_duty(session, case_id=case.id, actor=actor, duty=properties["duty"], clock=clock)
        cleaned.update(run_check(properties.get("check"), session, case=case, data=cleaned, actor=actor, clock=clock))
        now = clock.now()
        if isinstance(cleaned.get("legal_basis"), str) and cleaned["legal_basis"].strip():
            case.legal_basis = cleaned["legal_basis"].strip()  # what the case list searches as the matter
        session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id))
        task.status, task.completed_at, task.completed_by_id = TaskStatus.COMPLETED, now, actor.user_id
        if task.assignee_id is None:
            task.assignee_id = actor.user_id
        audit.record(session, clock=clock, actor=actor, action="task_completed", case_id=task.case_id,
                     instance_id=instance.id, task_id=task.id, task_title=task.title,
                     summary=f"办结「{task.title}」", data=cleaned)
        with case_scope(session, instance=instance, clock=clock, actor=actor):
            runner.complete_task(workflow, task.spiff_task_id, cleaned, clock)
            issue_task_documents(session, kinds=properties.get("document"), case=case, data={**process_data, **cleaned},
                                 actor=actor, clock=clock, instance_id=instance.id, task_id=task.id)
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
        return task.case_id

    return run_step(uow, instance_id=lambda: stepped.get("instance_id"), clock=clock, actor=actor, body=body)
