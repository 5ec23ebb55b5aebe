"""Paying a fine: the system computes what is due (the fine plus the late surcharge accrued to the payment date,
行政处罚法第七十二条); a partial payment leaves the case 部分缴纳 with the rest still due; the case closes as paid only
when everything due is paid; an overpayment is refused; a paused payment clock adds no surcharge."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.errors import ValidationFailed
from engine.payments import case_amount_due

from .test_paths import ACCEPT, REPORT

SMALL_REPORT = {**REPORT, "proposed_fine": 2000, "discretion_min": 1000, "discretion_max": 5000}


def served(case) -> date:
    """A fine of 2,000 元 decided and served on 2026-03-20; returns the payment clock's last day."""
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="现场核实属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    case.do("complainant_reply", "handler1", reply_content="已立案调查", reply_method="phone", replied_on="2026-03-02")
    case.do("investigation_assignment", "head1", officers=[case.staff["handler1"].user_id,
                                                           case.staff["handler2"].user_id])
    case.at("2026-03-04 15:00")
    case.do("investigation", "handler1", inspection_time="2026-03-04T09:30", inspection_place="滨河路工地",
            inspection_findings="河道内堆有建筑垃圾", evidence_preserved="no", seized="no")
    case.do("investigation_report", "handler1", **SMALL_REPORT, major_case="no", hearing_eligible="no")
    case.do("case_review", "head1", review_result="proceed", case_review_opinion="事实清楚")
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款贰仟元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")
    case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=2000,
            decision_text="罚款贰仟元", decision_date="2026-03-18")
    case.at("2026-03-20")
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-20")
    case.do("publicity", "handler1", published_on="2026-03-20", publicity_channel="门户网站")
    return date.fromisoformat(case.clock("payment_15d")["due"])


def owed(case, on: date) -> dict:
    with case.world.uow() as uow:
        return case_amount_due(uow.session, case.case_id, on=on)


def pay(case, task: str, on: date, amount, surcharge=None):
    case.at(on.isoformat())
    extra = {"surcharge_paid": surcharge} if surcharge is not None else {}
    case.do(task, "handler1", paid_on=on.isoformat(), amount_paid=amount, receipt_number="PJ-1", **extra)


def test_a_partial_payment_leaves_the_rest_due_and_the_case_open_until_it_is_paid(new_case):
    case = new_case()
    last_day = served(case)
    assert case.open_tasks() == ["await_payment"]
    pay(case, "await_payment", last_day - timedelta(days=5), 500)
    view = case.view()
    assert view["stage"] == "partly_paid" and view["status"] == "open"
    assert case.open_tasks() == ["await_payment"]  # the payment task is back for the rest
    assert case.clock("payment_15d")["status"] == "running"
    assert "case_closing" not in case.processes()
    due = owed(case, last_day)
    assert (due["fine"], due["paid"], due["outstanding"]) == (2000, 500, 1500)
    assert "payment_recorded" in case.actions()

    pay(case, "await_payment", last_day, 1500)
    assert case.view()["stage"] == "paid" and case.clock("payment_15d")["status"] == "met"
    assert "case_closing" in case.processes()
    assert case.actions().count("payment_recorded") == 2


def test_a_payment_ten_days_late_owes_three_percent_a_day_and_the_remainder_moves_to_late_payment(new_case):
    case = new_case()
    last_day = served(case)
    pay(case, "await_payment", last_day, 500)
    case.at((last_day + timedelta(days=1)).isoformat())
    assert case.open_tasks() == ["late_payment"]
    late = last_day + timedelta(days=10)
    due = owed(case, late)
    assert (due["surcharge"], due["total"], due["outstanding"]) == (600, 2600, 2100)
    pay(case, "late_payment", late, 1500, surcharge=599)
    assert case.view()["stage"] == "partly_paid" and case.open_tasks() == ["late_payment"]
    pay(case, "late_payment", late, 0, surcharge=1)
    assert case.view()["stage"] == "paid"


@pytest.mark.parametrize("days_late", [34, 60])
def test_the_surcharge_stops_at_the_fine(new_case, days_late):
    case = new_case()
    last_day = served(case)
    late = last_day + timedelta(days=days_late)
    assert owed(case, last_day + timedelta(days=33))["total"] == 3980  # 2,000 + 99 % of it
    assert owed(case, late)["total"] == 4000  # 34 days and beyond: the surcharge equals the fine, no more
    with pytest.raises(ValidationFailed) as raised:
        pay(case, "late_payment", late, 2000, surcharge="2000.01")
    assert raised.value.fields["amount_paid"]  # 4,000.01 is more than is due
    pay(case, "late_payment", late, 2000, surcharge=2000)
    assert case.view()["stage"] == "paid"


def test_an_overpayment_is_refused_with_what_is_due(new_case):
    case = new_case()
    last_day = served(case)
    with pytest.raises(ValidationFailed) as raised:
        pay(case, "await_payment", last_day, "2000.01")
    message = raised.value.fields["amount_paid"][0]
    assert "超出" in message and "2,000.00" in message
    assert case.open_tasks() == ["await_payment"] and "payment_recorded" not in case.actions()


def test_no_surcharge_accrues_while_the_payment_clock_is_paused_for_reconsideration(new_case):
    case = new_case()
    last_day = served(case)
    case.at((last_day + timedelta(days=4)).isoformat())  # four days late, then reconsideration is applied for
    case.message("reconsideration_filed", received_on=(last_day + timedelta(days=4)).isoformat(),
                 applicant="东城建工集团有限公司")
    assert case.clock("payment_15d")["status"] == "paused"
    later = last_day + timedelta(days=20)
    case.at(later.isoformat())
    assert owed(case, later)["surcharge"] == 240  # 4 days × 3 % × 2,000, not 20 days
    pay(case, "late_payment", later, 2000, surcharge=240)
    assert case.view()["stage"] == "paid"


def test_the_summary_procedure_also_keeps_a_partly_paid_fine_open(new_case):
    case = new_case(source="patrol", party_kind="person")
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    case.do("onsite_decision", "handler2", facts="占道经营", legal_basis="条例第十七条", penalty_kind="fine",
            fine_amount=200, decision_text="罚款贰佰元", decision_date="2026-03-02", paid_on_spot="no")
    case.do("onsite_delivery", "handler2", recipient="周某某", served_at="2026-03-02", service_method="on_spot",
            party_signed="yes")
    case.at("2026-03-03")
    case.do("summary_filing_record", "handler2", filed_with_agency_on="2026-03-03")
    assert case.open_tasks() == ["summary_payment"]
    pay(case, "summary_payment", date(2026, 3, 5), 50)
    assert case.view()["stage"] == "partly_paid" and case.open_tasks() == ["summary_payment"]
    with pytest.raises(ValidationFailed):
        pay(case, "summary_payment", date(2026, 3, 6), 151)
    pay(case, "summary_payment", date(2026, 3, 6), 150)
    assert case.view()["stage"] == "paid" and "case_closing" in case.processes()


def test_a_partial_payment_after_the_demand_notice_keeps_the_enforcement_open(new_case):
    case = new_case()
    served(case)
    case.at("2026-09-22 00:01")  # six months for a lawsuit have lapsed: enforcement starts
    assert case.open_tasks() == ["demand_notice"]
    case.do("demand_notice", "handler1", served_on="2026-09-22")
    pay(case, "await_performance", date(2026, 9, 23), 1000)
    assert case.view()["stage"] == "partly_paid" and case.open_tasks() == ["await_performance"]
    assert owed(case, date(2026, 9, 24))["outstanding"] == 3000  # 2,000 + the capped surcharge, less 1,000
    pay(case, "await_performance", date(2026, 9, 24), 3000)
    assert case.view()["stage"] == "paid" and case.clock("demand_notice_10wd")["status"] == "met"
