"""Each kind of trouble is found by the monitor, each admin action fixes it and leaves an audit record, and
only a system admin may act (a supervisor reads)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidState, NotAuthorized, ValidationFailed
from engine.scheduler import tick
from engine.services import instances, monitoring, moves, timers
from engine.services.case_admin import reassign_task
from engine.services.deadlines import record_approved_extension
from engine.services.views import timeline
from engine.store.models import CaseDeadline, HumanTask, ProcessInstance
from tests.trouble import open_task_named, troubled_world

LIMITS = monitoring.Thresholds()


@pytest.fixture
def trouble(world, staff):
    staff["supervisor1"] = world.user("supervisor1", "supervisor")
    return troubled_world(world, staff)


def found(world, state, kind=None):
    with world.uow() as uow:
        listings = monitoring.trouble(uow.session, state, now=world.clock.now(), thresholds=LIMITS, kind=kind)
    return {row["case"]["id"] for listing in listings.values() for row in listing.rows}


def actions(world, case_id):
    with world.uow() as uow:
        return [(r["action"], r["actor"], r["summary"]) for r in timeline(uow.session, case_id)]


def test_every_kind_of_trouble_is_found(world, trouble):
    assert found(world, "error") == {trouble.failing}
    assert {trouble.quiet, trouble.referred} <= found(world, "overdue")
    assert found(world, "stuck", "timer_unfired") >= {trouble.quiet, trouble.referred}
    assert found(world, "stuck", "referral_unanswered") == {trouble.referred}
    assert trouble.quiet in found(world, "stuck", "task_unclaimed")
    assert found(world, "stuck", "no_progress") == {trouble.quiet, trouble.referred}  # the failed one is in error
    with world.uow() as uow:
        [error] = monitoring.errors(uow.session).rows
        health = monitoring.summary(uow.session, now=world.clock.now(), thresholds=LIMITS)
    assert error["element"] == "compute" and "division by zero" in error["message"]
    assert "ZeroDivisionError" in error["detail"] and error["count"] == 1 and error["since"] is not None
    assert health["workers"] == [] and health["timers_due"]["count"] >= 2  # nobody ticks


def test_due_soon_counts_three_working_days(world, staff):
    case_id = world.register(staff["handler1"])  # filing clock ends Friday 2026-03-20
    world.clock.set(world.clock.now().replace(day=16))  # Monday: due after the third working day
    assert case_id not in found(world, "due_soon")
    world.clock.set(world.clock.now().replace(day=17))  # Tuesday: Wed, Thu, Fri
    assert case_id in found(world, "due_soon")


def test_retry_fixes_an_engine_error(world, staff, trouble):
    with pytest.raises(NotAuthorized):
        instances.retry_instance(instance_id=trouble.failing_instance, reason="看看", actor=staff["supervisor1"],
                                 **world.deps(runner=True))
    instances.retry_instance(instance_id=trouble.failing_instance, reason="数据已核实", actor=staff["admin1"],
                             **world.deps(runner=True))
    assert found(world, "error") == set()
    assert ("instance_retried", "admin1", "重试出错的流程：数据已核实") in actions(world, trouble.failing)


def test_skipping_the_failed_step_with_the_data_it_needs_clears_the_error(world, staff, trouble):
    task = open_task_named(world, trouble.failing, "lead_check")
    with pytest.raises(InvalidState, match="未作任何更改"):  # the script fails again: nothing changes
        moves.skip_task(task_id=task.id, data={"recommendation": "file"}, reason="跳过", actor=staff["admin1"],
                        **world.deps(runner=True))
    assert world.only_task(trouble.failing).id == task.id
    moves.skip_task(task_id=task.id, data={"recommendation": "not_file", "not_file_reason": "线索不实"},
                    reason="线索不实，按不予立案处理",
                    actor=staff["admin1"], **world.deps(runner=True))
    assert world.only_task(trouble.failing).name == "investigation_report"
    assert found(world, "error") == set()
    with world.uow() as uow:
        assert uow.session.get(HumanTask, task.id).status == "skipped"
    assert ("task_skipped", "admin1", "跳过「案源初查」：线索不实，按不予立案处理") in actions(world, trouble.failing)


def test_firing_now_fixes_a_timer_the_stopped_scheduler_left(world, staff, trouble):
    with pytest.raises(ValidationFailed):
        timers.fire_now(instance_id=trouble.quiet_instance, reason=" ", actor=staff["admin1"],
                        **world.deps(runner=True))
    timers.fire_now(instance_id=trouble.quiet_instance, reason="调度器停机后补触发", actor=staff["admin1"],
                    **world.deps(runner=True))
    assert trouble.quiet not in found(world, "stuck", "timer_unfired")
    assert trouble.quiet not in found(world, "stuck", "no_progress")  # the step it took is progress
    logged = [action for action, _, _ in actions(world, trouble.quiet)]
    assert "timers_fired_manually" in logged and "deadline_warning" in logged
    with pytest.raises(InvalidState):  # nothing is due any more
        timers.fire_now(instance_id=trouble.quiet_instance, reason="再来", actor=staff["admin1"],
                        **world.deps(runner=True))


def test_a_restarted_scheduler_catches_up_and_reports_its_lag(world, staff, trouble):
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="w1")
    assert found(world, "stuck", "timer_unfired") == set()
    with world.uow() as uow:
        [worker] = monitoring.summary(uow.session, now=world.clock.now(), thresholds=LIMITS)["workers"]
    assert worker["worker"] == "w1" and worker["alive"] and worker["total_fired"] >= 2
    assert worker["lag_seconds"] > 6 * 24 * 3600  # the oldest timer was due on 03-18


def test_an_extension_approved_by_a_head_fixes_an_overdue_clock(world, staff, trouble):
    tick(database=world.database, runner=world.runner, clock=world.clock)  # flags it overdue
    extend = dict(case_id=trouble.quiet, key="filing_15wd", period=15, reason="需检测鉴定，经批准延长",
                  approver_id=staff["head1"].user_id, approval_ref="东城综执延字〔2026〕3号", **world.deps(runner=True))
    with pytest.raises(NotAuthorized):
        record_approved_extension(actor=staff["supervisor1"], **extend)
    with pytest.raises(ValidationFailed, match="批准人"):
        record_approved_extension(actor=staff["admin1"], **{**extend, "approver_id": staff["handler1"].user_id,
                                                            **world.deps(runner=True)})
    clock = record_approved_extension(actor=staff["admin1"], **{**extend, **world.deps(runner=True)})
    assert clock["status"] == "running" and clock["due"] == "2026-04-13"  # 15 WD after 03-20, past 清明
    assert clock["extensions"][0] | {"at": None} == {
        "period": 15, "reason": "需检测鉴定，经批准延长", "approved_by": "head1", "approved_by_id": staff["head1"].user_id,
        "recorded_by": "admin1", "recorded_by_id": staff["admin1"].user_id, "approval_ref": "东城综执延字〔2026〕3号",
        "at": None}
    assert trouble.quiet not in found(world, "overdue")
    extended = [s for a, actor, s in actions(world, trouble.quiet) if a == "deadline_extended"]
    assert extended and "经head1书面批准（东城综执延字〔2026〕3号）延长 15，由admin1登记" in extended[0]
    task = open_task_named(world, trouble.quiet, "lead_check")  # the task mirror moved with the clock
    assert task.due_at == datetime.fromisoformat(clock["due_at"])


def test_the_unanswered_referral_is_cleared_by_recording_an_agreed_extension(world, staff, trouble):
    assert trouble.referred in found(world, "stuck", "referral_unanswered")
    record_approved_extension(case_id=trouble.referred, key="referral_feedback_15wd", period=10,
                              reason="接收机关来函申请延期反馈", approver_id=staff["head1"].user_id,
                              approval_ref="2026-03-25 负责人批示", actor=staff["admin1"], **world.deps(runner=True))
    assert trouble.referred not in found(world, "stuck", "referral_unanswered")


def test_reassigning_an_unclaimed_task_needs_a_reason_and_is_recorded(world, staff, trouble):
    task = open_task_named(world, trouble.quiet, "lead_check")
    with pytest.raises(ValidationFailed):
        reassign_task(task_id=task.id, assignee_id=staff["handler2"].user_id, reason="", actor=staff["admin1"],
                      **world.deps())
    with pytest.raises(NotAuthorized):
        reassign_task(task_id=task.id, assignee_id=staff["handler2"].user_id, reason="x",
                      actor=staff["supervisor1"], **world.deps())
    reassign_task(task_id=task.id, assignee_id=staff["handler2"].user_id, reason="原承办人休假",
                  actor=staff["admin1"], **world.deps())
    assert trouble.quiet not in found(world, "stuck", "task_unclaimed")
    assert ("task_assigned", "admin1", "将待办「案源初查」指派给handler2：原承办人休假") in actions(world, trouble.quiet)


def test_suspending_and_resuming_move_a_case_between_lists(world, staff, trouble):
    instances.suspend_instance(instance_id=trouble.quiet_instance, reason="等待鉴定", actor=staff["admin1"],
                               **world.deps(runner=True))
    assert trouble.quiet in found(world, "suspended")
    assert trouble.quiet not in found(world, "stuck", "no_progress")
    with world.uow() as uow:
        paused = uow.session.scalar(select(CaseDeadline.status).where(CaseDeadline.case_id == trouble.quiet))
    assert paused == "paused"  # suspension tolls the agency's clocks
    world.clock.advance(timedelta(days=2))
    instances.resume_instance(instance_id=trouble.quiet_instance, reason="鉴定完成", actor=staff["admin1"],
                              **world.deps(runner=True))
    assert trouble.quiet not in found(world, "suspended")


def test_re_running_a_completed_step_reopens_it_and_withdraws_what_followed(world, staff):
    case_id = world.register(staff["handler1"])
    first = open_task_named(world, case_id, "lead_check")
    tasks_done = dict(findings="属实", recommendation="file")
    from tests.trouble import do

    do(world, case_id, "lead_check", staff["handler1"], **tasks_done)
    approval = open_task_named(world, case_id, "filing_approval")
    instance_id = approval.instance_id
    with world.uow() as uow:
        before = uow.session.get(ProcessInstance, instance_id).next_due_at
    from engine.services.case_admin import admin_case

    with world.uow() as uow:
        view = admin_case(uow.session, case_id=case_id, actor=staff["admin1"], runner=world.runner)
    [step] = view["instances"][0]["steps"]
    assert step["name"] == "lead_check"
    with pytest.raises(NotAuthorized):
        moves.rerun_step(instance_id=instance_id, step_id=step["id"], reason="x", actor=staff["head1"],
                         **world.deps(runner=True))
    moves.rerun_step(instance_id=instance_id, step_id=step["id"], reason="初查意见有误，退回重新初查",
                     actor=staff["admin1"], **world.deps(runner=True))
    reopened = world.only_task(case_id)
    assert reopened.name == "lead_check" and reopened.id != first.id
    with world.uow() as uow:
        assert uow.session.get(HumanTask, approval.id).status == "withdrawn"
        instance = uow.session.get(ProcessInstance, instance_id)
        assert instance.status == "waiting" and instance.next_due_at == before  # the warning timer is armed again
    assert ("step_rerun", "admin1", "退回重新办理「案源初查」：初查意见有误，退回重新初查") in actions(world, case_id)
    do(world, case_id, "lead_check", staff["handler2"], **tasks_done)  # and the case goes on
    assert world.only_task(case_id).name == "filing_approval"


def test_a_warning_the_scheduler_gives_is_not_progress(world, trouble):
    tick(database=world.database, runner=world.runner, clock=world.clock, heartbeat=False)
    assert trouble.quiet not in found(world, "stuck", "timer_unfired")  # the scheduler fired it
    assert "deadline_warning" in [action for action, _, _ in actions(world, trouble.quiet)]
    assert trouble.quiet in found(world, "stuck", "no_progress")  # but nobody has touched the case
