"""A document is issued only with every fact the law requires in it (行政处罚法第五十二条、第五十九条): a missing
agency setting or party address refuses the step that issues it, and nothing of that step is saved; what is
issued states the party's statement and whether it was adopted, and an on-the-spot decision has no filing date."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from engine.documents import REQUIRED_FACTS
from engine.errors import ValidationFailed
from engine.services import agency_settings
from engine.store.models import Agency, AuditRecord, CaseDocument, ProcessInstance
from tests.conftest import AGENCY_DOCUMENT_SETTINGS

from .document_dates import case_dates
from .test_paths import ACCEPT, file_and_investigate

ONSITE = dict(facts="在育才路学校门口占道经营", legal_basis="《城市市容和环境卫生管理条例》第十七条", penalty_kind="fine",
              fine_amount=100, decision_text="罚款壹佰元", decision_date="2026-03-02", paid_on_spot="no")


def clear_setting(world, name: str) -> None:
    with world.uow() as uow:
        uow.session.execute(update(Agency).where(Agency.id == world.agency_id).values({name: None}))
        uow.commit()


def issued(world, case_id: int) -> dict[str, str]:
    """kind → HTML of the case's documents (the latest of a kind)."""
    with world.uow() as uow:
        return {d.kind: d.html for d in uow.session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.id))}


def saved_state(world, case_id: int) -> tuple:
    with world.uow() as uow:
        return (uow.session.scalar(select(CaseDocument.id).where(CaseDocument.case_id == case_id)
                                   .order_by(CaseDocument.id.desc()).limit(1)),
                uow.session.scalar(select(AuditRecord.id).order_by(AuditRecord.id.desc()).limit(1)),
                sorted((i.id, i.status, i.version) for i in uow.session.scalars(
                    select(ProcessInstance).where(ProcessInstance.case_id == case_id))))


def test_a_missing_setting_refuses_the_decision_and_saves_nothing_until_an_admin_sets_it(new_case, world, staff):
    case = new_case(source="patrol", party_kind="person")
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    clear_setting(world, "reconsideration_body")
    before = saved_state(world, case.case_id)
    with pytest.raises(ValidationFailed) as refused:
        case.do("onsite_decision", "handler2", **ONSITE)
    assert refused.value.fields["agency.reconsideration_body"] == [
        "本机关尚未设置复议机关，无法制作《当场行政处罚决定书》：请管理员在 管理与监督 › 机关 中填写。"]
    assert saved_state(world, case.case_id) == before  # no document, no record, no step: the task is still open
    assert case.open_tasks() == ["onsite_decision"]

    agency_settings.save_document_settings(agency_id=world.agency_id, settings=AGENCY_DOCUMENT_SETTINGS,
                                           actor=staff["admin1"], **world.deps())
    case.do("onsite_decision", "handler2", **ONSITE)
    decision = next(d for d in case.documents() if d.kind == "onsite_penalty_decision")
    assert decision.title == "当场行政处罚决定书" and "当罚字" in decision.number
    html = issued(world, case.case_id)["onsite_penalty_decision"]
    assert "立案" not in html and "事先告知" not in html
    for fact in ("东城县人民政府", "东城县人民法院", "测试银行东城支行", "6222 0000 1234", "人民路 88 号", "应当先申请行政复议"):
        assert fact in html, fact


def test_the_ordinary_decision_states_the_statement_its_adoption_and_the_partys_address(new_case, world):
    case = new_case(party_address="")
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.do("party_response", "handler1", statement_received="yes", statement_summary="系初次违法，已清理河道，请求从轻",
            hearing_requested="no")
    case.do("statement_review", "handler1", statement_adopted="partly", statement_review_note="清理属实，从轻；倾倒事实成立")
    decision = dict(decision="penalty", penalty_kind="fine", fine_amount=50000, decision_text="罚款伍万元",
                    decision_date="2026-03-18")
    case.at("2026-03-18")
    with pytest.raises(ValidationFailed) as refused:
        case.do("penalty_decision", "head1", **decision)
    assert refused.value.fields["party_address"] == [
        "案件未登记当事人的住所（住址），无法制作《行政处罚决定书》：请在本步骤的「当事人住所（住址）」一栏填写。"]
    assert "penalty_decision" not in {d.kind for d in case.documents()}
    case.do("penalty_decision", "head1", **decision, party_address="东城县工业园区 3 号")
    html = issued(world, case.case_id)["penalty_decision"]
    for fact in ("住所（住址）：<span class=\"filled\">东城县工业园区 3 号", "系初次违法，已清理河道，请求从轻",
                 "部分予以采纳。理由：清理属实，从轻；倾倒事实成立", "2026年3月2日</span>立案",
                 "东城县人民政府</span>申请行政复议", "东城县人民法院</span>提起行政诉讼", "6222 0000 1234",
                 "印章：东城镇综合行政执法队"):
        assert fact in html, fact


def test_every_document_a_whole_case_issues_states_what_the_law_requires(new_case, world):
    case = new_case()
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")  # no statement within the period
    case.do("penalty_decision", "head1", decision="penalty", penalty_kind="fine", fine_amount=50000,
            decision_text="罚款伍万元", decision_date="2026-03-18")
    case.do("service", "handler1", service_method="direct", recipient="王某", served_at="2026-03-18")
    documents = issued(world, case.case_id)
    assert {"filing_approval_form", "inspection_record", "inquiry_record", "investigation_report", "prior_notice",
            "penalty_decision", "service_receipt"} <= set(documents)
    values = {"party_name": "东城建工集团有限公司", "party_address": "人民路 90 号", "place": "人民路 88 号",
              **{f"agency.{name}": value for name, value in AGENCY_DOCUMENT_SETTINGS.items()}}
    for kind, html in documents.items():
        for key, _condition in REQUIRED_FACTS.get(kind, ()):
            assert values[key] in html, (kind, key)
        assert "None" not in html, kind
    assert "当事人在规定期限内未提出陈述、申辩意见。" in documents["penalty_decision"]
    with world.uow() as uow:  # what the scenario suite's order check reads from the printed documents
        printed = case_dates(uow.session)[case.case_id]
    assert {name: sorted(values) for name, values in printed.items()} == {
        "filed": [date(2026, 3, 2)], "notice": [date(2026, 3, 10)], "decided": [date(2026, 3, 18)],
        "served": [date(2026, 3, 18)]}
    notice = documents["prior_notice"]
    assert "东城镇人民路 1 号" in notice and "0571-00000000" in notice  # the agency's contact line


def test_evidence_measures_issue_their_notice_decision_list_and_release(new_case, world):
    case = new_case()
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="现场核实属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    case.do("investigation_assignment", "head1", officers=[case.staff["handler1"].user_id,
                                                            case.staff["handler2"].user_id], assignment_note="张明主办")
    case.at("2026-03-04 16:00")
    investigation = dict(inspection_time="2026-03-04T09:30", inspection_place="滨河路工地", inspection_findings="河道内堆有建筑垃圾",
                         evidence_preserved="yes", seized="yes", measures_on="2026-03-04")
    with pytest.raises(ValidationFailed) as no_list:
        case.do("investigation", "handler1", **investigation)
    assert "measure_items" in no_list.value.fields and "measure_reason" in no_list.value.fields
    case.do("investigation", "handler1", **investigation, measure_reason="运输车辆系违法倾倒工具，可能被转移",
            measure_items="渣土运输车 1 辆（浙A·12345）\n行车记录仪存储卡 1 张")
    documents = issued(world, case.case_id)
    notice, seizure = documents["preservation_notice"], documents["seizure_decision"]
    assert "第五十六条" in notice and "行车记录仪存储卡 1 张" in notice and "七日内作出处理决定" in notice
    for fact in ("人民路 90 号", "运输车辆系违法倾倒工具", "渣土运输车 1 辆（浙A·12345）", "三十日", "查封（扣押）清单",
                 "东城县人民政府</span>申请行政复议", "东城县人民法院</span>提起行政诉讼", "印章：东城镇综合行政执法队"):
        assert fact in seizure, fact
    assert "preservation_decision" in case.open_tasks()  # then the seizure (evidence_measures.bpmn)
    case.at("2026-03-06 16:00")
    case.do("preservation_decision", "handler1", preservation_result="release", decided_on="2026-03-06",
            preservation_note="已拍照、复制，无需继续保存")
    case.do("seizure_handling", "handler1", seizure_result="release", handled_on="2026-03-06",
            seizure_note="违法事实已查清，不再需要扣押")
    documents = issued(world, case.case_id)
    assert "解除上述先行登记保存" in documents["preservation_release"]
    released = documents["seizure_release"]
    assert "第二十八条" in released and "立即退还" in released and "不再需要扣押" in released
    assert "渣土运输车 1 辆" in released


def test_no_penalty_decision_is_issued_for_a_case_decided_without_a_penalty(new_case, world):
    case = new_case()
    file_and_investigate(case)
    assert "preservation_notice" not in issued(world, case.case_id)  # no measure was taken
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")
    case.do("penalty_decision", "head1", decision="no_penalty", decision_text="首违不罚", decision_date="2026-03-18")
    assert "penalty_decision" not in issued(world, case.case_id)


@pytest.mark.parametrize("method", ["letter", "phone"])
def test_a_real_name_complainant_told_in_writing_gets_a_not_filing_notice(new_case, world, method):
    case = new_case()
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="经查不存在违法行为", recommendation="not_file", not_file_reason="无违法事实")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意不予立案")
    case.at("2026-03-03")
    case.do("complainant_reply", "handler1", reply_content="经核查未发现违法行为，决定不予立案", reply_method=method,
            replied_on="2026-03-03")
    documents = issued(world, case.case_id)
    if method == "phone":  # told by telephone: no written notice pretends otherwise
        assert "not_filing_notice" not in documents
        return
    notice = documents["not_filing_notice"]
    for fact in ("刘女士：", "2026年3月1日", "经查不存在违法行为", "决定不予立案", "无违法事实", "东城镇人民路 1 号",
                 "印章：东城镇综合行政执法队"):
        assert fact in notice, fact


def decided_case(new_case):
    case = new_case()
    file_and_investigate(case)
    case.at("2026-03-10")
    case.do("prior_notice", "handler1", intended_penalty="罚款伍万元", notice_date="2026-03-10", hearing_eligible="no",
            service_method="direct")
    case.at("2026-03-18")  # no statement within the period
    return case


DECISION = dict(decision="penalty", penalty_kind="fine", fine_amount=50000, decision_text="罚款伍万元",
                decision_date="2026-03-18")


def test_a_decision_ordering_correction_issues_the_correction_order_stating_what_and_by_when(new_case, world):
    case = decided_case(new_case)
    before = saved_state(world, case.case_id)
    with pytest.raises(ValidationFailed) as refused:  # ordered, but what to correct is not said
        case.do("penalty_decision", "head1", **DECISION, correction_ordered="yes", correction_deadline="2026-04-30")
    assert refused.value.fields["correction_content"] == ["责令改正的，须写明改正内容。"]
    with pytest.raises(ValidationFailed) as refused:  # by a day before the decision
        case.do("penalty_decision", "head1", **DECISION, correction_ordered="yes", correction_content="清理倾倒的渣土",
                correction_deadline="2026-03-17")
    assert refused.value.fields["correction_deadline"] == ["改正期限 2026-03-17 早于决定日期 2026-03-18。"]
    assert saved_state(world, case.case_id) == before and case.open_tasks() == ["penalty_decision"]

    case.do("penalty_decision", "head1", **DECISION, correction_ordered="yes",
            correction_content="清理倾倒在河道内的建筑渣土，恢复河道原状", correction_deadline="2026-04-30")
    order = next(d for d in case.documents() if d.kind == "correction_order")
    assert order.title == "责令（限期）改正通知书" and "责改字" in order.number
    html = issued(world, case.case_id)["correction_order"]
    for fact in ("清理倾倒在河道内的建筑渣土，恢复河道原状", "2026年4月30日</span>前改正", "第二十八条第一款",
                 "东城建工集团有限公司", "印章：东城镇综合行政执法队", "2026年3月18日"):
        assert fact in html, fact
    assert "None" not in html


@pytest.mark.parametrize("ordered", [{}, {"correction_ordered": "no"}])
def test_no_correction_order_when_the_decision_orders_no_correction(new_case, world, ordered):
    case = decided_case(new_case)
    case.do("penalty_decision", "head1", **DECISION, **ordered)
    kinds = {d.kind for d in case.documents()}
    assert "penalty_decision" in kinds and "correction_order" not in kinds


def test_the_order_check_reads_the_printed_dates_and_names_a_pair_out_of_order():
    from engine.documents import render_document
    from tests.unit.test_documents_render import context

    from .document_dates import out_of_order, printed_dates
    decision = context()
    decision.data.update(filed_on="2026-03-12", correction_deadline="2026-03-20")  # filed after the notice
    printed = printed_dates(render_document("penalty_decision", decision), "penalty_decision")
    assert printed == {"filed": date(2026, 3, 12), "notice": date(2026, 3, 10), "decided": date(2026, 3, 25)}
    printed.update(printed_dates(render_document("correction_order", decision), "correction_order"))
    printed.update(printed_dates(render_document("service_receipt", decision), "service_receipt"))
    assert printed["correction_due"] == date(2026, 3, 20) and printed["served"] == date(2026, 3, 26)
    assert out_of_order({name: [value] for name, value in printed.items()}) == [
        "filed 2026-03-12 after notice 2026-03-10", "decided 2026-03-25 after correction_due 2026-03-20"]


def test_an_on_the_spot_decision_that_orders_correction_issues_the_correction_order(new_case, world):
    case = new_case(source="patrol", party_kind="person")
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    with pytest.raises(ValidationFailed) as refused:
        case.do("onsite_decision", "handler2", **ONSITE, correction_ordered="yes")
    assert refused.value.fields["correction_content"] == ["责令改正的，须写明改正内容。"]
    assert refused.value.fields["correction_deadline"] == ["责令改正的，须填写改正期限。"]
    case.do("onsite_decision", "handler2", **ONSITE, correction_ordered="yes", correction_content="清除门口占道摊位",
            correction_deadline="2026-03-05")
    html = issued(world, case.case_id)["correction_order"]
    assert "清除门口占道摊位" in html and "2026年3月5日" in html and "第二十八条第一款" in html
    assert [d.kind for d in case.documents()] == ["onsite_penalty_decision", "correction_order"]


def test_an_on_the_spot_warning_without_correction_issues_no_correction_order(new_case, world):
    case = new_case(source="patrol", party_kind="person")
    case.do("lead_check", "handler2", findings="当场查实", recommendation="summary")
    case.do("onsite_decision", "handler2", **{**ONSITE, "penalty_kind": "warning", "fine_amount": None,
                                               "decision_text": "警告"}, correction_ordered="no")
    assert "correction_order" not in issued(world, case.case_id)
