"""Registering a lead as a case and starting processes on it."""
from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError

import forms
from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import Agency, Case, ProcessInstance

from .definitions import latest_definition
from .numbering import next_case_number
from .stepping import case_scope, run_step, save_workflow, spec_reader

LEAD_PROCESS = "lead_intake"
REGISTERING_ROLES = ("handler", "head")


def register_case(*, data: dict, actor: Actor, uow: UnitOfWork, clock: Clock, runner: WorkflowRunner,
                  process_id: str = LEAD_PROCESS) -> int:
    """Register a lead (线索登记), number it, and start its process. Returns the case id."""
    if not actor.has_role(*REGISTERING_ROLES) or actor.agency_id is None:
        raise NotAuthorized("只有本机关的承办人或负责人可以登记案源。")
    try:
        cleaned = forms.get("lead_registration").validate(data)
    except ValidationError as exc:
        raise ValidationFailed("登记信息有误，请按提示修改。", fields=exc.messages) from exc

    def body(session) -> int:
        now = clock.now()
        agency = session.get(Agency, actor.agency_id)
        case = Case(number=next_case_number(session, agency=agency, moment=now), agency_id=agency.id,
                    source=cleaned["source"], summary=cleaned["summary"], party_name=cleaned["party_name"],
                    party_kind=cleaned["party_kind"], party_id_number=cleaned.get("party_id_number"),
                    party_address=cleaned.get("party_address"), location=cleaned.get("location"), discovered_at=datetime.fromisoformat(cleaned["discovered_at"]),
                    stage="lead", status="open", created_by_id=actor.user_id, created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        audit.record(session, clock=clock, actor=actor, action="case_registered", case_id=case.id,
                     summary=f"登记案源 {case.number}", data=cleaned)
        start_process(session, case=case, process_id=process_id, data=cleaned, actor=actor, clock=clock,
                      runner=runner)
        return case.id

    return run_step(uow, instance_id=None, clock=clock, actor=actor, body=body)


def start_process(session, *, case: Case, process_id: str, data: dict, actor: Actor, clock: Clock,
                  runner: WorkflowRunner) -> ProcessInstance:
    """Start the newest version of a process for a case, within the caller's transaction."""
    definition = latest_definition(session, process_id)
    now = clock.now()
    instance = ProcessInstance(case=case, definition_id=definition.id, status="running", state_json="{}",
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


def get_case_for(session, case_id: int, actor: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在。")
    if not can_view_case(actor, case):
        raise NotAuthorized("无权查看其他机关的案件。")
    return case


def can_view_case(actor: Actor, case: Case) -> bool:
    return actor.is_system or actor.agency_id == case.agency_id or actor.has_role("supervisor", "admin")
