"""A case keeps its own chronology: dates typed out of order, or ahead of the clock, are refused before anything is
saved; a lead registered after its filing clock already ran out is accepted with a warning the record keeps."""
from __future__ import annotations

import pytest

from sqlalchemy import func, select

from engine.errors import ValidationFailed
from engine.services import cases, moves
from engine.services.views import timeline
from engine.store.models import Case

from .test_paths import file_and_investigate

DECIDE = dict(decision="penalty", penalty_kind="fine", fine_amount=50000, decision_text="罚款伍万元")


def noticed(case):
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")
    return case


def refused(case, task: str, username: str, **data) -> dict:
    with pytest.raises(ValidationFailed) as raised:
        case.do(task, username, **data)
    return raised.value.fields


def test_a_discovery_in_the_future_is_refused_at_registration(world, staff, new_case):
    with pytest.raises(ValidationFailed) as raised:
        new_case(discovered_at="2030-01-01T10:00:00+08:00")
    assert "发现（收到）时间 2030-01-01 10:00 晚于当前时间 2026-03-02 09:00" in raised.value.fields["discovered_at"][0]
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(Case.id))) == 0  # nothing was saved


def test_a_notice_served_after_the_decision_date_is_refused(new_case):
    case = noticed(new_case())
    fields = refused(case, "penalty_decision", "head1", **DECIDE, decision_date="2026-03-09")
    assert fields == {"decision_date": ["决定日期 2026-03-09 早于事先告知书送达日期 2026-03-10。"]}
    assert case.clock("decision_90d")["status"] == "running" and case.open_tasks() == ["penalty_decision"]


def test_a_service_before_the_decision_is_refused_and_the_payment_clock_does_not_start(new_case):
    case = noticed(new_case())
    case.do("penalty_decision", "head1", **DECIDE, decision_date="2026-03-18")
    fields = refused(case, "service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-01")
    assert fields == {"served_at": ["送达日期 2026-03-01 早于决定日期 2026-03-18。"]}
    assert "payment_15d" not in [d["key"] for d in case.view()["deadlines"]]
    assert "service" in case.open_tasks()
    case.at("2026-04-10")  # what the tester saw: the case jumped to 逾期缴纳 against a party who was not late
    assert "late_payment" not in case.open_tasks()


def test_a_payment_before_service_is_refused_and_a_surcharge_above_the_fine_too(new_case):
    case = noticed(new_case())
    case.do("penalty_decision", "head1", **DECIDE, decision_date="2026-03-18")
    case.at("2026-03-20")
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-20")
    case.do("publicity", "handler1", published_on="2026-03-20", publicity_channel="门户网站")
    payment = dict(amount_paid=50000, receipt_number="PJ-1")
    fields = refused(case, "await_payment", "handler1", **payment, paid_on="2026-03-19")
    assert fields == {"paid_on": ["缴款日期 2026-03-19 早于送达日期 2026-03-20。"]}
    case.at("2026-06-01")  # long overdue: the surcharge reached its cap, the fine itself
    assert case.open_tasks() == ["late_payment"]
    fields = refused(case, "late_payment", "handler1", **payment, paid_on="2026-06-01", surcharge_paid=50000.01)
    assert "行政处罚法第七十二条" in fields["surcharge_paid"][0]
    fields = refused(case, "late_payment", "handler1", **payment, paid_on="2026-06-01", surcharge_paid="1500.555")
    assert fields == {"surcharge_paid": ["金额最多保留两位小数（分）。"]}
    case.do("late_payment", "handler1", **payment, paid_on="2026-06-01", surcharge_paid=50000)
    assert case.view()["stage"] == "paid"


def test_a_date_in_year_9999_is_a_field_error(new_case):
    case = noticed(new_case())
    fields = refused(case, "penalty_decision", "head1", **DECIDE, decision_date="9999-01-01")
    assert fields == {"decision_date": ["日期应在 1900 年至 2100 年之间，请核对年份。"]}


def test_an_admin_skipping_a_step_is_held_to_the_same_chronology(world, new_case):
    case = noticed(new_case())
    case.do("penalty_decision", "head1", **DECIDE, decision_date="2026-03-18")
    with pytest.raises(ValidationFailed) as raised:
        moves.skip_task(task_id=case.task("service").id, reason="补录", data={"served_at": "2026-03-17"},
                        actor=case.staff["admin1"], **world.deps(runner=True))
    assert raised.value.fields == {"served_at": ["送达日期 2026-03-17 早于决定日期 2026-03-18。"]}


def test_a_lead_registered_after_its_filing_clock_ran_out_is_accepted_with_a_recorded_warning(world, staff):
    case_id = world.register(staff["handler1"], process_id="lead_intake", discovered_at="2026-03-01T20:00:00+08:00")
    registration = cases.register_lead(
        data={"source": "patrol", "summary": "群众反映一月份的违法建设", "party_name": "周某某", "party_kind": "person",
              "discovered_at": "2026-02-02T10:00:00+08:00"},
        actor=staff["handler1"], **world.deps(runner=True))
    # 15 working days after 02-02 (the Spring Festival in between) ended on 02-28, a make-up working Saturday
    assert len(registration.warnings) == 1
    warning = registration.warnings[0]
    assert warning.startswith("发现（收到）时间 2026-02-02 距今已超过15个工作日，立案审查期限已于 2026-02-28 届满")
    with world.uow() as uow:
        records = timeline(uow.session, registration.case_id)
        on_time = timeline(uow.session, case_id)
    assert [r["summary"] for r in records if r["action"] == "registration_warning"] == [warning]
    assert not [r for r in on_time if r["action"] == "registration_warning"]


def test_the_dates_a_message_carries_are_checked_too(new_case):
    case = noticed(new_case())
    case.do("penalty_decision", "head1", **DECIDE, decision_date="2026-03-18")
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-18")
    case.at("2026-03-25")
    for received_on, message in (("9999-01-01", "日期应在 1900 年至 2100 年之间，请核对年份。"),
                                 ("2026-04-30", "收到复议申请书副本日期 2026-04-30 晚于今天（2026-03-25），不能填写将来的日期。"),
                                 ("25/03/2026", "日期格式不正确，应为 YYYY-MM-DD。")):
        with pytest.raises(ValidationFailed) as raised:
            case.message("reconsideration_filed", received_on=received_on, applicant="东城建工集团有限公司")
        assert raised.value.fields == {"received_on": [message]}
    assert "reconsideration" not in case.processes()  # nothing was started
    case.message("reconsideration_filed", received_on="2026-03-25", applicant="东城建工集团有限公司")
    assert case.processes()["reconsideration"] in ("running", "waiting")
