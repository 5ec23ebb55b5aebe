"""What the law requires each document to state (行政处罚法第五十二条、第五十九条) is declared in one place, found
missing before anything is issued, and printed from the record: the party's statement and whether it was
adopted, the agency's remedies and account, and no filing or prior-notice date on an on-the-spot decision."""
from __future__ import annotations

import pytest

from engine.documents import FACTS, REQUIRED_FACTS, missing_facts_for, render_document

from .test_documents_render import AGENCY, FULL_DATA, context, visible_text


def keys(kind, **overrides) -> list[str]:
    return [fact.key for fact in missing_facts_for(kind, context(**overrides))]


def test_every_required_fact_is_declared_and_every_kind_exists():
    from engine.documents import DOCUMENT_KINDS
    assert set(REQUIRED_FACTS) <= set(DOCUMENT_KINDS)
    assert {key for needed in REQUIRED_FACTS.values() for key, _ in needed} <= set(FACTS)


@pytest.mark.parametrize("kind", sorted(REQUIRED_FACTS))
def test_with_the_record_complete_nothing_is_missing_and_every_required_fact_is_printed(kind):
    assert keys(kind) == []
    text = visible_text(render_document(kind, context()))
    for key, _condition in REQUIRED_FACTS[kind]:
        value = {"party_name": "周某某", "party_address": "人民路 90 号", "place": "人民路 88 号",
                 "correction_content": "拆除人行道上的摊架", "correction_deadline": "2026年4月8日"}.get(key) \
            or AGENCY[key.split(".", 1)[1]]
        assert value in text, f"{kind} lacks {key}"


@pytest.mark.parametrize("setting", ["reconsideration_body", "litigation_court", "payment_bank",
                                     "payment_account_name", "payment_account_number", "seal_text"])
def test_a_missing_agency_setting_is_named_with_where_to_set_it(setting):
    missing = missing_facts_for("penalty_decision", context(agency={**AGENCY, setting: ""}))
    assert [fact.key for fact in missing] == [f"agency.{setting}"]
    message = missing[0].message("《行政处罚决定书》")
    assert message.startswith("本机关尚未设置") and "无法制作《行政处罚决定书》" in message
    assert "请管理员在 管理与监督 › 机关 中填写" in message


def test_the_reconsideration_body_message_reads_as_the_tester_expects():
    fact = missing_facts_for("penalty_decision", context(agency={**AGENCY, "reconsideration_body": None}))[0]
    assert fact.message("行政处罚决定书") == \
        "本机关尚未设置复议机关，无法制作行政处罚决定书：请管理员在 管理与监督 › 机关 中填写。"


def test_the_payment_account_is_required_only_for_a_fine_the_party_pays_into_the_bank():
    no_account = {**AGENCY, "payment_bank": "", "payment_account_name": "", "payment_account_number": ""}
    assert len(keys("penalty_decision", agency=no_account)) == 3
    warning = {**FULL_DATA, "penalty_kind": "warning", "fine_amount": None}
    assert keys("penalty_decision", agency=no_account, data=warning) == []
    on_the_spot = {**FULL_DATA, "fine_amount": 100, "paid_on_spot": "yes"}  # 行政处罚法第六十八条
    assert keys("onsite_penalty_decision", agency=no_account, data=on_the_spot) == []
    assert len(keys("onsite_penalty_decision", agency=no_account, data={**on_the_spot, "paid_on_spot": "no"})) == 3


def test_the_ordinary_decision_needs_the_partys_address_and_the_on_the_spot_one_its_place():
    no_address = {"name": "周某某", "kind": "person", "id_number": "330102198503150010", "address": ""}
    assert keys("penalty_decision", party=no_address) == ["party_address"]
    assert keys("onsite_penalty_decision", party=no_address) == []  # 第五十二条 lists no address
    assert keys("onsite_penalty_decision", location=None) == ["place"]
    assert keys("onsite_penalty_decision", location=None, data={**FULL_DATA, "place": "育才路口"}) == []


def test_the_decision_states_the_partys_statement_and_whether_it_was_adopted_and_why():
    text = visible_text(render_document("penalty_decision", context()))
    assert "当事人提出的陈述、申辩意见： 当事人称系初次经营，请求从轻。" in text
    assert "经复核，本机关对当事人的陈述、申辩意见部分予以采纳。理由：初次违法属实，从轻；占道事实成立，不予免除。" in text
    assert "住所（住址）：人民路 90 号" in text


def test_a_party_who_said_nothing_is_said_to_have_said_nothing():
    silent = {**FULL_DATA, "statement_received": "no", "statement_summary": None, "statement_adopted": None,
              "hearing_record": None, "hearing_time": None}
    text = visible_text(render_document("penalty_decision", context(data=silent)))
    assert "当事人在规定期限内未提出陈述、申辩意见。" in text and "经复核" not in text


def test_after_a_hearing_the_decision_says_what_was_adopted_from_it():
    heard = {**FULL_DATA, "statement_adopted": None, "hearing_opinion_adopted": "rejected",
             "hearing_adoption_reason": "当事人所称与监控录像不符。"}
    text = visible_text(render_document("penalty_decision", context(data=heard)))
    assert "当事人陈述、申辩（听证）意见及采纳情况" in text and "请求从轻处罚" in text
    assert "经复核，本机关对当事人的意见不予采纳。理由：当事人所称与监控录像不符。" in text


def test_the_on_the_spot_decision_has_no_filing_or_prior_notice_and_says_reconsideration_comes_first():
    text = visible_text(render_document("onsite_penalty_decision", context()))
    assert "立案" not in text and "事先告知" not in text and "陈述、申辩意见及采纳情况" not in text
    assert "第五十二条" in text and "出示执法证件" in text and "作出决定的时间、地点：2026年3月25日，人民路 88 号" in text
    assert "应当先申请行政复议" in text and "收到行政复议决定书之日起十五日内依法向东城县人民法院提起行政诉讼" in text
    assert "执法人员签名或者盖章" in text and "当事人拒绝签收的" in text
    paid = visible_text(render_document("onsite_penalty_decision", context(
        data={**FULL_DATA, "fine_amount": 50, "paid_on_spot": "yes"})))
    assert "当场收缴" in paid and "收到本决定书之日起十五日内" not in paid


def test_agency_address_and_telephone_fill_the_contact_line_of_every_notice():
    for kind in ("prior_notice", "hearing_notice", "demand_notice", "referral_letter"):
        text = visible_text(render_document(kind, context()))
        assert "本机关地址：东城镇人民路 1 号" in text and "联系电话：0571-88880000" in text, kind
    assert "东城农商银行人民路支行（户名：东城县财政局；账号：6222 0000 1234）" in visible_text(
        render_document("demand_notice", context()))


def test_a_document_listed_on_a_task_is_issued_only_for_what_the_step_recorded():
    from engine.documents import issued_for
    assert issued_for("penalty_decision", {"decision": "penalty"}) and issued_for("penalty_decision", {})
    assert not issued_for("penalty_decision", {"decision": "no_penalty"})
    assert not issued_for("penalty_decision", {"decision": "transfer_police"})
    assert issued_for("correction_order", {"decision": "penalty", "correction_ordered": "yes"})
    assert not issued_for("correction_order", {"decision": "penalty", "correction_ordered": "no"})
    assert not issued_for("correction_order", {"decision": "penalty"})
    assert issued_for("seizure_decision", {"seized": "yes"}) and not issued_for("seizure_decision", {"seized": "no"})
    assert not issued_for("preservation_notice", {"evidence_preserved": "no", "seized": "yes"})
    assert issued_for("seizure_release", {"seizure_result": "release", "preservation_result": "seize"})
    assert not issued_for("preservation_release", {"preservation_result": "seize", "seizure_result": "release"})
    assert issued_for("inspection_record", {})  # kinds without a condition: whenever their task completes
    not_filed = {"recommendation": "not_file", "approval": "approve", "reply_method": "letter"}
    assert issued_for("not_filing_notice", not_filed)
    assert not issued_for("not_filing_notice", {**not_filed, "reply_method": "phone"})  # told, but not in writing
    assert not issued_for("not_filing_notice", {**not_filed, "recommendation": "file"})


def test_a_correction_order_needs_what_to_correct_and_by_when():
    ordered = {**FULL_DATA, "correction_ordered": "yes", "correction_content": "拆除摊架",
               "correction_deadline": "2026-04-08"}
    assert keys("correction_order", data=ordered) == []
    assert keys("correction_order", data={**ordered, "correction_content": " "}) == ["correction_content"]
    fact = missing_facts_for("correction_order", context(data={**ordered, "correction_deadline": None}))[0]
    assert fact.message("《责令（限期）改正通知书》") == (
        "未记录改正期限，无法制作《责令（限期）改正通知书》：请在本步骤的「改正期限」一栏填写。")
