"""A lead runs through the sample process on both databases: tasks, validation, audit, versions, lifecycle."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.clock import CHINA_TZ
from engine.errors import EngineFailure, InvalidState, NotAuthorized, TaskNotOpen, ValidationFailed
from engine.services import instances, tasks, timers
from engine.services.views import get_case_view, timeline, workable_tasks
from engine.store.models import AuditRecord, ProcessDefinition, ProcessInstance
from tests.conftest import FIXTURES


def complete(world, task, actor, data):
    return tasks.complete_task(task_id=task.id, data=data, actor=actor, **world.deps(runner=True))


def test_registering_a_lead_numbers_the_case_and_opens_the_first_task(world, staff):
    case_id = world.register(staff["handler1"])
    second = world.register(staff["handler1"])
    with world.uow() as uow:
        case = get_case_view(uow.session, case_id, staff["handler1"])
        other = get_case_view(uow.session, second, staff["handler1"])
    assert case["number"] == "东城综执案〔2026〕1号" and other["number"] == "东城综执案〔2026〕2号"
    assert case["instances"][0]["status"] == "waiting"
    assert [(t["name"], t["candidate_role"], t["form_key"]) for t in case["tasks"]] == [
        ("lead_check", "handler", "lead_check")]
    assert case["tasks"][0]["due_at"] is not None  # from the boundary reminder timer


def test_task_list_shows_my_role_queue_of_my_agency_only(world, staff):
    case_id = world.register(staff["handler1"])
    other_agency = world.agency(code="xiwan", name="西湾", prefix="西湾案")
    outsider = world.user("xiwan1", "handler", agency_id=other_agency)
    with world.uow() as uow:
        assert [t["case_id"] for t in workable_tasks(uow.session, staff["handler2"])] == [case_id]
        assert workable_tasks(uow.session, staff["head1"]) == []
        assert workable_tasks(uow.session, outsider) == []
    with pytest.raises(NotAuthorized):
        tasks.claim_task(task_id=world.only_task(case_id).id, actor=outsider, **world.deps())


def test_invalid_form_data_is_refused_with_field_errors_and_nothing_changes(world, staff):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    with world.uow() as uow:
        version_before = uow.session.scalar(select(ProcessInstance.version))
    with pytest.raises(ValidationFailed) as raised:
        complete(world, task, staff["handler1"], {"recommendation": "maybe", "findings": ""})
    assert raised.value.fields == {"findings": ["此项为必填项。"],
                                   "recommendation": ["请从以下选项中选择：建议立案、建议不予立案、适用简易程序当场处罚、"
                                                      "建议移送有管辖权的机关、建议移送司法机关。"]}
    with pytest.raises(ValidationFailed) as raised:
        complete(world, task, staff["handler1"], {"recommendation": "not_file", "findings": "无违法事实"})
    assert raised.value.fields == {"not_file_reason": ["建议不予立案时须写明理由。"]}
    assert world.only_task(case_id).id == task.id
    with world.uow() as uow:
        assert uow.session.scalar(select(ProcessInstance.version)) == version_before


def test_completing_tasks_advances_the_process_and_writes_the_full_process_record(world, staff):
    case_id = world.register(staff["handler1"])
    complete(world, world.only_task(case_id), staff["handler1"], {"findings": "属实", "recommendation": "file"})
    approval = world.only_task(case_id)
    assert (approval.name, approval.candidate_role) == ("filing_approval", "head")
    with pytest.raises(NotAuthorized):
        complete(world, approval, staff["handler1"], {"approval": "approve", "approval_opinion": "同意"})
    complete(world, approval, staff["head1"], {"approval": "approve", "approval_opinion": "同意立案"})
    report = world.only_task(case_id)
    assert report.name == "investigation_report"
    complete(world, report, staff["handler2"], {"facts": "占道经营", "evidence_summary": "照片 3 张",
                                                 "legal_basis": "《城市市容和环境卫生管理条例》第十七条",
                                                 "proposed_penalty": "warning"})
    decision = world.only_task(case_id)
    assert (decision.name, decision.candidate_role) == ("case_decision", "head")
    complete(world, decision, staff["head1"], {"decision": "penalty", "penalty_kind": "warning",
                                               "decision_text": "警告", "decision_date": "2026-03-02"})
    with world.uow() as uow:
        case = get_case_view(uow.session, case_id, staff["head1"])
        records = timeline(uow.session, case_id)
    assert case["status"] == "closed" and case["stage"] == "decided"
    assert case["instances"][0]["status"] == "completed"
    completed = [r for r in records if r["action"] == "task_completed"]
    assert [(r["actor"], r["task_title"]) for r in completed] == [
        ("handler1", "案源初查"), ("head1", "立案审批"), ("handler2", "调查终结报告"), ("head1", "处理决定")]
    assert completed[1]["data"] == {"approval": "approve", "approval_opinion": "同意立案"}
    assert records[0]["action"] == "case_registered"


def test_a_completed_task_cannot_be_completed_again(world, staff):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    complete(world, task, staff["handler1"], {"findings": "属实", "recommendation": "file"})
    with pytest.raises(TaskNotOpen):
        complete(world, task, staff["handler1"], {"findings": "属实", "recommendation": "file"})


def test_claimed_task_is_only_workable_by_its_assignee(world, staff):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    tasks.claim_task(task_id=task.id, actor=staff["handler2"], **world.deps())
    with pytest.raises(NotAuthorized, match="已由handler2认领"):
        complete(world, task, staff["handler1"], {"findings": "属实", "recommendation": "file"})
    with world.uow() as uow:
        assert workable_tasks(uow.session, staff["handler1"]) == []
    tasks.unclaim_task(task_id=task.id, actor=staff["handler2"], **world.deps())
    complete(world, task, staff["handler1"], {"findings": "属实", "recommendation": "file"})


def test_running_instance_stays_on_its_version_when_a_new_one_is_deployed(world, staff, tmp_path):
    old_case = world.register(staff["handler1"])
    changed = tmp_path / "case_lead.bpmn"
    source = FIXTURES / "case_lead.bpmn"
    changed.write_text(source.read_text(encoding="utf-8").replace("案源初查", "案源核查"), encoding="utf-8")
    row, created = world.deploy_file(changed, comment="改名")
    assert created and row.version == 2
    assert world.deploy_file(changed)[1] is False  # same content: no new version
    new_case = world.register(staff["handler1"])
    assert world.only_task(old_case).title == "案源初查"
    assert world.only_task(new_case).title == "案源核查"
    complete(world, world.only_task(old_case), staff["handler1"], {"findings": "x", "recommendation": "file"})
    with world.uow() as uow:
        versions = dict(uow.session.execute(select(ProcessInstance.case_id, ProcessDefinition.version)
                                            .join(ProcessDefinition)).all())
    assert versions == {old_case: 1, new_case: 2}


def test_suspend_blocks_work_until_resumed_and_every_change_is_audited(world, staff):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    with pytest.raises(NotAuthorized):
        instances.suspend_instance(instance_id=task.instance_id, reason="鉴定", actor=staff["handler1"],
                                   **world.deps(runner=True))
    with pytest.raises(ValidationFailed):
        instances.suspend_instance(instance_id=task.instance_id, reason=" ", actor=staff["head1"],
                                   **world.deps(runner=True))
    instances.suspend_instance(instance_id=task.instance_id, reason="委托鉴定", actor=staff["head1"],
                               **world.deps(runner=True))
    with pytest.raises(InvalidState, match="中止"):
        complete(world, task, staff["handler1"], {"findings": "x", "recommendation": "file"})
    instances.resume_instance(instance_id=task.instance_id, reason="鉴定完成", actor=staff["head1"],
                              **world.deps(runner=True))
    complete(world, task, staff["handler1"], {"findings": "x", "recommendation": "file"})
    with world.uow() as uow:
        actions = [r["action"] for r in timeline(uow.session, case_id)]
    assert "instance_suspended" in actions and "instance_resumed" in actions


def test_cancel_with_reason_withdraws_open_tasks(world, staff):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    instances.cancel_instance(instance_id=task.instance_id, reason="重复登记", actor=staff["head1"], **world.deps())
    assert world.open_tasks(case_id) == []
    with world.uow() as uow:
        case = get_case_view(uow.session, case_id, staff["head1"])
    assert case["status"] == "cancelled" and case["instances"][0]["cancel_reason"] == "重复登记"


def test_a_message_interrupts_the_waiting_task(world, staff):
    case_id = world.register(staff["handler1"])
    with pytest.raises(InvalidState):
        instances.deliver_message(case_id=case_id, name="no_such_message", payload={}, actor=staff["admin1"],
                                  **world.deps(runner=True))
    with pytest.raises(NotAuthorized):  # a message no rule declares: only an administrator's repair
        instances.deliver_message(case_id=case_id, name="lead_withdrawn", payload={"by": "举报人"},
                                  actor=staff["handler1"], **world.deps(runner=True))
    instances.deliver_message(case_id=case_id, name="lead_withdrawn", payload={"by": "举报人"},
                              actor=staff["admin1"], **world.deps(runner=True))
    assert world.open_tasks(case_id) == []
    with world.uow() as uow:
        assert get_case_view(uow.session, case_id, staff["head1"])["instances"][0]["status"] == "completed"


def test_due_timers_fire_by_the_injected_clock_exactly_once(world, staff):
    # registered Monday 2026-03-02, discovered 03-01: 15 working days end Friday 03-20; warning 3 WD before
    case_id = world.register(staff["handler1"])
    fire = lambda: timers.fire_due_timers(database=world.database, runner=world.runner, clock=world.clock)  # noqa
    world.clock.set(datetime(2026, 3, 17, 23, 0, tzinfo=CHINA_TZ))
    assert fire() == 0
    world.clock.set(datetime(2026, 3, 18, 0, 1, tzinfo=CHINA_TZ))
    assert fire() == 1
    assert fire() == 0
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditRecord)
                                  .where(AuditRecord.action == "timer_fired")) == 1
        assert [r["action"] for r in timeline(uow.session, case_id)].count("deadline_warning") == 1
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert instance.next_due_at is None
    assert world.only_task(case_id).name == "lead_check"  # the warning is non-interrupting


def test_an_engine_error_rolls_the_step_back_and_marks_the_instance(world, staff):
    world.deploy_file(FIXTURES / "failing_step.bpmn")
    case_id = world.register(staff["handler1"], process_id="failing_step")
    task = world.only_task(case_id)
    with pytest.raises(EngineFailure) as raised:
        complete(world, task, staff["handler1"], {"findings": "x", "recommendation": "file"})
    assert raised.value.element_id == "compute"
    assert world.only_task(case_id).id == task.id  # still open: the completion was rolled back
    with world.uow() as uow:
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert instance.status == "error" and instance.error_element == "compute"
        assert "division by zero" in instance.error_message
        assert not any(r["action"] == "task_completed" for r in timeline(uow.session, case_id))
        assert any(r["action"] == "instance_error" for r in timeline(uow.session, case_id))
    with pytest.raises(InvalidState, match="出错"):
        complete(world, task, staff["handler1"], {"findings": "x", "recommendation": "not_file",
                                                  "not_file_reason": "无"})
    world.clock.advance(timedelta(minutes=5))
    instances.retry_instance(instance_id=task.instance_id, reason="数据已核实", actor=staff["admin1"],
                             **world.deps(runner=True))
    complete(world, task, staff["handler1"], {"findings": "x", "recommendation": "not_file", "not_file_reason": "无"})
    assert world.only_task(case_id).name == "investigation_report"
