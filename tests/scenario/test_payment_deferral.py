"""Paying a fine later (行政处罚法第六十六条第二款): the handler records the party's application, a head — never the
handler — approves or refuses it; on approval the payment clock's last day moves to the approved day and no
surcharge (第七十二条) accrues before it; a refusal leaves the original deadline and its surcharge."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from engine.errors import NotAuthorized, ValidationFailed

from .test_payment import owed, pay, served


def applied(case, last_day, requested):
    case.at((last_day - timedelta(days=5)).isoformat())
    case.message("payment_deferral_applied")
    assert case.open_tasks() == ["payment_deferral_application"]  # payment waits while the application is decided
    case.do("payment_deferral_application", "handler1", deferral_applied_on=(last_day - timedelta(days=5)).isoformat(),
            deferral_reason="受疫情影响停工，资金周转困难", requested_last_day=requested.isoformat())
    assert case.open_tasks() == ["payment_deferral_approval"]
    assert case.clock("payment_15d")["due"] == last_day.isoformat()  # nothing moves before a head approves


def test_an_approved_deferral_moves_the_last_day_and_no_surcharge_accrues_before_it(new_case):
    case = new_case()
    last_day = served(case)
    new_day = last_day + timedelta(days=21)
    applied(case, last_day, new_day)
    case.do("payment_deferral_approval", "head2", deferral_approval="approve", approved_last_day=new_day.isoformat(),
            deferral_opinion="经核实确有经济困难，同意延期缴纳")
    clock = case.clock("payment_15d")
    assert clock["due"] == new_day.isoformat() and clock["status"] == "running"
    assert f"批准延期缴纳至 {new_day.isoformat()}" in clock["explanation"]
    assert clock["extensions"][-1]["until"] == new_day.isoformat()
    assert case.open_tasks() == ["await_payment"]
    case.at((last_day + timedelta(days=3)).isoformat())  # the original last day has passed: still in time
    assert case.open_tasks() == ["await_payment"]
    assert owed(case, new_day)["surcharge"] == 0
    pay(case, "await_payment", new_day, 2000)
    assert case.view()["stage"] == "paid" and case.clock("payment_15d")["status"] == "met"
    assert "deadline_extended" in case.actions()


def test_after_the_approved_day_the_surcharge_runs_from_the_day_after_it(new_case):
    case = new_case()
    last_day = served(case)
    new_day = last_day + timedelta(days=21)
    applied(case, last_day, new_day)
    case.do("payment_deferral_approval", "head2", deferral_approval="approve", approved_last_day=new_day.isoformat(),
            deferral_opinion="同意")
    case.at((new_day + timedelta(days=1)).isoformat())
    assert case.open_tasks() == ["late_payment"]
    late = new_day + timedelta(days=10)
    assert owed(case, late)["surcharge"] == 600  # 10 days × 3 % × 2,000, counted from the approved day
    pay(case, "late_payment", late, 2000, surcharge=600)
    assert case.view()["stage"] == "paid"


def test_a_refused_deferral_leaves_the_original_deadline_and_its_surcharge(new_case):
    case = new_case()
    last_day = served(case)
    applied(case, last_day, last_day + timedelta(days=21))
    case.do("payment_deferral_approval", "head2", deferral_approval="refuse", deferral_opinion="经济困难证明不足，不予批准")
    assert case.clock("payment_15d")["due"] == last_day.isoformat()
    assert case.open_tasks() == ["await_payment"]
    case.at((last_day + timedelta(days=1)).isoformat())
    assert case.open_tasks() == ["late_payment"]
    assert owed(case, last_day + timedelta(days=10))["surcharge"] == 600


def test_the_handler_cannot_approve_and_a_head_approves_only_a_later_day(new_case):
    case = new_case()
    last_day = served(case)
    applied(case, last_day, last_day + timedelta(days=21))
    with pytest.raises(NotAuthorized):
        case.do("payment_deferral_approval", "handler1", deferral_approval="approve",
                approved_last_day=(last_day + timedelta(days=21)).isoformat(), deferral_opinion="同意")
    with pytest.raises(ValidationFailed) as raised:
        case.do("payment_deferral_approval", "head2", deferral_approval="approve",
                approved_last_day=last_day.isoformat(), deferral_opinion="同意")
    assert raised.value.fields["approved_last_day"]
    with pytest.raises(ValidationFailed) as raised:
        case.do("payment_deferral_approval", "head2", deferral_approval="approve", deferral_opinion="同意")
    assert raised.value.fields["approved_last_day"]
    assert case.clock("payment_15d")["due"] == last_day.isoformat()



def test_the_handler_who_recorded_the_application_cannot_approve_it_even_as_a_head(new_case):
    case = new_case()
    last_day = served(case)
    new_day = last_day + timedelta(days=21)
    applied(case, last_day, new_day)  # recorded by handler1, the case's lead officer
    case.staff["handler_head"] = replace(case.staff["handler1"], roles=frozenset({"handler", "head"}))
    with pytest.raises(NotAuthorized) as raised:
        case.do("payment_deferral_approval", "handler_head", deferral_approval="approve",
                approved_last_day=new_day.isoformat(), deferral_opinion="同意")
    assert "办审定分离" in str(raised.value)
    assert case.clock("payment_15d")["due"] == last_day.isoformat()
    assert case.open_tasks() == ["payment_deferral_approval"]


def test_a_refusal_after_the_original_last_day_sends_the_payment_to_late_payment(new_case):
    case = new_case()
    last_day = served(case)
    applied(case, last_day, last_day + timedelta(days=21))
    case.at((last_day + timedelta(days=2)).isoformat())  # the head decides after the original last day
    assert case.open_tasks() == ["payment_deferral_approval"]
    case.do("payment_deferral_approval", "head2", deferral_approval="refuse", deferral_opinion="不予批准")
    case.at((last_day + timedelta(days=2)).isoformat() + " 09:10")
    assert case.open_tasks() == ["late_payment"]
    assert owed(case, last_day + timedelta(days=2))["surcharge"] == 120  # from the day after the original day


def test_a_decision_revoked_while_the_deferral_is_pending_ends_the_payment_wait(new_case):
    case = new_case()
    last_day = served(case)
    applied(case, last_day, last_day + timedelta(days=21))
    on = (last_day - timedelta(days=5)).isoformat()
    case.message("reconsideration_filed", received_on=on, applicant="东城建工集团有限公司")
    case.do("reconsideration_reply", "reviewer1", reply_summary="答复", evidence_list="证据", submitted_on=on)
    case.at("2026-05-06")
    case.do("reconsideration_outcome", "reviewer1", reconsideration_result="revoked", outcome_received_on="2026-05-06",
            outcome_summary="撤销原处罚决定")
    assert not {"payment_deferral_approval", "await_payment", "late_payment"} & set(case.open_tasks())
    assert case.view()["stage"] == "revoked" and case.clock("payment_15d")["status"] == "cancelled"
