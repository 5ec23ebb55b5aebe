"""An on-the-spot fine (简易程序) is paid like any other: the party may ask to pay later or in instalments
(行政处罚法第六十六条第二款) with a head's approval, and a decision revoked on reconsideration ends the wait for the
payment and closes the case as revoked."""
from __future__ import annotations

from datetime import date, timedelta

from .test_document_facts import ONSITE
from .test_payment import owed, pay


def decided_on_the_spot(case) -> date:
    """A 100 元 fine decided and handed over on 2026-03-02, not paid on the spot; returns the payment clock's
    last day."""
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    case.do("onsite_decision", "handler2", **ONSITE)
    case.do("onsite_delivery", "handler2", recipient="周某某", served_at="2026-03-02", service_method="on_spot",
            party_signed="yes")
    case.do("summary_filing_record", "handler2", filed_with_agency_on="2026-03-02")
    assert case.open_tasks() == ["summary_payment"]
    return date.fromisoformat(case.clock("payment_15d")["due"])


def test_an_on_the_spot_fine_may_be_paid_in_instalments_approved_by_a_head(new_case):
    case = new_case(source="patrol", party_kind="person")
    last_day = decided_on_the_spot(case)
    case.at((last_day - timedelta(days=3)).isoformat())
    case.message("payment_deferral_applied")
    assert case.open_tasks() == ["summary_deferral_application"]
    first, second = last_day + timedelta(days=7), last_day + timedelta(days=35)
    case.do("summary_deferral_application", "handler2", deferral_kind="instalments",
            deferral_applied_on=(last_day - timedelta(days=3)).isoformat(), deferral_reason="低保户，无力一次缴纳",
            requested_instalments=f"{first.isoformat()} 50\n{second.isoformat()} 50")
    assert case.open_tasks() == ["summary_deferral_approval"]
    case.do("summary_deferral_approval", "head1", deferral_approval="approve", deferral_opinion="同意分两期")
    assert case.open_tasks() == ["summary_payment"]
    assert case.clock("payment_15d")["strict_due"] == second.isoformat()
    pay(case, "summary_payment", first, 50)
    assert [item["status"] for item in owed(case, first)["instalments"]] == ["paid", "due"]
    pay(case, "summary_payment", second, 50)
    assert case.view()["stage"] == "paid" and "case_closing" in case.processes()


def test_a_summary_decision_revoked_on_reconsideration_ends_the_payment_wait(new_case):
    case = new_case(source="patrol", party_kind="person")
    last_day = decided_on_the_spot(case)
    on = (last_day - timedelta(days=5)).isoformat()
    case.at(on)
    case.message("reconsideration_filed", received_on=on, applicant="周某某")
    case.do("reconsideration_reply", "reviewer1", reply_summary="答复", evidence_list="证据", submitted_on=on)
    case.at((last_day + timedelta(days=20)).isoformat())
    case.do("reconsideration_outcome", "reviewer1", reconsideration_result="revoked",
            outcome_received_on=(last_day + timedelta(days=20)).isoformat(), outcome_summary="撤销原处罚决定")
    assert not {"summary_payment", "summary_late_payment"} & set(case.open_tasks())
    assert case.view()["stage"] == "revoked" and case.clock("payment_15d")["status"] == "cancelled"
    assert case.processes()["penalty_summary"] == "completed"
