"""Instance lifecycle: deliver a message, suspend, resume, cancel with a reason, retry after an error."""
from __future__ import annotations

from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit, message_rules
from engine.actors import Actor
from engine.clock import Clock, as_utc
from engine.errors import InvalidState, NotAuthorized, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import AuditRecord, CaseDeadline, CaseDocument, ProcessDefinition, ProcessInstance
from engine.store.statuses import CaseStatus, ClockStatus, InstanceStatus
from forms import form as form_of
from forms import get as get_form
from forms.chronology import message_date_errors

from .cases import get_case_for, start_process
from .deadlines import toll_case_clocks
from .stepping import (
    ACTIVE_STATUSES, cancel_open_tasks, case_scope, ensure_active, get_instance, load_workflow, run_step,
    save_workflow, spec_reader,
)

SUPERVISING_ROLES = ("admin", "head")


def deliver_message(*, case_id: int, name: str, payload: dict, actor: Actor, uow: UnitOfWork, clock: Clock,
                    runner: WorkflowRunner) -> int:
    """Deliver a named message to the case's instance waiting for it; if none waits, start the process whose
    start event is that message (e.g. `reconsideration_filed` on a decided case). Who may deliver which message,
    when and how often is engine.message_rules. Returns the instance id."""
    if not isinstance(payload, dict):
        raise ValidationFailed("消息内容应为 JSON 对象。", fields={"_schema": ["消息内容应为 JSON 对象。"]})
    rule = message_rules.rule_for(name)
    with uow:
        case = get_case_for(uow.session, case_id, actor)
        refused = message_rules.refusal(rule, name, actor, case_agency_id=case.agency_id)
        if refused:
            raise NotAuthorized(refused)
        payload = _checked_payload(rule, payload, case=case, clock=clock)
        refused = message_rules.state_refusal(rule, **message_state(uow.session, case_id))
        if refused:
            raise InvalidState(refused)
        waiting = [instance.id for instance in _active_instances(uow.session, case_id)
                   if name in runner.waiting_message_names(load_workflow(uow.session, instance, runner))]
        starter = None if waiting else _process_started_by(uow.session, name, runner)
    if not waiting and starter is None:
        raise InvalidState(f"案件当前没有等待「{name}」消息的流程。")

    def body(session: Session) -> int:
        if waiting:
            instance = get_instance(session, waiting[0])
            ensure_active(instance)
        else:
            case = get_case_for(session, case_id, actor)
            if case.status != CaseStatus.OPEN:
                raise InvalidState("案件已经结束，不能再启动新的流程。")
            assert starter is not None  # no process waits for the message: one that it starts was found above
            instance = start_process(session, case=case, process_id=starter, data=payload, actor=actor, clock=clock,
                                     runner=runner)
        workflow = load_workflow(session, instance, runner)
        audit.record(session, clock=clock, actor=actor, action="message_delivered", case_id=case_id,
                     instance_id=instance.id, summary=_delivered_summary(rule, name, payload),
                     data={"name": name, "payload": payload})
        with case_scope(session, instance=instance, clock=clock, actor=actor):
            if not runner.deliver_message(workflow, name, payload, clock):
                raise InvalidState(f"案件当前没有等待「{name}」消息的流程。")
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
        return instance.id

    return run_step(uow, instance_id=waiting[0] if waiting else None, clock=clock, actor=actor, body=body)


def registrable_messages(*, case_id: int, actor: Actor, uow: UnitOfWork, clock: Clock,
                         runner: WorkflowRunner) -> list[message_rules.MessageRule]:
    """The party's acts this actor may register on the case now (the case page's buttons): declared, allowed
    for the actor and the case's state, and starting a process or awaited by a running one. The case page asks
    on every view, so the running instances are loaded only when a message could be awaited by one."""
    with uow:
        case = get_case_for(uow.session, case_id, actor)
        if case.status != CaseStatus.OPEN:
            return []
        candidates = [rule for rule in message_rules.RULES.values() if rule.form
                      and message_rules.refusal(rule, rule.name, actor, case_agency_id=case.agency_id) is None]
        if not candidates:
            return []
        state = message_state(uow.session, case_id)
        candidates = [rule for rule in candidates if message_rules.state_refusal(rule, **state) is None]
        if not candidates:
            return []
        waited: set[str] = set()
        if any(rule.starts is None for rule in candidates):  # only then are the running instances loaded
            waited = {name for instance in _active_instances(uow.session, case_id)
                      for name in runner.waiting_message_names(load_workflow(uow.session, instance, runner))}
        return [rule for rule in candidates
                if (rule.name in waited if rule.starts is None
                    else _process_started_by(uow.session, rule.name, runner) is not None)]


def _delivered_summary(rule, name: str, payload: dict) -> str:
    if rule is None or rule.form is None:
        return f"收到消息「{name}」"
    form = form_of(rule.form)
    facts = "，".join(f"{field.label} {payload[field.name]}" for field in form.fields if payload.get(field.name))
    return f"{rule.title}" + (f"：{facts}" if facts else "")


def message_state(session: Session, case_id: int) -> dict:
    """What engine.message_rules asks of a case: a decision made, the processes run and still running."""
    has_decision = session.execute(select(func.count()).select_from(CaseDocument).where(
        CaseDocument.case_id == case_id, CaseDocument.kind.in_(message_rules.DECISION_DOCUMENTS))).scalar_one() > 0 or any(
        (data or {}).get("decision") in message_rules.DECISION_OUTCOMES for data in session.scalars(
            select(AuditRecord.data).where(AuditRecord.case_id == case_id, AuditRecord.action == "task_completed")))
    rows = session.execute(select(ProcessDefinition.process_id, ProcessInstance.status).join(
        ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id).where(
        ProcessInstance.case_id == case_id, ProcessInstance.status != InstanceStatus.CANCELLED)).all()
    return {"has_decision": has_decision, "processes_run": {process_id for process_id, _ in rows},
            "processes_running": {process_id for process_id, status in rows if status != InstanceStatus.COMPLETED}}


def _checked_payload(rule, payload: dict, *, case, clock: Clock) -> dict:
    """The message's content checked by its form (dates in the case's order, nothing in the future); a message
    without a declared form has its dates checked."""
    context = {"now": clock.now(), "data": {"discovered_at": as_utc(case.discovered_at)}}
    form = get_form(rule.form) if rule is not None and rule.form else None
    if form is None:
        problems = message_date_errors(payload, context)
        if problems:
            raise ValidationFailed("消息中的日期有误，请按提示修改。", fields=problems)
        return payload
    try:
        cleaned = form.validate(payload, context)
    except MarshmallowError as exc:
        raise ValidationFailed("登记的内容有误，请按提示修改。", fields=exc.normalized_messages()) from exc
    return {**{key: value for key, value in payload.items() if key not in cleaned}, **cleaned}


def _process_started_by(session: Session, message: str, runner: WorkflowRunner) -> str | None:
    """The process whose newest version starts on this message."""
    newest = select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("version")) \
        .group_by(ProcessDefinition.process_id).subquery()
    rows = session.execute(select(ProcessDefinition.id, ProcessDefinition.process_id).join(
        newest, (newest.c.process_id == ProcessDefinition.process_id) & (newest.c.version == ProcessDefinition.version))
        .order_by(ProcessDefinition.process_id)).all()
    for definition_id, process_id in rows:
        if message in runner.start_message_names(definition_id, spec_reader(session, definition_id)):
            return process_id
    return None


def suspend_instance(*, instance_id: int, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                     runner: WorkflowRunner) -> None:
    """Suspend a case's process (中止): no task can be completed, no timer fires, and the agency's statutory
    clocks stop until it is resumed."""
    _require_reason(reason)

    def body(session: Session) -> None:
        instance = _supervised_instance(session, instance_id, actor)
        ensure_active(instance)
        instance.status_before_suspend, instance.status = instance.status, InstanceStatus.SUSPENDED
        instance.updated_at = clock.now()
        audit.record(session, clock=clock, actor=actor, action="instance_suspended", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"中止案件流程：{reason}", data={"reason": reason})
        toll_case_clocks(session, instance=instance, reason=f"中止：{reason}", pause=True, clock=clock, actor=actor,
                         runner=runner)

    run_step(uow, instance_id=instance_id, clock=clock, actor=actor, body=body)


def resume_instance(*, instance_id: int, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                    runner: WorkflowRunner) -> None:
    """Resume a suspended process; its clocks move on by the time they were stopped."""
    _require_reason(reason)

    def body(session: Session) -> None:
        instance = _supervised_instance(session, instance_id, actor)
        if instance.status != InstanceStatus.SUSPENDED:
            raise InvalidState("该流程没有中止，无需恢复。")
        instance.status = instance.status_before_suspend or InstanceStatus.WAITING
        instance.status_before_suspend = None
        instance.updated_at = clock.now()
        audit.record(session, clock=clock, actor=actor, action="instance_resumed", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"恢复案件流程：{reason}", data={"reason": reason})
        toll_case_clocks(session, instance=instance, reason=reason, pause=False, clock=clock, actor=actor,
                         runner=runner)

    run_step(uow, instance_id=instance_id, clock=clock, actor=actor, body=body)


def cancel_instance(*, instance_id: int, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    _require_reason(reason)
    with uow:
        session = uow.session
        instance = _supervised_instance(session, instance_id, actor)
        if instance.status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
            raise InvalidState("该流程已经结束，不能撤销。")
        now = clock.now()
        instance.status, instance.cancel_reason, instance.next_due_at = InstanceStatus.CANCELLED, reason, None
        instance.ended_at = instance.updated_at = now
        cancel_open_tasks(session, instance, clock)
        for row in session.scalars(select(CaseDeadline).where(
                CaseDeadline.instance_id == instance.id,
                CaseDeadline.status.in_((ClockStatus.RUNNING, ClockStatus.PAUSED)))):
            row.status, row.updated_at = ClockStatus.CANCELLED, now
        others = session.scalars(select(ProcessInstance.status).where(
            ProcessInstance.case_id == instance.case_id, ProcessInstance.id != instance.id)).all()
        if all(status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED) for status in others):
            instance.case.status = CaseStatus.CANCELLED
        audit.record(session, clock=clock, actor=actor, action="instance_cancelled", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"撤销案件流程：{reason}", data={"reason": reason})
        uow.commit()


def retry_instance(*, instance_id: int, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                   runner: WorkflowRunner) -> None:
    """After an error is fixed (data, definition), run the instance on from its last good state."""
    _require_reason(reason)

    def body(session: Session) -> None:
        instance = _supervised_instance(session, instance_id, actor)
        if instance.status != InstanceStatus.ERROR:
            raise InvalidState("只有出错的流程可以重试。")
        instance.status = InstanceStatus.WAITING
        workflow = load_workflow(session, instance, runner)
        instance.error_element = instance.error_message = instance.error_detail = None
        audit.record(session, clock=clock, actor=actor, action="instance_retried", case_id=instance.case_id,
                     instance_id=instance.id, summary=f"重试出错的流程：{reason}", data={"reason": reason})
        with case_scope(session, instance=instance, clock=clock, actor=actor):
            runner.fire_timers(workflow, clock)
            save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)

    run_step(uow, instance_id=instance_id, clock=clock, actor=actor, body=body)


def _active_instances(session: Session, case_id: int) -> list[ProcessInstance]:
    return list(session.scalars(select(ProcessInstance).where(
        ProcessInstance.case_id == case_id, ProcessInstance.status.in_(ACTIVE_STATUSES))
        .order_by(ProcessInstance.id)))


def _supervised_instance(session: Session, instance_id: int, actor: Actor) -> ProcessInstance:
    instance = get_instance(session, instance_id)
    if not actor.is_system:
        if not actor.has_role(*SUPERVISING_ROLES):
            raise NotAuthorized("只有负责人或管理员可以中止、恢复或撤销案件流程。")
        if actor.has_role("head") and not actor.has_role("admin") and actor.agency_id != instance.case.agency_id:
            raise NotAuthorized("不能处理其他机关的案件。")
    return instance


def _require_reason(reason: str | None) -> None:
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})
