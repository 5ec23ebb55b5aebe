"""Statutory clocks on real cases: started by the process, explained, tolled, extended, overdue, escalated."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.calendar import DayEntry
from engine.clock import CHINA_TZ
from engine.errors import NotAuthorized, ValidationFailed
from engine.scheduler import tick
from engine.services import deadlines, instances, tasks
from engine.services.views import get_case_view, timeline
from engine.store.models import ProcessInstance


def complete(world, task, actor, data):
    tasks.complete_task(task_id=task.id, data=data, actor=actor, **world.deps(runner=True))


def case_json(world, case_id, actor):
    with world.uow() as uow:
        return get_case_view(uow.session, case_id, actor)


def clock_of(world, case_id, actor, key):
    return next(d for d in case_json(world, case_id, actor)["deadlines"] if d["key"] == key)


def file_case(world, staff, discovered="2025-07-01T09:00:00+08:00"):
    """Register a lead and have the head file it on Thursday 2025-07-03."""
    world.clock.set(datetime(2025, 7, 2, 9, tzinfo=CHINA_TZ))
    case_id = world.register(staff["handler1"], discovered_at=discovered)
    complete(world, world.only_task(case_id), staff["handler1"], {"findings": "属实", "recommendation": "file"})
    world.clock.set(datetime(2025, 7, 3, 10, tzinfo=CHINA_TZ))
    complete(world, world.only_task(case_id), staff["head1"], {"approval": "approve", "approval_opinion": "同意"})
    return case_id


def run_scheduler(world):
    return tick(database=world.database, runner=world.runner, clock=world.clock)


def test_registration_starts_the_filing_clock_with_its_explanation(world, staff):
    case_id = world.register(staff["handler1"])  # discovered Sunday 2026-03-01
    filing = clock_of(world, case_id, staff["handler1"], "filing_15wd")
    assert filing["due"] == "2026-03-20" and filing["status"] == "running" and filing["unit"] == "workday"
    assert filing["provisional"] is False
    assert filing["explanation"].startswith("发现线索或收到材料 2026-03-01 起 15个工作日，届满日 2026-03-20")
    assert "第十八条" in filing["legal_basis"]
    assert set(filing) >= {"key", "title", "start", "due", "unit", "status", "provisional", "legal_basis",
                           "explanation"}
    assert world.only_task(case_id).due_at is None or world.only_task(case_id).name == "lead_check"


def test_filing_meets_the_filing_clock_and_starts_the_90_day_clock(world, staff):
    case_id = file_case(world, staff)
    assert clock_of(world, case_id, staff["head1"], "filing_15wd")["status"] == "met"
    decision = clock_of(world, case_id, staff["head1"], "decision_90d")
    assert decision["due"] == "2025-10-09" and decision["strict_due"] == "2025-10-01"
    assert decision["explanation"] == ("立案 2025-07-03 起 90日，届满日 10-01 为法定节假日（国庆节），顺延至 2025-10-09；"
                                       "机关宜于 10-01 前办结（行政处罚法第六十条）")
    report = world.only_task(case_id)
    assert report.name == "investigation_report"
    assert report.due_at == datetime(2025, 10, 10, tzinfo=CHINA_TZ)  # 24:00 of 10-09


def test_an_untouched_case_is_warned_then_overdue_and_the_head_gets_an_escalation(world, staff):
    case_id = file_case(world, staff)
    # warning: 3 working days before 10-09 counting the last day → from 00:00 on 09-29
    world.clock.set(datetime(2025, 9, 28, 23, 59, tzinfo=CHINA_TZ))
    assert run_scheduler(world).timers_fired == 0
    world.clock.set(datetime(2025, 9, 29, 0, 1, tzinfo=CHINA_TZ))
    assert run_scheduler(world).timers_fired == 1
    assert clock_of(world, case_id, staff["head1"], "decision_90d")["status"] == "running"
    assert [t.name for t in world.open_tasks(case_id)] == ["investigation_report"]

    world.clock.set(datetime(2025, 10, 10, 0, 0, 1, tzinfo=CHINA_TZ))
    result = run_scheduler(world)
    assert (result.timers_fired, result.deadlines_overdue) == (1, 1)
    assert clock_of(world, case_id, staff["head1"], "decision_90d")["status"] == "overdue"
    names = sorted((t.name, t.candidate_role) for t in world.open_tasks(case_id))
    assert names == [("investigation_report", "handler"), ("overdue_escalation", "head")]
    with world.uow() as uow:
        actions = [r["action"] for r in timeline(uow.session, case_id)]
    assert actions.count("deadline_warning") == 1 and actions.count("deadline_overdue") == 1

    # the head approves 30 more days: 07-03 + 120 days = Friday 10-31, and the clock runs again
    escalation = next(t for t in world.open_tasks(case_id) if t.name == "overdue_escalation")
    with pytest.raises(ValidationFailed):
        complete(world, escalation, staff["head1"], {"escalation_action": "extend", "escalation_opinion": "复杂"})
    complete(world, escalation, staff["head1"], {"escalation_action": "extend", "extension_days": 30,
                                                 "escalation_opinion": "案情复杂，需补充鉴定"})
    decision = clock_of(world, case_id, staff["head1"], "decision_90d")
    assert (decision["status"], decision["due"]) == ("running", "2025-10-31")
    assert decision["extensions"][0]["approved_by"] == "head1"
    assert "经head1批准延长 30日（案情复杂，需补充鉴定）" in decision["explanation"]
    assert world.only_task(case_id).due_at == datetime(2025, 11, 1, tzinfo=CHINA_TZ)


def test_suspending_for_ten_days_moves_the_due_date_by_ten_days(world, staff):
    case_id = file_case(world, staff)
    instance_id = world.only_task(case_id).instance_id
    world.clock.set(datetime(2025, 8, 4, 9, tzinfo=CHINA_TZ))
    instances.suspend_instance(instance_id=instance_id, reason="委托鉴定", actor=staff["head1"],
                               **world.deps(runner=True))
    paused = clock_of(world, case_id, staff["head1"], "decision_90d")
    assert paused["status"] == "paused"
    with world.uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        assert instance.next_due_at is None  # no timer may fire on a stopped clock
    world.clock.set(datetime(2025, 8, 14, 15, tzinfo=CHINA_TZ))
    instances.resume_instance(instance_id=instance_id, reason="鉴定意见已出具", actor=staff["head1"],
                              **world.deps(runner=True))
    resumed = clock_of(world, case_id, staff["head1"], "decision_90d")
    # 07-03 + 90 + 10 days = 10-11, a make-up working Saturday in 2025: no roll-forward needed
    assert (resumed["status"], resumed["strict_due"], resumed["due"]) == ("running", "2025-10-11", "2025-10-11")
    assert resumed["tolled"][0]["days"] == 10 and "中止：委托鉴定" in resumed["tolled"][0]["reason"]
    assert "不计入 10日（中止：委托鉴定）" in resumed["explanation"]
    assert world.only_task(case_id).due_at == datetime(2025, 10, 12, tzinfo=CHINA_TZ)
    with world.uow() as uow:
        actions = [r["action"] for r in timeline(uow.session, case_id)]
        assert uow.session.get(ProcessInstance, instance_id).next_due_at is not None
    assert "deadline_paused" in actions and "deadline_resumed" in actions


def test_party_side_clocks_are_not_paused_by_the_agencys_suspension(world, staff):
    from engine.deadlines.scope import deadline_scope, DeadlineScope, start_deadline
    from engine.deadlines.calendar_store import load_calendar

    case_id = file_case(world, staff)
    with world.uow() as uow:
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        scope = DeadlineScope(session=uow.session, case_id=case_id, agency_id=world.agency_id,
                              instance_id=instance.id, clock=world.clock, actor=staff["head1"],
                              calendar=load_calendar(uow.session))
        with deadline_scope(scope):
            start_deadline("payment_15d")
        uow.commit()
    instances.suspend_instance(instance_id=instance.id, reason="中止", actor=staff["head1"], **world.deps(runner=True))
    assert clock_of(world, case_id, staff["head1"], "payment_15d")["status"] == "running"
    assert clock_of(world, case_id, staff["head1"], "decision_90d")["status"] == "paused"


def test_only_a_head_extends_and_with_a_reason(world, staff):
    case_id = file_case(world, staff)
    with pytest.raises(NotAuthorized):
        deadlines.extend_case_deadline(case_id=case_id, key="decision_90d", period=30, reason="复杂",
                                       actor=staff["handler1"], **world.deps(runner=True))
    with pytest.raises(ValidationFailed) as raised:
        deadlines.extend_case_deadline(case_id=case_id, key="decision_90d", period=0, reason="",
                                       actor=staff["head1"], **world.deps(runner=True))
    assert set(raised.value.fields) == {"period", "reason"}
    extended = deadlines.extend_case_deadline(case_id=case_id, key="decision_90d", period=30, reason="案情复杂",
                                              actor=staff["head1"], **world.deps(runner=True))
    assert extended["due"] == "2025-10-31"
    assert world.only_task(case_id).due_at == datetime(2025, 11, 1, tzinfo=CHINA_TZ)


def test_an_agency_may_configure_only_the_configurable_periods(world, staff):
    with pytest.raises(ValidationFailed):
        deadlines.configure_deadline(agency_id=world.agency_id, key="payment_15d", period=20, actor=staff["admin1"],
                                     **world.deps())
    with pytest.raises(NotAuthorized):
        deadlines.configure_deadline(agency_id=world.agency_id, key="filing_15wd", period=10, actor=staff["head1"],
                                     **world.deps())
    deadlines.configure_deadline(agency_id=world.agency_id, key="filing_15wd", period=10, actor=staff["admin1"],
                                 **world.deps())
    case_id = world.register(staff["handler1"])  # discovered 2026-03-01: 10 working days → 03-13
    assert clock_of(world, case_id, staff["handler1"], "filing_15wd")["due"] == "2026-03-13"


def test_a_lead_in_a_year_without_holiday_data_is_provisional_until_the_admin_imports_it(world, staff):
    world.clock.set(datetime(2027, 9, 27, 9, tzinfo=CHINA_TZ))
    case_id = world.register(staff["handler1"], discovered_at="2027-09-27T09:00:00+08:00")
    filing = clock_of(world, case_id, staff["handler1"], "filing_15wd")
    assert filing["provisional"] is True and "2027 年节假日安排尚未录入" in filing["explanation"]

    national_day = [DayEntry(date(2027, 10, d), False, "国庆节") for d in range(1, 8)]
    with pytest.raises(NotAuthorized):
        deadlines.import_calendar_year(year=2027, days=national_day, confirmed=True, source="国办发明电",
                                       actor=staff["head1"], **world.deps())
    deadlines.import_calendar_year(year=2027, days=national_day, confirmed=True, source="国办发明电",
                                   actor=staff["admin1"], **world.deps())
    later = world.register(staff["handler1"], discovered_at="2027-09-27T09:00:00+08:00")
    fresh = clock_of(world, later, staff["handler1"], "filing_15wd")
    assert fresh["provisional"] is False and fresh["due"] > filing["due"]
    assert fresh["calendar_version"] != filing["calendar_version"]


def test_the_api_lists_deadlines_and_extends_them(world, staff):
    from webapp import create_app
    from engine.services.users import issue_token

    case_id = file_case(world, staff)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "ZHIFA_DATABASE": world.database,
                      "ZHIFA_CLOCK": world.clock})
    client = app.test_client()
    head = {"Authorization": f"Bearer {issue_token(username='head1', **world.deps())}"}
    body = client.get(f"/api/v1/cases/{case_id}", headers=head).json
    assert [d["key"] for d in body["deadlines"]] == ["filing_15wd", "decision_90d"]
    response = client.post(f"/api/v1/cases/{case_id}/deadlines/decision_90d/extend",
                           json={"period": "thirty", "reason": "x"}, headers=head)
    assert response.status_code == 422 and "period" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/cases/{case_id}/deadlines/decision_90d/extend",
                           json={"period": 30, "reason": "案情复杂"}, headers=head)
    assert response.status_code == 200 and response.json["due"] == "2025-10-31"
    catalog = client.get("/api/v1/deadline-catalog", headers=head).json["deadlines"]
    assert any(d["key"] == "decision_90d" and d["legal_basis"] == "行政处罚法第六十条" for d in catalog)
    listed = {d["key"]: d for d in catalog}
    assert {"onsite_collection_deposit_2wd", "reconsideration_copy_7wd", "reconsideration_simplified_copy_3wd",
            "reconsideration_simplified_reply_5wd", "reconsideration_simplified_decision_30d",
            "reconsideration_application_longstop_1y", "lawsuit_longstop_1y"} <= set(listed)
    assert listed["lawsuit_longstop_1y"]["unit"] == "year" and listed["lawsuit_longstop_1y"]["party_side"] is True
    assert "第五条第二款" in listed["crime_transfer_24h"]["legal_basis"]


def test_a_task_without_its_own_timer_shows_no_clock_not_the_cases_nearest(world, staff):
    case_id = world.register(staff["handler1"])  # filing clock: 15 working days from 2026-03-01 → 03-20
    complete(world, world.only_task(case_id), staff["handler1"], {"findings": "属实", "recommendation": "file"})
    approval = world.only_task(case_id)
    assert approval.name == "filing_approval"
    assert approval.due_at is None  # the filing clock runs on the case, but no timer of this step watches it
