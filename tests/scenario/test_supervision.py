"""Supervision over real cases: statistics by agency, source, violation type, penalty kind and amount and
timeliness; the case-file review of a closed case; the annual report as Excel and CSV."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from engine.errors import InvalidState, NotAuthorized, ValidationFailed
from engine.services import reviews, statistics
from engine.services.statistics import Period
from webapp.admin.exports import annual_xlsx, table_csv

from .test_paths import file_and_investigate

FULL_MARKS = {item.key: item.points for item in reviews.CHECKLIST}


@pytest.fixture
def year_of_cases(new_case, world, staff):
    staff["supervisor1"] = world.user("supervisor1", "supervisor")
    summary = new_case(source="patrol", party_kind="person")
    summary.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    summary.do("onsite_decision", "handler2", facts="占道经营", legal_basis="《城市市容和环境卫生管理条例》第十七条",
               penalty_kind="fine", fine_amount=200, decision_text="罚款贰佰元", decision_date="2026-03-02",
               paid_on_spot="yes")
    summary.do("onsite_delivery", "handler2", recipient="周某某", served_at="2026-03-02", service_method="on_spot",
               party_signed="yes")
    summary.at("2026-03-03")
    summary.do("summary_filing_record", "handler2", filed_with_agency_on="2026-03-03")
    summary.do("closing_approval", "head1", closing_summary="当场处罚，已缴纳", execution_result="已缴纳",
               closing_approval="approve")
    summary.at("2026-03-04")
    summary.do("archive", "handler2", archived_on="2026-03-04", volume_count=1, archive_number="DC-2026-S1")

    ordinary = new_case()
    file_and_investigate(ordinary)
    ordinary.at("2026-03-10")
    ordinary.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10",
                hearing_eligible="no", service_method="direct")
    ordinary.at("2026-03-18")
    ordinary.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=50000,
                decision_text="罚款伍万元", decision_date="2026-03-18")

    not_filed = new_case(source="report")
    not_filed.do("complaint_acceptance", "handler1", accepted="yes", acceptance_note="受理", complainant_real_name="no")
    not_filed.do("lead_check", "handler1", findings="无违法事实", recommendation="not_file", not_file_reason="无")
    not_filed.do("filing_approval", "head1", approval="approve", approval_opinion="同意不予立案")
    return summary, ordinary, not_filed


def test_statistics_count_what_the_cases_recorded(world, year_of_cases):
    with world.uow() as uow:
        stats = statistics.statistics(uow.session, Period.year(2026))
    total = stats["total"]
    assert (total["registered"], total["filed"], total["summary_penalties"], total["ordinary_penalties"]) == (3, 1, 1, 1)
    assert (total["fine"], total["fine_total"]) == (2, 50200.0)
    assert (total["decisions_in_time"], total["decisions_timed"], total["in_time_rate"]) == (1, 1, 100.0)
    assert total["legal_reviews"] == 0 and total["hearings"] == 0
    assert {row["violation"]: (row["count"], row["fine_total"]) for row in stats["by_violation"]} == {
        "《城市建筑垃圾管理规定》": (1, 50000.0), "《城市市容和环境卫生管理条例》": (1, 200.0)}
    assert [(row["kind"], row["count"]) for row in stats["by_kind"]] == [("fine", 2)]
    sources = {row["source"]: row for row in stats["by_source"]}
    assert sources["complaint"]["registered"] == 1 and sources["patrol"]["penalties"] == 1
    assert [row["month"] for row in stats["by_month"]] == ["2026-03"]
    timeliness = {row["key"]: row for row in stats["timeliness"]}
    assert timeliness["decision_90d"]["in_time"] == 1 and timeliness["filing_15wd"]["rate"] == 100.0
    with world.uow() as uow:
        assert statistics.statistics(uow.session, Period.year(2025))["total"]["registered"] == 0


def test_a_supervisor_reviews_a_closed_case_file(world, staff, year_of_cases):
    summary, ordinary, _ = year_of_cases
    review = dict(notes={}, comment="文书规范", **world.deps())
    with pytest.raises(NotAuthorized):
        reviews.save_review(case_id=summary.case_id, scores=FULL_MARKS, actor=staff["admin1"], **review)
    with pytest.raises(InvalidState):  # still open
        reviews.save_review(case_id=ordinary.case_id, scores=FULL_MARKS, actor=staff["supervisor1"],
                            **dict(review, **world.deps()))
    with pytest.raises(ValidationFailed) as missing_note:
        reviews.save_review(case_id=summary.case_id, scores={**FULL_MARKS, "documents": 10},
                            actor=staff["supervisor1"], **dict(review, **world.deps()))
    assert "documents_note" in missing_note.value.fields
    score = reviews.save_review(case_id=summary.case_id, scores={**FULL_MARKS, "documents": 10},
                                notes={"documents": "送达回证未注明时间"}, comment="基本规范",
                                actor=staff["supervisor1"], **world.deps())
    assert score == 95
    with world.uow() as uow:
        record = reviews.case_record(uow.session, summary.case_id)
        rows, total = reviews.reviewable_cases(uow.session, reviewed=True)
        stats = statistics.statistics(uow.session, Period.year(2026))
    assert record["review"].grade == "excellent" and record["review"].items["documents"]["points"] == 10
    assert "当场行政处罚决定书" in {d["title"] for d in record["documents"]} and record["steps"][0]["form_key"] == "lead_check"
    assert total == 1 and rows[0]["score"] == 95
    assert stats["reviews"] == {"count": 1, "average": 95.0, "grades": {"excellent": 1}}
    assert "case_reviewed" in summary.actions()


def test_the_annual_report_exports_to_excel_and_csv(world, year_of_cases):
    with world.uow() as uow:
        stats = statistics.statistics(uow.session, Period.year(2026))
    workbook = load_workbook(io.BytesIO(annual_xlsx(stats, title="2026年度行政执法统计年报")))
    assert workbook.sheetnames == ["按执法机关", "按处罚种类", "按违法类型", "按案件来源", "按月份", "办案时效", "数据来源"]
    sheet = workbook["按执法机关"]
    assert sheet["A1"].value == "2026年度行政执法统计年报" and sheet["A3"].value == "执法机关"
    header = [cell.value for cell in sheet[3]]
    total = {header[i]: cell.value for i, cell in enumerate(sheet[sheet.max_row])}
    assert total["执法机关"] == "合计" and total["罚款金额（元）"] == 50200 and total["按期作出决定率（%）"] == 100
    csv_text = table_csv(stats, "by_violation").decode("utf-8")
    assert csv_text.startswith("\ufeff违法类型（适用依据）,件数,罚款金额（元）")
    assert "《城市建筑垃圾管理规定》,1,50000.0" in csv_text
