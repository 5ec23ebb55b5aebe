"""Every path of the procedure through the real processes/*.bpmn, as the staff would walk it."""
from __future__ import annotations

from datetime import date

import pytest

from engine.errors import NotAuthorized, ValidationFailed

ACCEPT = dict(accepted="yes", acceptance_note="属本机关管辖，予以受理", complainant_name="刘女士",
              complainant_real_name="yes", complainant_contact="138****6621")
REPORT = dict(facts="2026 年 3 月 1 日夜间向滨河路河道倾倒建筑垃圾约 20 立方米", evidence_summary="监控录像、现场照片、询问笔录",
              legal_basis="《城市建筑垃圾管理规定》第二十六条", proposed_penalty="fine", proposed_fine=50000,
              discretion_min=20000, discretion_max=100000, discretion_reason="初次违法、积极整改，从轻处罚")
LEGAL_OK = dict(competent="yes", facts_clear="yes", evidence_sufficient="yes", basis_correct="yes",
                procedure_lawful="yes", documents_complete="yes", crime_transfer_needed="no",
                review_conclusion="approve", review_opinion="事实清楚，证据确凿，适用依据正确，程序合法，同意。")


def file_and_investigate(case, *, major="no", hearing="no", officers=("handler1", "handler2")):
    """complaint → accepted → filed → two certified officers investigate → report → review."""
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="现场核实属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    assert "penalty_ordinary" in case.processes()
    case.do("complainant_reply", "handler1", reply_content="已立案调查", reply_method="phone", replied_on="2026-03-02")
    ids = [case.staff[name].user_id for name in officers]
    case.do("investigation_assignment", "head1", officers=ids, assignment_note="张明主办")
    assert case.task("investigation").assignee_id == ids[0]  # the lead officer gets the handler's tasks
    case.at("2026-03-04 15:00")  # the inspection at 09:30 and the inquiry at 14:00 have happened
    case.do("investigation", "handler1", inspection_time="2026-03-04T09:30", inspection_place="滨河路工地",
            inspection_findings="河道内堆有建筑垃圾", inquiry_time="2026-03-04T14:00", inquiry_place="执法队询问室",
            inquiry_person="项目经理王某", inquiry_content="承认夜间倾倒", evidence_preserved="no", seized="no")
    case.do("investigation_report", "handler1", **REPORT, major_case=major, hearing_eligible=hearing)
    case.do("case_review", "head1", review_result="proceed", case_review_opinion="事实清楚")


def test_complaint_to_hearing_decision_reconsideration_payment_and_archive(new_case):
    case = new_case()
    assert case.open_tasks() == ["complaint_acceptance"]
    assert case.clock("complaint_acceptance_7wd")["due"] == "2026-03-10"
    file_and_investigate(case, major="yes", hearing="yes")
    assert case.clock("decision_90d")["due"] == "2026-06-01"  # 03-02 + 90 days = Sunday 05-31 → Monday
    case.do("legal_review", "reviewer1", **LEGAL_OK)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="拟罚款人民币伍万元", notice_date="2026-03-10",
            hearing_eligible="yes", service_method="direct")
    assert case.clock("hearing_request_5wd")["due"] == "2026-03-17"
    case.at("2026-03-12")
    case.do("party_response", "handler1", statement_received="yes", statement_summary="要求从轻", hearing_requested="yes")
    assert case.clock("decision_90d")["status"] == "paused"
    with pytest.raises(ValidationFailed) as too_soon:
        case.do("hearing_notice", "handler1", hearing_time="2026-03-18T09:00", hearing_place="听证室", hearing_host="赵某")
    assert "最迟应于 2026-03-09 通知" in too_soon.value.fields["hearing_time"][0]
    case.do("hearing_notice", "handler1", hearing_time="2026-03-25T09:00", hearing_place="听证室", hearing_host="赵某")
    case.at("2026-03-25 16:00")
    case.do("hearing_record", "handler1", hearing_participants="当事人、委托代理人、调查人员", hearing_record="听证笔录……",
            held_on="2026-03-25")
    decision_clock = case.clock("decision_90d")
    assert decision_clock["status"] == "running" and decision_clock["tolled"][0]["days"] == 13
    assert decision_clock["due"] == "2026-06-15"  # 05-31 + 13 days = 06-13 (Saturday) → Monday 06-15
    case.do("collective_discussion", "head1", discussion_participants="队长、副队长", discussion_record="……",
            discussion_conclusion="同意罚款伍万元")
    case.at("2026-03-30")
    with pytest.raises(ValidationFailed) as outside:
        case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=200000,
                decision_text="罚款", decision_date="2026-03-30")
    assert "裁量基准范围" in outside.value.fields["fine_amount"][0]
    case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=50000,
            decision_text="罚款人民币伍万元", decision_date="2026-03-30", hearing_opinion_adopted="partly",
            hearing_adoption_reason="初次违法、积极整改属实，从轻处罚")
    assert case.clock("decision_90d")["status"] == "met"
    assert sorted(case.open_tasks()) == ["publicity", "service"]
    case.at("2026-03-31")
    case.do("service", "handler1", service_method="direct", recipient="项目经理王某", served_at="2026-03-31")
    case.do("publicity", "handler1", published_on="2026-03-31", publicity_channel="县政府门户网站")
    published = case.publication()
    assert published is not None and published.party_name == "东城建工集团有限公司" and published.withdrawn_at is None
    assert case.clock("payment_15d")["due"] == "2026-04-15"

    case.at("2026-04-08")
    case.message("reconsideration_filed", received_on="2026-04-08", applicant="东城建工集团有限公司")
    assert case.clock("payment_15d")["status"] == "paused"  # no surcharge accrues during reconsideration
    case.at("2026-04-15")
    case.do("reconsideration_reply", "reviewer1", reply_summary="事实清楚", evidence_list="证据目录", submitted_on="2026-04-15")
    case.at("2026-05-20")
    case.do("reconsideration_outcome", "reviewer1", reconsideration_result="upheld", outcome_received_on="2026-05-20",
            outcome_summary="维持")
    payment = case.clock("payment_15d")
    assert payment["status"] == "running" and payment["due"] == "2026-05-27"  # 04-15 + 42 paused days
    case.at("2026-05-22")
    case.do("await_payment", "handler1", paid_on="2026-05-22", amount_paid=50000, receipt_number="PJ-0001")
    case.do("closing_approval", "head1", closing_summary="已执行完毕", execution_result="罚款已缴清", closing_approval="approve")
    case.at("2026-05-25")
    case.do("archive", "handler1", archived_on="2026-05-25", volume_count=1, archive_number="DC-2026-001")
    view = case.view()
    assert view["status"] == "closed" and view["stage"] == "archived"
    kinds = [doc.kind for doc in case.documents()]
    for kind in ("filing_approval_form", "inspection_record", "inquiry_record", "investigation_report",
                 "legal_review_opinion", "prior_notice", "hearing_notice", "hearing_record", "penalty_decision",
                 "service_receipt", "closing_approval_form"):
        assert kind in kinds, kind


def test_handling_reviewing_and_deciding_are_three_different_people(new_case, world, staff):
    valid = date(2028, 12, 31)
    staff["dual"] = world.user("dual", "handler", "reviewer", certificate="ZJ-0008", valid_until=valid)
    staff["acting_head"] = world.user("acting_head", "handler", "head", certificate="ZJ-0009", valid_until=valid)
    case = new_case()
    file_and_investigate(case, major="yes", officers=("handler1", "dual", "acting_head"))
    with pytest.raises(NotAuthorized, match="办审定分离：您已在本案中担任承办"):
        case.do("legal_review", "dual", **LEGAL_OK)  # investigated the case: may not review it
    case.do("legal_review", "reviewer1", **LEGAL_OK)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")  # the statement period lapsed without a response: the process moves on by itself
    assert case.open_tasks() == ["collective_discussion"]
    case.do("collective_discussion", "head2", discussion_participants="队委会", discussion_record="……",
            discussion_conclusion="同意")
    decision = dict(decision="penalty", penalty_kind="fine", fine_amount=50000, decision_text="罚款",
                    decision_date="2026-03-19")
    case.at("2026-03-19")
    with pytest.raises(NotAuthorized, match="办审定分离：您已在本案中担任承办"):
        case.do("penalty_decision", "acting_head", **decision)  # investigated: may not decide
    case.do("penalty_decision", "head1", **decision)
    assert case.clock("decision_90d")["status"] == "met"


def test_investigators_must_be_two_certified_officers(new_case):
    case = new_case()
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意")
    one = [case.staff["handler1"].user_id]
    with pytest.raises(ValidationFailed) as single:
        case.do("investigation_assignment", "head1", officers=one)
    assert "至少选择 2 名" in single.value.fields["officers"][0]
    expired = [case.staff["handler1"].user_id, case.staff["handler3"].user_id]
    with pytest.raises(ValidationFailed) as uncertified:
        case.do("investigation_assignment", "head1", officers=expired)
    assert "handler3没有有效的行政执法证件" in uncertified.value.fields["officers"][0]
    assert "investigation_assignment" in case.open_tasks()


def test_not_filed_with_a_reply_to_the_real_name_complainant(new_case):
    case = new_case()
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="经查不存在违法行为", recommendation="not_file", not_file_reason="无违法事实")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意不予立案")
    assert case.open_tasks() == ["complainant_reply"]
    assert case.clock("complaint_reply_5wd")["due"] == "2026-03-09"
    case.at("2026-03-03")
    case.do("complainant_reply", "handler1", reply_content="经核查未发现违法行为，决定不予立案", reply_method="letter",
            replied_on="2026-03-03")
    view = case.view()
    assert (view["status"], view["stage"]) == ("closed", "not_filed")
    assert case.clock("filing_15wd")["status"] == "met"


def test_urgent_referral_out_with_feedback_chased(new_case):
    case = new_case(source="patrol")
    case.do("lead_check", "handler1", findings="属生态环境部门管辖", recommendation="refer_out",
            referral_target="县生态环境分局", urgent="yes")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意移送")
    referral_clock = case.clock("referral_urgent_24h")
    assert referral_clock["unit"] == "hour" and referral_clock["due_at"].startswith("2026-03-03T01:00")  # 24 h
    case.do("referral_letter", "handler1", referral_target="县生态环境分局", referral_reason="涉嫌环境违法",
            referral_materials="线索登记表、现场照片", urgent="yes")
    case.do("referral_approval", "head1", referral_approval="approve", referral_approval_opinion="同意")
    assert case.clock("referral_urgent_24h")["status"] == "met"
    assert "referral_letter" in [d.kind for d in case.documents()]
    case.at("2026-03-25")  # 15 working days without feedback
    assert sorted(case.open_tasks()) == ["chase_feedback", "referral_feedback"]
    case.do("chase_feedback", "handler1", chased_on="2026-03-25", chase_method="phone", chase_note="已电话督促")
    case.at("2026-03-27")
    case.do("referral_feedback", "handler1", feedback_content="已立案查处", feedback_received_on="2026-03-27")
    assert case.view()["stage"] == "referred" and case.clock("referral_feedback_15wd")["status"] == "met"


def test_summary_procedure_enforces_the_on_the_spot_limits(new_case):
    case = new_case(source="patrol", party_kind="person")
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    assert case.open_tasks() == ["onsite_decision"]
    with pytest.raises(ValidationFailed) as too_high:
        case.do("onsite_decision", "handler2", facts="占道经营", legal_basis="条例第十七条", penalty_kind="fine",
                fine_amount=300, decision_text="罚款", decision_date="2026-03-02", paid_on_spot="yes")
    assert "对公民当场罚款不得超过 200 元" in too_high.value.fields["fine_amount"][0]
    case.do("onsite_decision", "handler2", facts="占道经营", legal_basis="条例第十七条", penalty_kind="fine",
            fine_amount=200, decision_text="罚款贰佰元", decision_date="2026-03-02", paid_on_spot="yes")
    case.do("onsite_delivery", "handler2", recipient="周某某", served_at="2026-03-02", service_method="on_spot",
            party_signed="yes")
    case.at("2026-03-03")
    case.do("summary_filing_record", "handler2", filed_with_agency_on="2026-03-03")
    case.do("closing_approval", "head1", closing_summary="当场处罚，已缴纳", execution_result="已缴纳", closing_approval="approve")
    case.at("2026-03-04")
    case.do("archive", "handler2", archived_on="2026-03-04", volume_count=1, archive_number="DC-2026-S1")
    assert case.view()["stage"] == "archived"
    assert {"onsite_penalty_decision", "service_receipt"} <= {d.kind for d in case.documents()}


def test_transfer_of_a_suspected_crime(new_case):
    case = new_case(source="patrol")
    case.do("lead_check", "handler1", findings="倾倒危险废物，数量巨大", recommendation="transfer_police")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意移送")
    case.do("crime_transfer_report", "handler1", crime_suspicion="涉嫌污染环境罪", transfer_materials="调查材料")
    assert case.clock("crime_transfer_decision_3d")["due"] == "2026-03-05"
    case.at("2026-03-03")
    case.do("crime_transfer_decision", "head1", transfer_decision="approve", transfer_decision_reason="涉嫌犯罪")
    assert case.clock("crime_transfer_24h")["due_at"].startswith("2026-03-04T01:00")
    case.at("2026-03-03 15:00")
    case.do("transfer_to_police", "handler1", police_agency="县公安局", transferred_at="2026-03-03T15:00")
    case.do("police_feedback", "handler1", police_accepted="yes", police_case_number="GA-2026-88", police_feedback_note="已立案")
    assert case.view()["stage"] == "transferred"
    assert "crime_transfer_letter" in [d.kind for d in case.documents()]


def test_unpaid_fine_goes_to_demand_notice_and_court(new_case):
    case = new_case()
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")
    case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=50000,
            decision_text="罚款伍万元", decision_date="2026-03-18")
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-18")
    case.at("2026-03-19")
    case.do("publicity", "handler1", published_on="2026-03-19", publicity_channel="门户网站")
    case.at("2026-04-03 00:01")  # payment period ended on 04-02
    assert case.open_tasks() == ["late_payment"]
    case.at("2026-09-21 00:01")  # six months for a lawsuit have lapsed: enforcement starts
    assert "enforcement" in case.processes() and case.open_tasks() == ["demand_notice"]
    case.do("demand_notice", "handler1", served_on="2026-09-21")
    demand = [d for d in case.documents() if d.kind == "demand_notice"]
    assert demand, "a demand notice is issued"
    case.at("2026-10-12 12:00")
    assert case.open_tasks() == ["await_performance"]  # 10 working days after 09-21 end on 10-12
    case.at("2026-10-13 00:01")
    assert case.open_tasks() == ["court_application"]
    case.do("court_application", "head1", court="县人民法院", applied_on="2026-10-13", application_summary="申请强制执行罚款及加处罚款")
    case.at("2026-11-02")
    case.do("court_outcome", "handler1", court_accepted="yes", ruling="enforced", ruling_on="2026-11-02")
    assert case.view()["stage"] == "enforced" and "closing_approval" in case.open_tasks()


def filed_and_assigned(case):
    """Filed on 2026-03-02 and assigned to two officers who have not investigated yet: the 90 days end on Sunday
    05-31 and roll to Monday 06-01."""
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意")
    ids = [case.staff["handler1"].user_id, case.staff["handler2"].user_id]
    case.do("investigation_assignment", "head1", officers=ids)
    return case


def test_an_untouched_filed_case_is_escalated_when_the_90_days_run_out(new_case):
    case = filed_and_assigned(new_case())
    case.at("2026-06-02 00:01")
    assert "investigation_escalation" in case.open_tasks()
    assert case.clock("decision_90d")["status"] == "overdue"
    case.do("investigation_escalation", "head1", escalation_action="extend", extension_days=30,
            escalation_opinion="案情复杂，批准延长")
    extended = case.clock("decision_90d")
    assert extended["status"] == "running" and extended["due"] == "2026-06-30"


def decide_and_serve(case, decision_date="2026-03-18"):
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at(decision_date)
    case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=50000,
            decision_text="罚款伍万元", decision_date=decision_date)
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at=decision_date)
    case.do("publicity", "handler1", published_on=decision_date, publicity_channel="门户网站")


def test_a_revoked_decision_is_withdrawn_from_publicity_within_three_days(new_case):
    case = new_case()
    decide_and_serve(case)
    assert case.publication().withdrawn_at is None
    case.at("2026-03-25")
    case.message("reconsideration_filed", received_on="2026-03-25", applicant="东城建工集团有限公司")
    case.at("2026-03-30")
    case.do("reconsideration_reply", "reviewer1", reply_summary="答复", evidence_list="证据", submitted_on="2026-03-30")
    case.at("2026-05-06")
    case.do("reconsideration_outcome", "reviewer1", reconsideration_result="revoked", outcome_received_on="2026-05-06",
            outcome_summary="撤销原处罚决定")
    # the payment wait of the ordinary procedure is interrupted, and the publication must go within 3 working days
    assert "await_payment" not in case.open_tasks() and "late_payment" not in case.open_tasks()
    assert case.clock("publicity_withdrawal_3wd")["due"] == "2026-05-09"  # a make-up working Saturday
    case.at("2026-05-07")
    case.do("withdraw_publication", "handler1", withdrawn_on="2026-05-07", withdrawal_note="已从门户网站撤下")
    publication = case.publication()
    assert publication.withdrawn_at is not None and "撤销" in publication.withdraw_reason
    assert case.clock("publicity_withdrawal_3wd")["status"] == "met"
    assert "closing_approval" in case.open_tasks() and case.view()["stage"] == "revoked"


def test_litigation_defence_judgment_and_appeal_window(new_case):
    case = new_case()
    decide_and_serve(case)
    case.at("2026-04-20")
    case.message("lawsuit_filed", received_on="2026-04-20", court="县人民法院")
    assert case.clock("court_defence_15d")["due"] == "2026-05-06"  # 05-05 is within the Labour Day holiday
    assert case.clock("payment_15d")["status"] == "paused"
    case.at("2026-04-28")
    case.do("court_defence", "reviewer1", defence_summary="答辩状", evidence_list="证据目录", submitted_on="2026-04-28")
    case.at("2026-07-01")
    case.do("first_instance_judgment", "reviewer1", judgment_result="dismissed", judgment_served_on="2026-07-01",
            judgment_summary="驳回诉讼请求")
    assert case.clock("appeal_judgment_15d")["due"] == "2026-07-16"
    case.at("2026-07-17 00:01")  # nobody appealed in time: the judgment stands and the payment clock runs again
    assert case.clock("payment_15d")["status"] in ("running", "lapsed")  # the party's window: lapsed, never overdue
    assert case.processes()["litigation"] == "completed"
