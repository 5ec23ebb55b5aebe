"""Registering a lead as a case and starting processes on it."""
from __future__ import annotations

from sqlalchemy.orm import Session

from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError

import forms
from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.deadlines.calendar_store import load_calendar
from engine.deadlines.catalog import entry
from engine.deadlines.counting import count_period, local_day
from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import Agency, Case, ProcessInstance
from engine.store.statuses import CaseStatus, InstanceStatus

from .definitions import latest_definition
from .numbering import next_case_number
from .stepping import case_scope, run_step, save_workflow, spec_reader

LEAD_PROCESS = "lead_intake"
REGISTERING_ROLES = ("handler", "head")
FILING_CLOCK = "filing_15wd"


@dataclass(frozen=True)
class Registration:
    case_id: int
    warnings: tuple[str, ...] = ()  # accepted, but the person registering must know (and the record keeps it)


def register_case(*, data: dict, actor: Actor, uow: UnitOfWork, clock: Clock, runner: WorkflowRunner,
                  process_id: str = LEAD_PROCESS) -> int:
    """Register a lead (线索登记), number it, and start its process. Returns the case id."""
    return register_lead(data=data, actor=actor, uow=uow, clock=clock, runner=runner, process_id=process_id).case_id


def register_lead(*, data: dict, actor: Actor, uow: UnitOfWork, clock: Clock, runner: WorkflowRunner,
                  process_id: str = LEAD_PROCESS) -> Registration:
    """Register a lead as `register_case` does, and say what the registering person must be warned of."""
    if not actor.has_role(*REGISTERING_ROLES) or actor.agency_id is None:
        raise NotAuthorized("只有本机关的承办人或负责人可以登记案源。")
    try:
        cleaned = forms.form("lead_registration").validate(data, {"now": clock.now()})
    except ValidationError as exc:
        raise ValidationFailed("登记信息有误，请按提示修改。", fields=exc.normalized_messages()) from exc

    def body(session: Session) -> Registration:
        now = clock.now()
        agency = session.get_one(Agency, actor.agency_id)
        case = Case(number=next_case_number(session, agency=agency, moment=now), agency_id=agency.id,
                    source=cleaned["source"], summary=cleaned["summary"], party_name=cleaned["party_name"],
                    party_kind=cleaned["party_kind"], party_id_number=cleaned.get("party_id_number"),
                    party_address=cleaned.get("party_address"), location=cleaned.get("location"), discovered_at=datetime.fromisoformat(cleaned["discovered_at"]),
                    stage="lead", status=CaseStatus.OPEN, created_by_id=actor.user_id, created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        audit.record(session, clock=clock, actor=actor, action="case_registered", case_id=case.id,
                     summary=f"登记案源 {case.number}", data=cleaned)
        warnings = tuple(filter(None, [late_filing_warning(session, discovered_at=case.discovered_at, now=now)]))
        for warning in warnings:
            audit.record(session, clock=clock, actor=actor, action="registration_warning", case_id=case.id,
                         summary=warning, data={"discovered_at": cleaned["discovered_at"]})
        start_process(session, case=case, process_id=process_id, data=cleaned, actor=actor, clock=clock,
                      runner=runner)
        return Registration(case.id, warnings)

    return run_step(uow, instance_id=None, clock=clock, actor=actor, body=body)


def late_filing_warning(session: Session, *, discovered_at: datetime, now: datetime) -> str | None:
    """A lead registered after its filing clock already ran out (发现线索后十五个工作日) is still registered — it
    must be dealt with — but late, and the record says so."""
    filing = entry(FILING_CLOCK)
    count = count_period(load_calendar(session), start=discovered_at, period=filing.period, unit=filing.unit)
    if count.due_at > now:
        return None
    return (f"发现（收到）时间 {local_day(discovered_at).isoformat()} 距今已超过{filing.period}个工作日，"
            f"{filing.title}已于 {count.last_day.isoformat()} 届满。案源已登记，请尽快审查并在审批中说明逾期原因。")


def start_process(session: Session, *, case: Case, process_id: str, data: dict, actor: Actor, clock: Clock,
                  runner: WorkflowRunner) -> ProcessInstance:
    """Start the newest version of a process for a case, within the caller's transaction."""
    definition = latest_definition(session, process_id)
    now = clock.now()
    instance = ProcessInstance(case=case, definition_id=definition.id, status=InstanceStatus.RUNNING, state_json="{}",
                               version=1, created_at=now, updated_at=now)
    session.add(instance)
    session.flush()
    audit.record(session, clock=clock, actor=actor, action="instance_started", case_id=case.id,
                 instance_id=instance.id,
                 summary=f"启动流程「{definition.name}」（第 {definition.version} 版）",
                 data={"process_id": process_id, "version": definition.version})
    seed = {"case_id": case.id, "case_number": case.number, **data}
    with case_scope(session, instance=instance, clock=clock, actor=actor):
        workflow = runner.create(definition.id, spec_reader(session, definition.id), seed, clock)
        save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
    return instance


def get_case_for(session: Session, case_id: int, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在。")
    if not can_view_case(actor, case):
        raise NotAuthorized("无权查看其他机关的案件。")
    return case


def can_view_case(actor: Actor, case: Case) -> bool:
    return actor.is_system or actor.agency_id == case.agency_id or actor.has_role("supervisor", "admin")
