"""Dates typed into a form are checked against the clock and the case's own earlier facts (forms.chronology)."""
from __future__ import annotations

from datetime import datetime

import pytest
from marshmallow import ValidationError

import forms
from engine.clock import CHINA_TZ

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=CHINA_TZ)
DECIDED = {"discovered_at": "2026-10-20T21:30:00+08:00", "notice_date": "2026-11-20", "decision_date": "2026-12-01"}


def refusal(form_key: str, typed: dict, facts: dict | None = None, now: datetime = NOW) -> dict:
    with pytest.raises(ValidationError) as raised:
        forms.get(form_key).validate(typed, {"data": facts or {}, "now": now})
    return raised.value.messages


def accepted(form_key: str, typed: dict, facts: dict | None = None, now: datetime = NOW) -> dict:
    return forms.get(form_key).validate(typed, {"data": facts or {}, "now": now})


SERVICE = {"service_method": "direct", "recipient": "王某"}
DECISION = {"decision": "penalty", "penalty_kind": "warning", "decision_text": "警告"}
PAYMENT = {"amount_paid": 500, "receipt_number": "PJ-1"}


def test_a_fact_cannot_lie_in_the_future():
    messages = refusal("prior_notice", {"intended_penalty": "罚款", "notice_date": "2027-06-01",
                                        "hearing_eligible": "no", "service_method": "direct"}, DECIDED)
    assert messages == {"notice_date": ["告知书送达日期 2027-06-01 晚于今天（2026-12-02），不能填写将来的日期。"]}
    lead = {"source": "patrol", "summary": "s", "party_name": "某", "party_kind": "person"}
    messages = refusal("lead_registration", {**lead, "discovered_at": "2030-01-01T10:00"})
    assert "发现（收到）时间 2030-01-01 10:00 晚于当前时间 2026-12-02 14:00" in messages["discovered_at"][0]


def test_today_is_lawful_and_a_moment_may_run_ten_minutes_ahead():
    assert accepted("service", {**SERVICE, "served_at": "2026-12-02"}, DECIDED)["served_at"] == "2026-12-02"
    lead = {"source": "patrol", "summary": "s", "party_name": "某", "party_kind": "person"}
    accepted("lead_registration", {**lead, "discovered_at": "2026-12-02T14:10"})
    assert "discovered_at" in refusal("lead_registration", {**lead, "discovered_at": "2026-12-02T14:11"})


def test_a_decision_is_served_and_paid_only_after_it_was_made():
    messages = refusal("service", {**SERVICE, "served_at": "2026-11-01"}, DECIDED)
    assert messages == {"served_at": ["送达日期 2026-11-01 早于决定日期 2026-12-01。"]}
    served = {**DECIDED, "served_at": "2026-12-02"}
    messages = refusal("payment_record", {**PAYMENT, "paid_on": "2026-12-01"}, served)
    assert messages == {"paid_on": ["缴款日期 2026-12-01 早于送达日期 2026-12-02。"]}
    assert accepted("payment_record", {**PAYMENT, "paid_on": "2026-12-02"}, served)["paid_on"] == "2026-12-02"


def test_the_prior_notice_and_the_hearing_come_before_the_decision():
    messages = refusal("penalty_decision", {**DECISION, "decision_date": "2026-11-19"}, DECIDED)
    assert messages == {"decision_date": ["决定日期 2026-11-19 早于事先告知书送达日期 2026-11-20。"]}
    heard = {**DECIDED, "held_on": "2026-11-30"}
    messages = refusal("penalty_decision", {**DECISION, "decision_date": "2026-11-27"}, heard)
    assert messages == {"decision_date": ["决定日期 2026-11-27 早于听证日期 2026-11-30。"]}
    accepted("penalty_decision", {**DECISION, "decision_date": "2026-11-20"}, DECIDED)  # same day is lawful
    notified = {**DECIDED, "hearing_time": "2026-11-30T09:00:00+08:00"}
    record = {"hearing_participants": "p", "hearing_record": "r"}
    messages = refusal("hearing_record", {**record, "held_on": "2026-11-27"}, notified)
    assert messages == {"held_on": ["听证日期 2026-11-27 早于通知的听证时间 2026-11-30 09:00。"]}


def test_nothing_happens_before_the_lead_was_discovered():
    typed = {"inspection_time": "2026-10-20T20:00", "inspection_place": "p", "inspection_findings": "f",
             "evidence_preserved": "no", "seized": "no"}
    messages = refusal("investigation", typed, DECIDED)
    assert messages == {"inspection_time": ["现场检查时间 2026-10-20 20:00 早于发现（收到）时间 2026-10-20 21:30。"]}
    accepted("investigation", {**typed, "inspection_time": "2026-10-20T21:45"}, DECIDED)


def test_a_hearing_is_planned_ahead_and_not_refused_as_future():
    typed = {"hearing_time": "2027-01-05T09:00", "hearing_place": "听证室", "hearing_host": "赵某"}
    assert accepted("hearing_notice", typed, DECIDED)["hearing_time"].startswith("2027-01-05")


def test_without_a_clock_the_order_is_still_checked():
    assert forms.get("service").validate({**SERVICE, "served_at": "2030-01-01"}, {"data": DECIDED})
    with pytest.raises(ValidationError):
        forms.get("service").validate({**SERVICE, "served_at": "2026-11-01"}, {"data": DECIDED})


def test_a_correction_is_ordered_by_a_day_not_before_the_decision_and_may_lie_ahead():
    ordered = {**DECISION, "decision_date": "2026-12-01", "correction_ordered": "yes", "correction_content": "拆除"}
    assert accepted("penalty_decision", {**ordered, "correction_deadline": "2027-01-15"}, DECIDED)[
        "correction_deadline"] == "2027-01-15"
    messages = refusal("penalty_decision", {**ordered, "correction_deadline": "2026-11-30"}, DECIDED)
    assert messages == {"correction_deadline": ["改正期限 2026-11-30 早于决定日期 2026-12-01。"]}
    messages = refusal("penalty_decision", {**DECISION, "decision_date": "2026-12-01", "correction_ordered": "yes"},
                       DECIDED)
    assert messages == {"correction_content": ["责令改正的，须写明改正内容。"],
                        "correction_deadline": ["责令改正的，须填写改正期限。"]}
