"""Shared mechanics of advancing an instance: save its state, mirror its user tasks, capture engine failures."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Callable, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.deadlines.calendar_store import load_calendar
from engine.deadlines.records import OPEN_STATUSES as OPEN_CLOCK_STATUSES
from engine.deadlines.scope import DeadlineScope, current_scope, deadline_scope
from engine.errors import EngineFailure, InvalidState, NotFound
from engine.roles import ROLE_TITLES, role_for_lane
from engine.runner import StepFailed, WorkflowRunner
from engine.services.case_closure import end_remaining_instances
from engine.services.duties import primary_officer
from engine.store.database import UnitOfWork
from engine.store.models import Case, CaseDeadline, HumanTask, ProcessDefinition, ProcessInstance
from engine.store.statuses import CaseStatus, InstanceStatus, TaskStatus

T = TypeVar("T")

ACTIVE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING)


def spec_reader(session: Session, definition_id: int) -> Callable[[], str]:
    return lambda: session.execute(select(ProcessDefinition.spec_json)
                                   .where(ProcessDefinition.id == definition_id)).scalar_one()


def load_workflow(session: Session, instance: ProcessInstance, runner: WorkflowRunner):
    return runner.load(instance.definition_id, spec_reader(session, instance.definition_id), instance.state_json)


def get_instance(session: Session, instance_id: int, *, for_update: bool = False, skip_locked: bool = False
                 ) -> ProcessInstance:
    query = select(ProcessInstance).where(ProcessInstance.id == instance_id).options(
        joinedload(ProcessInstance.case).lazyload(Case.agency))
    if for_update and session.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE: it keeps other writers off the instance but lets a transaction that is appending an
        # audit record about it check the foreign key (else: a deadlock with the audit chain's lock at commit)
        query = query.with_for_update(skip_locked=skip_locked, of=ProcessInstance, key_share=True)
    instance = session.scalar(query)
    if instance is None and not skip_locked:
        raise NotFound(f"流程实例 {instance_id} 不存在。")
    return cast(ProcessInstance, instance)  # None only with skip_locked: another worker holds it (timers check)


def ensure_active(instance: ProcessInstance) -> None:
    messages: dict[str, str] = {
        InstanceStatus.SUSPENDED: "案件已中止（挂起），恢复后才能继续办理。",
        InstanceStatus.ERROR: "案件流程出错，需管理员处理后才能继续办理。",
        InstanceStatus.COMPLETED: "该流程已经结束。",
        InstanceStatus.CANCELLED: "该流程已被撤销。",
    }
    if instance.status not in ACTIVE_STATUSES:
        raise InvalidState(messages.get(instance.status, f"流程状态为 {instance.status}，不能办理。"))


@contextmanager
def case_scope(session: Session, *, instance: ProcessInstance, clock: Clock, actor: Actor):
    """Bind the case being stepped, so deadline functions in scripts and timers read and write its clocks."""
    scope = DeadlineScope(session=session, case_id=instance.case_id, agency_id=instance.case.agency_id,
                          instance_id=instance.id, clock=clock, actor=actor, calendar=load_calendar(session))
    parent = current_scope()
    if parent is not None and parent.case_id == instance.case_id and parent.session is session:
        scope._rows = parent.rows()  # a process started from another one's step shares its view of the clocks
    with deadline_scope(scope):
        yield scope


def audit_deadline_events(session: Session, scope: DeadlineScope, *, clock: Clock, actor: Actor) -> None:
    for action, row, summary in scope.events:
        audit.record(session, clock=clock, actor=actor, action=action, case_id=scope.case_id,
                     instance_id=scope.instance_id, summary=summary,
                     data={"key": row.key, "due": row.due_date.isoformat(), "status": row.status})
    scope.events.clear()


def save_workflow(session: Session, *, instance: ProcessInstance, workflow, runner: WorkflowRunner, clock: Clock,
                  actor: Actor) -> list[HumanTask]:
    """Persist the workflow state, recompute status and next due moment, and mirror its user tasks."""
    now = clock.now()
    scope = current_scope()
    touched: set[str] = set()
    if scope is not None:
        touched = set(scope.changed)
        if scope.changed:
            runner.rearm_timers(workflow, scope.changed, clock)
            scope.changed.clear()
        audit_deadline_events(session, scope, clock=clock, actor=actor)
    instance.state_json = runner.dump(workflow)
    instance.updated_at = now
    if workflow.completed:
        instance.status, instance.next_due_at, instance.ended_at = InstanceStatus.COMPLETED, None, now
    else:
        instance.next_due_at = runner.next_due(workflow)
        if instance.status in ACTIVE_STATUSES:
            instance.status = InstanceStatus.WAITING
    data = runner.data(workflow)
    case = instance.case
    stage, status = case.stage, case.status
    if isinstance(data.get("case_stage"), str):
        case.stage = data["case_stage"]
    if data.get("case_closed") is True and status != CaseStatus.CLOSED:  # archived (结案归档): nothing else runs on
        end_remaining_instances(session, case_id=case.id, closing=instance, clock=clock, actor=actor)
    if (workflow.completed and _all_instances_ended(session, case, instance)) or data.get("case_closed") is True:
        case.status = CaseStatus.CLOSED  # every process ended, or the file was archived (结案归档)
    if not actor.is_system or (case.stage, case.status) != (stage, status):
        case.updated_at = now  # progress: somebody acted, or the case moved on (not a warning timer going off)
    ready = tuple(runner.ready_user_tasks(workflow))
    unchanged = (tuple(task.mirrored() for task in ready) == getattr(workflow, "zhifa_ready_when_loaded", None)
                 and not touched)
    created = [] if unchanged else sync_tasks(session, instance=instance, ready=ready, clock=clock)
    if scope is not None and scope.instance_id == instance.id:
        if touched:
            rearm_other_instances(session, case_id=case.id, keys=touched, exclude_id=instance.id, runner=runner,
                                  clock=clock, actor=actor)
        if scope.outbox:
            deliver_outbox(session, scope=scope, runner=runner, clock=clock, actor=actor)
    for task in created:
        audit.record(session, clock=clock, actor=actor, action="task_created", case_id=case.id,
                     instance_id=instance.id, task_id=task.id, task_title=task.title,
                     summary=f"生成待办「{task.title}」，由{ROLE_TITLES.get(task.candidate_role, task.candidate_role)}办理",
                     data={"candidate_role": task.candidate_role, "due_at": _iso(task.due_at)})
    return created


def rearm_other_instances(session: Session, *, case_id: int, keys: set[str], exclude_id: int, runner: WorkflowRunner,
                          clock: Clock, actor: Actor) -> None:
    """A clock moved in one process (e.g. payment paused by a reconsideration): re-arm the timers that wait on
    it in the case's other processes too."""
    for other in session.scalars(select(ProcessInstance).where(
            ProcessInstance.case_id == case_id, ProcessInstance.id != exclude_id,
            ProcessInstance.status.in_((*ACTIVE_STATUSES, InstanceStatus.SUSPENDED)))).all():
        workflow = load_workflow(session, other, runner)
        with case_scope(session, instance=other, clock=clock, actor=actor):
            if runner.rearm_timers(workflow, keys, clock):
                save_workflow(session, instance=other, workflow=workflow, runner=runner, clock=clock, actor=actor)


def deliver_outbox(session: Session, *, scope, runner: WorkflowRunner, clock: Clock, actor: Actor) -> None:
    """Deliver the messages a step sent with notify_case() to the case's other waiting processes."""
    messages, scope.outbox = list(scope.outbox), []
    for name, payload in messages:
        for other in session.scalars(select(ProcessInstance).where(
                ProcessInstance.case_id == scope.case_id, ProcessInstance.id != scope.instance_id,
                ProcessInstance.status.in_(ACTIVE_STATUSES))).all():
            workflow = load_workflow(session, other, runner)
            if name not in runner.waiting_message_names(workflow):
                continue
            with case_scope(session, instance=other, clock=clock, actor=actor):
                runner.deliver_message(workflow, name, payload, clock)
                audit.record(session, clock=clock, actor=actor, action="message_delivered", case_id=other.case_id,
                             instance_id=other.id, summary=f"流程间消息「{name}」", data={"name": name})
                save_workflow(session, instance=other, workflow=workflow, runner=runner, clock=clock, actor=actor)


def sync_tasks(session: Session, *, instance: ProcessInstance, ready, clock: Clock) -> list[HumanTask]:
    open_rows = {row.spiff_task_id: row for row in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)
        .options(lazyload("*")))}
    created = []
    lead_officer = None
    for task in ready:
        due_at, due_unit, party_side = _deadline_due(session, instance.case_id, task.deadline_keys)
        if due_at is None:
            due_at, due_unit, party_side = task.due_at, None, False
        row = open_rows.pop(task.id, None)
        if row is not None:
            row.due_at, row.due_unit, row.due_party_side = due_at, due_unit, party_side
            continue
        role = role_for_lane(task.lane) or "admin"
        if role == "handler" and lead_officer is None:
            lead_officer = primary_officer(session, instance.case_id) or 0
        row = HumanTask(id=str(uuid.uuid4()), spiff_task_id=task.id, instance_id=instance.id, case_id=instance.case_id,
                        agency_id=instance.case.agency_id, name=task.name, title=task.title, lane=task.lane,
                        candidate_role=role, form_key=task.form_key or task.name,
                        assignee_id=(lead_officer or None) if role == "handler" else None,
                        status=TaskStatus.OPEN, created_at=clock.now(), due_at=due_at, due_unit=due_unit,
                        due_party_side=party_side)
        session.add(row)
        created.append(row)
    for row in open_rows.values():  # withdrawn by the process (boundary event, cancellation)
        row.status, row.completed_at = TaskStatus.WITHDRAWN, clock.now()
    session.flush()
    return created


def _deadline_due(session: Session, case_id: int, keys: tuple[str, ...]) -> tuple:
    """A task watched by statutory clocks is due when the earliest of them is (even after its timer fired);
    a task that watches none has no due moment (it never borrows another clock's countdown). Returns the due
    moment, the unit of the clock it comes from (a working-day clock counts down in working days) and whether
    that clock is the party's."""
    if not keys:
        return None, None, False
    scope = current_scope()
    if scope is not None and scope.case_id == case_id:
        return scope.due_of(keys)
    session.flush()
    row = session.execute(select(CaseDeadline.due_at, CaseDeadline.unit, CaseDeadline.party_side).where(
        CaseDeadline.case_id == case_id, CaseDeadline.status.in_(OPEN_CLOCK_STATUSES), CaseDeadline.key.in_(keys))
        .order_by(CaseDeadline.due_at).limit(1)).first()
    return (row.due_at, row.unit, row.party_side) if row else (None, None, False)


def cancel_open_tasks(session: Session, instance: ProcessInstance, clock: Clock) -> None:
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.status == TaskStatus.OPEN).options(lazyload("*"))):
        row.status, row.completed_at = TaskStatus.WITHDRAWN, clock.now()


def run_step(uow: UnitOfWork, *, instance_id: int | Callable[[], int | None] | None, clock: Clock, actor: Actor,
             body: Callable[[Session], T]) -> T:
    """Run `body(session)` in one transaction. If the engine fails, roll it all back, then record the failure
    on the instance (status `error`, element, message) in a transaction of its own, and raise EngineFailure;
    a refusal by the law of what a person asked in the step (an extension beyond it) is raised as it is.
    `instance_id` may be a callable, for a body that finds out which instance it steps as it goes."""
    try:
        with uow:
            result = body(uow.session)
            uow.commit()
            return result
    except StepFailed as failure:
        if failure.refusal is not None and not actor.is_system:
            raise failure.refusal from None  # the law refused what this person asked: rolled back, nothing recorded
        if callable(instance_id):
            instance_id = instance_id()
        if instance_id is not None:
            record_failure(uow, instance_id=instance_id, failure=failure, clock=clock, actor=actor)
        raise EngineFailure("流程在办理这一步时出错，本次操作没有生效，案件保持原状；已记录并通知系统管理员"
                            "（见“管理与监督”的流程错误）。请不要反复提交同样的内容，待管理员处理后再办理。",
                            element_id=failure.element_id, instance_id=instance_id,
                            detail=failure.message) from failure


def record_failure(uow: UnitOfWork, *, instance_id: int, failure: StepFailed, clock: Clock, actor: Actor) -> None:
    with uow:
        instance = get_instance(uow.session, instance_id)
        instance.status = InstanceStatus.ERROR
        instance.error_element = failure.element_id
        instance.error_message = failure.message
        instance.error_detail = failure.detail[-8000:]
        instance.error_at = clock.now()
        instance.error_count = (instance.error_count or 0) + 1
        instance.claimed_by = instance.claim_expires_at = None
        audit.record(uow.session, clock=clock, actor=actor, action="instance_error", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"流程出错：{failure.message}",
                     data={"element_id": failure.element_id, "message": failure.message})
        uow.commit()


def _all_instances_ended(session: Session, case, current: ProcessInstance) -> bool:
    others = session.scalars(select(ProcessInstance.status).where(
        ProcessInstance.case_id == case.id, ProcessInstance.id != current.id)).all()
    return all(status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED) for status in others)


def _iso(moment):
    return moment.isoformat() if moment else None
