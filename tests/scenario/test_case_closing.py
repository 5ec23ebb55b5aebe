"""Cases end: archiving closes the case, a step still open elsewhere on it blocks the archive and is named, and
the closed file is there for the case-file review (案卷评查)."""
from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.services import instances, moves, reviews
from engine.services.views import timeline

from .test_paths import ACCEPT, REPORT


def test_archiving_waits_for_the_complainant_reply_and_closes_the_case_for_review(new_case, world):
    case = decided_with_the_complainant_unanswered(new_case())
    assert "complainant_reply" in case.open_tasks()
    with pytest.raises(ValidationFailed) as blocked:
        case.do("archive", "handler1", **ARCHIVE)
    assert "告知投诉举报人" in blocked.value.message
    assert case.view()["status"] == "open" and "archive" in case.open_tasks()
    case.do("complainant_reply", "handler1", reply_content="经查不予处罚", reply_method="phone", replied_on="2026-03-18")
    case.do("archive", "handler1", **ARCHIVE)
    view = case.view()
    assert (view["status"], view["stage"]) == ("closed", "archived") and case.open_tasks() == []
    with world.uow() as uow:
        rows, total = reviews.reviewable_cases(uow.session)
    assert case.case_id in [row["case_id"] for row in rows]


def decided_with_the_complainant_unanswered(case):
    """A decided case whose closing is approved while 告知投诉举报人 is still open: the intake process waits on
    the reply's task and its clock (complaint_reply_5wd) with a timer."""
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="现场核实属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    case.do("investigation_assignment", "head1", officers=[case.staff["handler1"].user_id,
                                                           case.staff["handler2"].user_id])
    case.at("2026-03-04 15:00")
    case.do("investigation", "handler1", inspection_time="2026-03-04T09:30", inspection_place="滨河路工地",
            inspection_findings="河道内未见建筑垃圾", inquiry_time="2026-03-04T14:00", inquiry_place="执法队询问室",
            inquiry_person="项目经理王某", inquiry_content="否认倾倒", evidence_preserved="no", seized="no")
    case.do("investigation_report", "handler1", **REPORT, major_case="no", hearing_eligible="no")
    case.do("case_review", "head1", review_result="proceed", case_review_opinion="事实清楚")
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="拟不予处罚", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")
    case.do("penalty_decision", "head1", decision="no_penalty", decision_text="违法事实不能成立，不予行政处罚",
            decision_date="2026-03-18")
    case.do("closing_approval", "head1", closing_summary="不予处罚", execution_result="无", closing_approval="approve")
    assert sorted(case.open_tasks()) == ["archive", "complainant_reply"]
    return case


ARCHIVE = dict(archived_on="2026-03-18", volume_count=1, archive_number="DC-2026-01")


def skip_archive(case, world):
    return moves.skip_task(task_id=case.task("archive").id, reason="负责人书面批准先行归档", data=ARCHIVE,
                           actor=case.staff["admin1"], **world.deps(runner=True))


def test_a_case_closed_by_archiving_cancels_its_waiting_processes_and_no_timer_fires_on_it_later(new_case, world):
    case = decided_with_the_complainant_unanswered(new_case())
    assert case.clock("complaint_reply_5wd")["status"] == "overdue"
    # a decision of no penalty started the service and publicity clocks that nothing will meet
    assert {case.clock(key)["status"] for key in ("service_7wd", "publicity_7wd")} == {"running"}
    skip_archive(case, world)  # an admin archives past the open reply (no check runs on a skip)
    view = case.view()
    assert view["status"] == "closed" and case.open_tasks() == []
    intake = next(i for i in view["instances"] if i["process_id"] == "lead_intake")
    assert (intake["status"], intake["cancel_reason"], intake["next_due_at"]) == ("cancelled", "案件已归档结案", None)
    assert case.clock("complaint_reply_5wd")["status"] == "overdue"  # its lateness stays on the record
    assert {case.clock(key)["status"] for key in ("service_7wd", "publicity_7wd")} == {"cancelled"}
    with world.uow() as uow:
        record = {r["action"]: r for r in timeline(uow.session, case.case_id)}
    cancelled, ended = record["instance_cancelled"], record["deadlines_ended"]
    assert cancelled["data"]["reason"] == "案件已归档结案" and "案源登记与立案审查" in cancelled["summary"]
    assert ended["data"] == {"reason": "案件已归档结案", "keys": ["service_7wd", "publicity_7wd"]}
    before = case.actions()
    case.at("2026-05-18")  # far past the reply's timer
    assert case.open_tasks() == [] and case.view()["status"] == "closed"
    assert case.actions() == before  # nothing fired, nothing was created


def test_archiving_is_refused_naming_a_suspended_process_and_nothing_is_saved(new_case, world):
    case = decided_with_the_complainant_unanswered(new_case())
    intake = next(i for i in case.view()["instances"] if i["process_id"] == "lead_intake")
    instances.suspend_instance(instance_id=intake["id"], reason="等待投诉人补充材料", actor=case.staff["head1"],
                               **world.deps(runner=True))
    before = case.actions()
    with pytest.raises(ValidationFailed) as refused:
        skip_archive(case, world)
    assert "「案源登记与立案审查」（已中止）" in refused.value.message
    assert case.actions() == before and case.view()["status"] == "open" and "archive" in case.open_tasks()


def test_archiving_is_refused_while_a_reconsideration_of_the_case_is_pending(new_case, world):
    case = decided_with_the_complainant_unanswered(new_case())
    case.do("complainant_reply", "handler1", reply_content="经查不予处罚", reply_method="phone", replied_on="2026-03-18")
    case.at("2026-03-25")
    case.message("reconsideration_filed", received_on="2026-03-25", applicant="东城建工集团有限公司")
    with pytest.raises(ValidationFailed) as refused:  # the agency answers to the reconsideration body
        skip_archive(case, world)
    assert "行政复议尚未办结" in refused.value.message
    assert case.view()["status"] == "open" and case.processes()["reconsideration"] == "waiting"
