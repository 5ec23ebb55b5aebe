"""Builders of the trouble the admin console exists to find: an engine error, an overdue deadline, a timer left
unfired by a stopped scheduler, an unanswered referral, a task nobody claims, a case without progress.

`troubled_world` makes them all on one timeline: three cases registered on Monday 2026-03-02, then the clock
jumps to Wednesday 2026-03-25 without a scheduler tick (the scheduler is "stopped").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.clock import CHINA_TZ
from engine.errors import EngineFailure
from engine.services import tasks
from engine.store.models import HumanTask, ProcessInstance
from tests.conftest import FIXTURES, START

LATER = datetime(2026, 3, 25, 9, 0, tzinfo=CHINA_TZ)  # filing clock (due 03-20) and referral feedback (03-23) past


@dataclass
class Troubled:
    quiet: int  # case_lead, untouched: filing clock overdue, warning timer unfired, task unclaimed, no progress
    quiet_instance: int
    failing: int  # failing_step: the engine failed at `compute`
    failing_instance: int
    referred: int  # lead_intake → referral_out: the receiving agency never fed back
    referral_instance: int


def do(world, case_id: int, name: str, actor, **data) -> None:
    task = next(t for t in world.open_tasks(case_id) if t.name == name)
    tasks.complete_task(task_id=task.id, data=data, actor=actor, **world.deps(runner=True))


def instance_of(world, case_id: int, process_id: str | None = None) -> int:
    from engine.store.models import ProcessDefinition

    with world.uow() as uow:
        query = select(ProcessInstance.id).join(ProcessDefinition).where(ProcessInstance.case_id == case_id)
        if process_id:
            query = query.where(ProcessDefinition.process_id == process_id)
        return uow.session.scalar(query.order_by(ProcessInstance.id.desc()).limit(1))


def engine_error(world, staff) -> int:
    world.deploy_file(FIXTURES / "failing_step.bpmn")
    case_id = world.register(staff["handler1"], process_id="failing_step")
    try:
        do(world, case_id, "lead_check", staff["handler1"], findings="属实", recommendation="file")
    except EngineFailure:
        pass
    else:  # pragma: no cover - the fixture must fail
        raise AssertionError("failing_step did not fail")
    return case_id


def referral_awaiting_feedback(world, staff) -> int:
    handler, head = staff["handler1"], staff["head1"]
    case_id = world.register(handler, process_id="lead_intake", source="patrol")
    do(world, case_id, "lead_check", handler, findings="属生态环境部门管辖", recommendation="refer_out",
       referral_target="县生态环境分局", urgent="no")
    do(world, case_id, "filing_approval", head, approval="approve", approval_opinion="同意移送")
    do(world, case_id, "referral_letter", handler, referral_target="县生态环境分局", referral_reason="涉嫌环境违法",
       referral_materials="线索登记表、现场照片", urgent="no")
    do(world, case_id, "referral_approval", head, referral_approval="approve", referral_approval_opinion="同意")
    return case_id


def troubled_world(world, staff) -> Troubled:
    world.clock.set(START)
    quiet = world.register(staff["handler1"])
    failing = engine_error(world, staff)
    referred = referral_awaiting_feedback(world, staff)
    world.clock.set(LATER)
    return Troubled(quiet=quiet, quiet_instance=instance_of(world, quiet), failing=failing,
                    failing_instance=instance_of(world, failing), referred=referred,
                    referral_instance=instance_of(world, referred, "referral_out"))


def open_task_named(world, case_id: int, name: str) -> HumanTask:
    return next(t for t in world.open_tasks(case_id) if t.name == name)
