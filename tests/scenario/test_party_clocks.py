"""Clocks that tell the truth: a party's window ends when the party acts, goes when its cause goes, and a window
the party let run out is a fact ('lapsed'), never the agency's overdue work."""
from __future__ import annotations

from datetime import datetime

from engine.clock import CHINA_TZ
from engine.deadlines.catalog import catalog
from engine.services import inbox, monitoring, statistics
from engine.services.case_list import CaseFilters, list_cases
from engine.services.statistics import Period

from .test_paths import decide_and_serve

PARTY_KEYS = {key for key, entry in catalog().items() if entry.party_side}


def agency_failures(case) -> dict:
    world = case.world
    now = world.clock.now()
    with world.uow() as uow:
        listed = monitoring.overdue(uow.session, now=now, limit=200).rows
        timeliness = statistics.statistics(uow.session, Period.year(2026))["timeliness"]
        rows = list_cases(uow.session, case.staff["admin1"], filters=CaseFilters(overdue=True), now=now)
    return {"dashboard": {row["key"] for row in listed}, "timeliness": {row["key"] for row in timeliness},
            "case_list": [row.id for row in rows.rows]}


def test_a_lawsuit_ends_the_party_windows_and_none_is_listed_overdue(new_case):
    case = new_case()
    decide_and_serve(case)
    assert case.clock("direct_lawsuit_6m")["status"] == "running"
    case.at("2026-04-20")
    case.message("lawsuit_filed", received_on="2026-04-20", court="县人民法院")
    assert case.clock("direct_lawsuit_6m")["status"] == "met"  # the party acted
    assert case.clock("reconsideration_application_60d")["status"] == "cancelled"  # a lawsuit excludes it
    case.at("2026-05-20")  # 60 days from service have gone by
    failures = agency_failures(case)
    assert not failures["dashboard"] & PARTY_KEYS and not failures["timeliness"] & PARTY_KEYS


def test_a_window_the_party_let_run_out_is_lapsed_not_the_agencys_failure(new_case):
    case = new_case()
    decide_and_serve(case)
    case.at("2026-05-19")  # the 60 days for reconsideration ended on Monday 05-18 (05-17 a Sunday)
    window = case.clock("reconsideration_application_60d")
    assert window["status"] == "lapsed" and window["party_side"]
    failures = agency_failures(case)
    assert "reconsideration_application_60d" not in failures["dashboard"] | failures["timeliness"]
    assert "payment_15d" not in failures["dashboard"] and case.case_id not in failures["case_list"]
    assert "deadline_lapsed" in case.actions() and "deadline_overdue" not in case.actions()


def test_a_revocation_ends_the_payment_clock(new_case):
    case = new_case()
    decide_and_serve(case)
    case.at("2026-03-25")
    case.message("reconsideration_filed", received_on="2026-03-25", applicant="东城建工集团有限公司")
    assert case.clock("reconsideration_application_60d")["status"] == "met"
    assert case.clock("payment_15d")["status"] == "paused"
    case.at("2026-03-30")
    case.do("reconsideration_reply", "reviewer1", reply_summary="答复", evidence_list="证据", submitted_on="2026-03-30")
    case.at("2026-05-06")
    case.do("reconsideration_outcome", "reviewer1", reconsideration_result="revoked", outcome_received_on="2026-05-06",
            outcome_summary="撤销原处罚决定")
    assert case.clock("payment_15d")["status"] == "cancelled"  # nothing is owed: no payment clock, no surcharge
    assert case.clock("direct_lawsuit_6m")["status"] == "cancelled"
    assert not [d for d in case.view()["deadlines"] if d["key"] == "direct_lawsuit_6m" and d["status"] == "running"]
    assert "late_payment" not in case.open_tasks()
    case.at("2026-10-01")  # long after every window: nothing restarted, nothing went to enforcement
    assert "enforcement" not in case.processes()


def test_urgency_ticked_on_the_letter_ends_the_clock_when_the_referral_is_sent(new_case):
    case = new_case(source="patrol")
    case.do("lead_check", "handler1", findings="属生态环境部门管辖", recommendation="refer_out",
            referral_target="县生态环境分局", urgent="no")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意移送")
    assert case.clock("referral_3wd")["status"] == "running"
    case.do("referral_letter", "handler1", referral_target="县生态环境分局", referral_reason="涉嫌环境违法",
            referral_materials="线索登记表、现场照片", urgent="yes")
    case.do("referral_approval", "head1", referral_approval="approve", referral_approval_opinion="同意")
    assert case.clock("referral_3wd")["status"] == "met"
    assert not [d for d in case.view()["deadlines"] if d["key"].startswith("referral_")
                and d["key"] != "referral_feedback_15wd" and d["status"] in ("running", "overdue")]


def test_the_inbox_never_lists_a_task_due_by_the_partys_window_as_overdue(new_case, world, staff):
    case = new_case()
    decide_and_serve(case)  # served 03-18: the fine is due by 24:00 on 04-02
    assert "await_payment" in case.open_tasks()
    world.clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=CHINA_TZ))  # past it, before the scheduler's next tick
    now = world.clock.now()
    with world.uow() as uow:
        overdue = inbox.inbox(uow.session, staff["head1"], view="agency", due="overdue", now=now)
        everything = inbox.inbox(uow.session, staff["head1"], view="agency", now=now)
    assert "await_payment" not in [row.name for row in overdue.rows]
    assert next(row for row in everything.rows if row.name == "await_payment").urgency == "lapsed"
