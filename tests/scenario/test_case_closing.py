"""Cases end: archiving closes the case, a step still open elsewhere on it blocks the archive and is named, and
the closed file is there for the case-file review (案卷评查)."""
from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.services import reviews

from .test_paths import ACCEPT, REPORT


def test_archiving_waits_for_the_complainant_reply_and_closes_the_case_for_review(new_case, world):
    case = new_case()
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="现场核实属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    ids = [case.staff["handler1"].user_id, case.staff["handler2"].user_id]
    case.do("investigation_assignment", "head1", officers=ids)
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
    assert "complainant_reply" in case.open_tasks()
    with pytest.raises(ValidationFailed) as blocked:
        case.do("archive", "handler1", archived_on="2026-03-18", volume_count=1, archive_number="DC-2026-01")
    assert "告知投诉举报人" in blocked.value.message
    assert case.view()["status"] == "open" and "archive" in case.open_tasks()
    case.do("complainant_reply", "handler1", reply_content="经查不予处罚", reply_method="phone", replied_on="2026-03-18")
    case.do("archive", "handler1", archived_on="2026-03-18", volume_count=1, archive_number="DC-2026-01")
    view = case.view()
    assert (view["status"], view["stage"]) == ("closed", "archived") and case.open_tasks() == []
    with world.uow() as uow:
        rows, total = reviews.reviewable_cases(uow.session)
    assert case.case_id in [row["case_id"] for row in rows]
