"""Every enforcement document prints what the law requires it to say, escapes what people typed, and leaves a
blank line — never "None" — where data is missing."""
from __future__ import annotations

import re
from datetime import date

import pytest

from engine.documents import DOCUMENT_KINDS, DocumentContext, render_document
from engine.documents.formatting import cn_date, money, rmb_upper

KEYS = ["filing_approval_form", "inspection_record", "inquiry_record", "investigation_report",
        "legal_review_opinion", "prior_notice", "hearing_notice", "hearing_record", "penalty_decision",
        "correction_order", "onsite_penalty_decision", "service_receipt", "preservation_notice", "seizure_decision",
        "preservation_release", "seizure_release", "not_filing_notice", "referral_letter", "crime_transfer_letter", "demand_notice",
        "closing_approval_form"]
# documents of a measure taken during the investigation: they state its reason and basis, not the violation's
MEASURES = {"preservation_notice", "seizure_decision", "preservation_release", "seizure_release"}
# written to the complainant, not to the party: it names neither the party nor the officers who acted
TO_THE_COMPLAINANT = {"not_filing_notice"}

FULL_DATA = {
    "findings": "初查属实：当事人在人行道上摆摊经营水果。", "approval_opinion": "同意立案，由张执法、李执法承办。",
    "filed_on": "2026-03-03",
    "inspection_time": "2026-03-04T09:30:00+08:00", "inspection_place": "人民路 88 号门前人行道",
    "inspection_findings": "现场有水果摊位一处，占用人行道约 6 平方米。",
    "inquiry_time": "2026-03-05T14:00:00+08:00", "inquiry_place": "东城镇综合行政执法队询问室",
    "inquiry_person": "周某某", "inquiry_content": "问：你是否在人民路摆摊？答：是的，已经一个月了。",
    "facts": "当事人自 2026 年 2 月起在人民路 88 号门前人行道摆摊经营水果，占道面积约 6 平方米。",
    "evidence_summary": "现场检查笔录、询问笔录、现场照片 6 张",
    "legal_basis": "《城市市容和环境卫生管理条例》第十四条、第三十六条第（二）项",
    "proposed_penalty": "fine", "proposed_fine": "500", "discretion_reason": "初次违法，当场改正，从轻处罚。",
    "review_conclusion": "approve", "review_opinion": "事实清楚，证据确凿，程序合法。", "reviewer_name": "王审核",
    "intended_penalty": "罚款人民币伍佰元整", "hearing_eligible": True, "notice_date": "2026-03-10",
    "hearing_time": "2026-03-20T10:00:00+08:00", "hearing_place": "本机关听证室", "hearing_host": "赵主持",
    "hearing_record": "当事人对事实无异议，请求从轻处罚。", "hearing_participants": "当事人周某某；调查人员张执法、李执法",
    "penalty_kind": "fine", "fine_amount": 5000, "decision_text": "罚款人民币伍仟元整。",
    "decision_date": "2026-03-25", "statement_received": "yes", "statement_summary": "当事人称系初次经营，请求从轻。",
    "statement_adopted": "partly", "statement_review_note": "初次违法属实，从轻；占道事实成立，不予免除。",
    "service_method": "direct", "served_at": "2026-03-26T10:00:00+08:00", "recipient": "周某某",
    "referral_target": "东城镇市场监督管理所", "referral_reason": "涉嫌无照经营食品，属市场监管部门管辖。",
    "referral_materials": "现场检查笔录 1 份、照片 6 张", "urgent": True,
    "police_agency": "东城县公安局", "crime_suspicion": "非法经营罪", "transfer_materials": "调查报告、涉案物品清单",
    "amount_due": 5000, "surcharge": 1500, "demand_deadline": "2026-05-10",
    "measures_on": "2026-03-04", "measure_reason": "摊位物品可能被转移，依据《城市市容和环境卫生管理条例》第十四条",
    "measure_items": "水果摊架 1 个\n电子秤 1 台", "preservation_result": "release", "decided_on": "2026-03-09",
    "preservation_note": "已拍照固定证据", "seizure_result": "release", "handled_on": "2026-03-20",
    "seizure_note": "案件已作出处理决定，不再需要扣押", "complainant_name": "刘女士",
    "discovered_at": "2026-03-01T20:00:00+08:00", "not_file_reason": "无违法事实", "replied_on": "2026-03-03",
    "correction_ordered": "yes", "correction_content": "拆除人行道上的摊架，恢复通行。",
    "correction_deadline": "2026-04-08",
    "closing_summary": "罚款已缴清，建议结案。", "execution_result": "当事人于 2026-04-01 缴清罚款 5000 元。",
}

# What a reader of each document looks for besides the common parts.
SPECIFIC = {
    "filing_approval_form": ["立案审批表", "同意立案，由张执法、李执法承办。", "2026年3月3日", "第五十四条", "负责人签名"],
    "inspection_record": ["现场检查（勘验）笔录", "占用人行道约 6 平方米", "人民路 88 号门前人行道",
                          "2026年3月4日 9时30分", "申请回避", "当事人签名"],
    "inquiry_record": ["询问笔录", "已经一个月了", "东城镇综合行政执法队询问室", "2026年3月5日 14时00分", "如实回答",
                       "被询问人签名"],
    "investigation_report": ["案件调查终结报告", "现场照片 6 张", "罚款，罚款人民币伍佰元整（¥500.00）",
                             "初次违法，当场改正"],
    "legal_review_opinion": ["法制审核意见书", "第五十八条", "王审核", "事实清楚，证据确凿，程序合法。", "同意"],
    "prior_notice": ["行政处罚事先告知书", "罚款人民币伍佰元整", "陈述、申辩", "要求举行听证", "五个工作日内"],
    "hearing_notice": ["听证通知书", "2026年3月20日 10时00分", "本机关听证室", "赵主持", "一至二人代理"],
    "hearing_record": ["听证笔录", "请求从轻处罚", "赵主持", "当事人周某某；调查人员张执法、李执法", "核对无误"],
    "penalty_decision": ["行政处罚决定书", "罚款人民币伍仟元整", "¥5,000.00", "6222 0000 1234", "2026年3月25日",
                         "依法向东城县人民政府申请行政复议", "依法向东城县人民法院提起行政诉讼"],
    "correction_order": ["责令（限期）改正通知书", "周某某：", "第二十八条第一款", "2026年4月8日前改正",
                         "拆除人行道上的摊架，恢复通行。", "2026年3月25日", "印章：东城镇综合行政执法队",
                         "当事人签收"],
    "onsite_penalty_decision": ["当场行政处罚决定书", "罚款人民币伍仟元整", "第五十二条", "人民路 88 号",
                                "2026年3月25日", "依法向东城县人民政府申请行政复议", "应当先申请行政复议"],
    "service_receipt": ["送达回证", "直接送达", "2026年3月26日 10时00分", "受送达人"],
    "preservation_notice": ["先行登记保存通知书", "第五十六条", "电子秤 1 台", "2026年3月4日", "七日内作出处理决定"],
    "seizure_decision": ["查封（扣押）决定书", "查封（扣押）清单", "电子秤 1 台", "三十日", "第二十四条",
                         "人民路 90 号", "依法向东城县人民政府申请行政复议", "一式二份"],
    "preservation_release": ["解除先行登记保存决定书", "解除上述先行登记保存", "已拍照固定证据", "2026年3月9日"],
    "seizure_release": ["解除查封（扣押）决定书", "第二十八条", "立即退还", "不再需要扣押", "2026年3月20日"],
    "not_filing_notice": ["不予立案告知书", "刘女士：", "你于2026年3月1日向本机关反映的人民路占道经营", "决定不予立案",
                          "无违法事实", "本机关地址：东城镇人民路 1 号", "2026年3月3日"],
    "referral_letter": ["案件移送函", "东城镇市场监督管理所", "属市场监管部门管辖", "照片 6 张", "特急"],
    "crime_transfer_letter": ["涉嫌犯罪案件移送书", "东城县公安局", "非法经营罪", "涉案物品清单", "第二十七条",
                              "三日内"],
    "demand_notice": ["催告书", "5,000.00", "1,500.00", "2026年5月10日", "行政强制法》第三十五条", "陈述和申辩"],
    "closing_approval_form": ["结案审批表", "罚款已缴清，建议结案。", "缴清罚款 5000 元", "负责人审批意见"],
}


AGENCY = {"reconsideration_body": "东城县人民政府", "litigation_court": "东城县人民法院",
          "payment_bank": "东城农商银行人民路支行", "payment_account_name": "东城县财政局",
          "payment_account_number": "6222 0000 1234", "address": "东城镇人民路 1 号", "telephone": "0571-88880000",
          "seal_text": "东城镇综合行政执法队"}


def context(**overrides) -> DocumentContext:
    values = dict(
        agency_name="东城镇综合行政执法队", document_number="东城综执罚决字〔2026〕12号",
        case_number="东城综执案〔2026〕7号", agency=dict(AGENCY),
        party={"name": "周某某", "kind": "person", "id_number": "330102198503150010", "address": "人民路 90 号"},
        case_summary="人民路占道经营", location="人民路 88 号",
        officers=[{"name": "张执法", "certificate_number": "ZF-33010001"},
                  {"name": "李执法", "certificate_number": "ZF-33010002"}],
        data=dict(FULL_DATA), issued_on=date(2026, 3, 25), issued_by="张执法")
    values.update(overrides)
    return DocumentContext(**values)


def visible_text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body))


def test_the_catalog_has_every_kind_with_title_word_and_template():
    assert list(DOCUMENT_KINDS) == KEYS
    assert DOCUMENT_KINDS["penalty_decision"].title == "行政处罚决定书"
    assert DOCUMENT_KINDS["penalty_decision"].number_word == "罚决字"
    assert DOCUMENT_KINDS["filing_approval_form"].number_word == "立审字"
    assert len({kind.number_word for kind in DOCUMENT_KINDS.values()}) == len(KEYS)


@pytest.mark.parametrize("kind", KEYS)
def test_every_kind_prints_the_common_parts_and_its_own_content(kind):
    html = render_document(kind, context())
    text = visible_text(html)
    violation = [] if kind in MEASURES | TO_THE_COMPLAINANT else [
        "占道面积约 6 平方米", "《城市市容和环境卫生管理条例》第十四条"]
    party_and_officers = [] if kind in TO_THE_COMPLAINANT else [
        "周某某", "自然人", "330102198503150010", "张执法", "ZF-33010001", "李执法", "ZF-33010002"]
    for expected in ["东城镇综合行政执法队", DOCUMENT_KINDS[kind].title, "东城综执罚决字〔2026〕12号",
                     "东城综执案〔2026〕7号", *party_and_officers, *violation, *SPECIFIC[kind]]:
        assert expected in text, f"{kind} lacks {expected!r}"
    assert "None" not in text


@pytest.mark.parametrize("kind", KEYS)
def test_every_kind_is_a_self_contained_printable_a4_page(kind):
    html = render_document(kind, context())
    assert html.startswith("<!doctype html>") and '<meta charset="utf-8">' in html
    assert "@page { size: A4; margin: 25mm 20mm; }" in html
    assert '"Noto Serif CJK SC"' in html and "SimSun" in html
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html), "no external assets"
    assert "url(" not in html


def test_the_penalty_decision_states_remedies_payment_and_the_late_surcharge():
    text = visible_text(render_document("penalty_decision", context()))
    assert "收到本决定书之日起六十日内依法向" in text and "申请行政复议" in text
    assert "六个月内依法向" in text and "提起行政诉讼" in text
    assert "收到本决定书之日起十五日内" in text
    assert "第七十二条第一款第一项" in text and "每日按罚款数额的百分之三加处罚款" in text
    assert "加处罚款的数额不得超出罚款的数额" in text
    assert "罚款金额：人民币伍仟元整（¥5,000.00）" in text
    assert "申请人民法院强制执行" in text and "（印章：东城镇综合行政执法队）" in text


def test_a_decision_without_a_fine_does_not_ask_for_payment():
    data = {**FULL_DATA, "penalty_kind": "warning", "fine_amount": None, "decision_text": "给予警告。"}
    text = visible_text(render_document("penalty_decision", context(data=data)))  # the report proposed ¥500
    assert "处罚种类：警告" in text and "十五日内" not in text and "百分之三" not in text and "伍佰" not in text
    assert "六十日内" in text and "六个月内" in text


def test_the_prior_notice_offers_a_hearing_only_when_the_case_qualifies():
    with_hearing = visible_text(render_document("prior_notice", context()))
    assert "收到本告知书之日起五个工作日内向本机关提出" in with_hearing
    assert "第四十四条、第四十五条" in with_hearing and "有权要求举行听证" in with_hearing
    assert "2026年3月10日" in with_hearing  # the notice date above the seal
    without = visible_text(render_document("prior_notice", context(data={**FULL_DATA, "hearing_eligible": False})))
    assert "陈述、申辩的权利" in without and "听证" not in without
    for answer in ("no", "false", "否"):  # form answers arrive as text
        as_text = visible_text(render_document("prior_notice", context(data={**FULL_DATA, "hearing_eligible": answer})))
        assert "听证" not in as_text, answer
    assert "有权要求举行听证" in visible_text(render_document("prior_notice", context(
        data={**FULL_DATA, "hearing_eligible": "yes"})))


def test_html_typed_by_people_is_printed_as_text_never_as_markup():
    hostile = '<script>alert("x")</script><b>周某某</b>'
    html = render_document("penalty_decision", context(
        party={"name": hostile, "kind": "organisation", "id_number": "<i>91330100</i>"},
        case_summary="<img src=x onerror=alert(1)>", data={**FULL_DATA, "facts": "<u>占道</u> & 经营"}))
    assert "<script" not in html and "<b>" not in html and "<img" not in html and "<u>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;周某某&lt;/b&gt;" in html
    assert "&lt;u&gt;占道&lt;/u&gt; &amp; 经营" in html and "&lt;i&gt;91330100&lt;/i&gt;" in html
    assert "统一社会信用代码" in visible_text(html) and "法人或其他组织" in visible_text(html)


@pytest.mark.parametrize("kind", KEYS)
def test_missing_optional_data_prints_blank_lines_not_none(kind):
    bare = context(party={"name": "周某某", "kind": None, "id_number": None}, location=None, officers=[],
                   data={}, issued_by="")
    html = render_document(kind, bare)
    text = visible_text(html)
    assert "None" not in text and "none" not in text and "Undefined" not in text and "null" not in text
    assert 'class="blank"' in html  # a line to fill in by hand
    assert "东城综执案〔2026〕7号" in text
    if kind not in TO_THE_COMPLAINANT:
        assert "周某某" in text
        # two officers must act (行政处罚法第四十二条): two blank certificate numbers to fill in
        assert text.count("执法证号：") >= 2


def test_sparse_data_with_explicit_nones_prints_no_none():
    data = {key: None for key in FULL_DATA}
    for kind in KEYS:
        text = visible_text(render_document(kind, context(data=data, location=None)))
        assert "None" not in text, kind


def test_an_unknown_kind_is_refused_with_the_known_ones_named():
    with pytest.raises(KeyError, match="penalty_decision"):
        render_document("penalty_decisoin", context())


def test_amounts_and_dates_print_the_way_documents_write_them():
    assert rmb_upper(5000) == "伍仟元整"
    assert rmb_upper("1234.5") == "壹仟贰佰叁拾肆元伍角"
    assert rmb_upper(10010) == "壹万零壹拾元整"
    assert rmb_upper(100000) == "壹拾万元整"
    assert rmb_upper("10.05") == "壹拾元零伍分"
    assert rmb_upper(None) == "" and rmb_upper("五千") == ""
    assert money("5000") == "5,000.00" and money(None) == "" and money("面议") == "面议"
    assert cn_date("2026-03-05") == "2026年3月5日"
    assert cn_date("2026-03-05T02:30:00+00:00") == "2026年3月5日 10时30分"  # shown in Beijing time
    assert cn_date(date(2026, 10, 1)) == "2026年10月1日"
    assert cn_date(None) == "" and cn_date("三月上旬") == "三月上旬"


def test_the_filing_approval_form_states_the_handlers_actual_recommendation():
    def text_for(**data):
        return visible_text(render_document("filing_approval_form", context(data={**FULL_DATA, **data})))

    assert "建议立案调查" in text_for(recommendation="file")
    not_filed = text_for(recommendation="not_file", not_file_reason="未发现违法事实")
    assert "建议不予立案。理由：未发现违法事实" in not_filed and "建议立案调查" not in not_filed
    assert "建议移送县生态环境分局处理" in text_for(recommendation="refer_out", referral_target="县生态环境分局")
