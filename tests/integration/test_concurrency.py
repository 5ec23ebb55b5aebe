"""Two requests racing on one instance: one wins, the other gets a clear conflict, nothing is half-written."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.errors import ConcurrencyConflict, TaskNotOpen
from engine.services import stepping, tasks
from engine.services.views import timeline
from engine.store.models import AuditRecord, HumanTask, ProcessInstance

DATA = {"findings": "属实", "recommendation": "file"}


def test_two_threads_completing_the_same_task_give_one_success_and_one_conflict(world, staff, monkeypatch):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    both_loaded = threading.Barrier(2, timeout=10)
    original = stepping.load_workflow

    def load_then_wait(session, instance, runner):
        workflow = original(session, instance, runner)
        both_loaded.wait()  # both requests have read the same version before either writes
        return workflow

    monkeypatch.setattr(tasks, "load_workflow", load_then_wait)
    outcomes = []

    def work(actor):
        try:
            tasks.complete_task(task_id=task.id, data=DATA, actor=actor, **world.deps(runner=True))
            outcomes.append("ok")
        except (ConcurrencyConflict, TaskNotOpen) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=work, args=(staff[name],)) for name in ("handler1", "handler2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["ConcurrencyConflict", "ok"]
    with world.uow() as uow:
        session = uow.session
        assert session.scalar(select(func.count()).select_from(HumanTask)
                              .where(HumanTask.name == "filing_approval")) == 1
        assert session.scalar(select(func.count()).select_from(AuditRecord)
                              .where(AuditRecord.action == "task_completed")) == 1
        assert session.scalar(select(HumanTask.status).where(HumanTask.id == task.id)) == "completed"


def test_a_crash_mid_step_leaves_the_previous_state_intact(world, staff, monkeypatch):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    with world.uow() as uow:
        before = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        records_before = len(timeline(uow.session, case_id))

    def crash(session, **kwargs):
        session.flush()  # the task row and the audit record were already written in this transaction
        raise RuntimeError("worker died mid-step")

    monkeypatch.setattr(tasks, "save_workflow", crash)
    with pytest.raises(RuntimeError):
        tasks.complete_task(task_id=task.id, data=DATA, actor=staff["handler1"], **world.deps(runner=True))
    with world.uow() as uow:
        after = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert (after.version, after.state_json, after.status) == (before.version, before.state_json, before.status)
        assert len(timeline(uow.session, case_id)) == records_before
    monkeypatch.undo()
    assert world.only_task(case_id).id == task.id
    tasks.complete_task(task_id=task.id, data=DATA, actor=staff["handler1"], **world.deps(runner=True))
    assert world.only_task(case_id).name == "filing_approval"


def test_concurrent_registrations_get_distinct_case_numbers(world, staff):
    numbers, errors = [], []

    def register():
        try:
            numbers.append(world.register(staff["handler1"]))
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with world.uow() as uow:
        from engine.store.models import Case
        assert sorted(uow.session.scalars(select(Case.number))) == sorted(
            f"东城综执案〔2026〕{n}号" for n in range(1, 7))
