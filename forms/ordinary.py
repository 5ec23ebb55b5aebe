"""Forms of the summary and ordinary procedures (简易程序、一般程序)."""
from __future__ import annotations

from decimal import Decimal

from .base import Field, FormDefinition
from .common import (
    PENALTY_KINDS, SERVICE_METHODS, SUMMARY_FINE_LIMITS, YES_NO, fine_required_for_fine, required_when,
    within_discretion,
)

HANDLER_AND_ABOVE = frozenset({"handler", "reviewer", "head", "admin", "supervisor"})
REVIEW_ROLES = frozenset({"reviewer", "head", "admin", "supervisor"})


def _summary_thresholds(data: dict, context: dict):
    """行政处罚法第五十一条: on the spot only warnings, or fines up to ¥200 (person) / ¥3,000 (organisation)."""
    if data.get("penalty_kind") not in ("warning", "fine"):
        return {"penalty_kind": "简易程序只能当场给予警告或者罚款。"}
    limit = SUMMARY_FINE_LIMITS.get(context.get("party_kind") or "person", 200)
    amount = data.get("fine_amount") or 0
    if data.get("penalty_kind") == "fine" and amount > limit:
        who = "法人或者其他组织" if context.get("party_kind") == "organisation" else "公民"
        return {"fine_amount": f"对{who}当场罚款不得超过 {limit} 元，超过的应当适用一般程序。"}
    return None


# 行政处罚法第二十八条第一款: a decision orders the correction of the violation; 「是」 also issues the order
CORRECTION_FIELDS = (
    Field("correction_ordered", "choice", "责令改正", choices=YES_NO, required=False,
          help="行政处罚法第二十八条：实施行政处罚时，应当责令当事人改正或者限期改正违法行为；"
               "选「是」的，同时制作责令（限期）改正通知书。"),
    Field("correction_content", "textarea", "责令改正内容", required=False),
    Field("correction_deadline", "date", "改正期限", required=False, help="不得早于决定日期。"),
)
CORRECTION_RULES = (
    required_when("correction_content", when="correction_ordered", equals="yes", message="责令改正的，须写明改正内容。"),
    required_when("correction_deadline", when="correction_ordered", equals="yes", message="责令改正的，须填写改正期限。"),
)

ONSITE_DECISION = FormDefinition(
    key="onsite_decision", title="当场处罚决定",
    description="违法事实确凿并有法定依据，对公民处二百元以下、对法人或者其他组织处三千元以下罚款或者警告的，可以当场作出决定。",
    fields=(
        Field("facts", "textarea", "违法事实"),
        Field("legal_basis", "text", "处罚依据", max_length=500),
        Field("penalty_kind", "choice", "处罚种类", choices=(("warning", "警告"), ("fine", "罚款"))),
        Field("fine_amount", "money", "罚款金额（元）", required=False, minimum=0),
        Field("decision_text", "textarea", "决定内容"),
        Field("decision_date", "date", "决定日期"),
        Field("paid_on_spot", "choice", "是否当场缴纳", choices=YES_NO),
        Field("place", "text", "处罚地点", required=False, max_length=300, help="不填则为案源登记的发生地点。"),
        Field("party_address", "text", "当事人住所（住址）", required=False, max_length=300,
              help="案源登记时已填写的可不填。"),
        *CORRECTION_FIELDS,
    ),
    rules=(fine_required_for_fine("penalty_kind", "fine_amount"), _summary_thresholds, *CORRECTION_RULES),
)

ONSITE_DELIVERY = FormDefinition(
    key="onsite_delivery", title="当场交付",
    fields=(
        Field("recipient", "text", "受送达人"),
        Field("served_at", "date", "交付日期"),
        Field("service_method", "choice", "送达方式", choices=SERVICE_METHODS),
        Field("party_signed", "choice", "当事人是否签收", choices=YES_NO),
    ),
)

SUMMARY_FILING_RECORD = FormDefinition(
    key="summary_filing_record", title="报机关备案",
    fields=(
        Field("filed_with_agency_on", "date", "备案日期"),
        Field("filing_note", "textarea", "备案说明", required=False),
    ),
)

def _surcharge_within_fine(data: dict, context: dict):
    """行政处罚法第七十二条第一款第（一）项: 加处罚款的数额不得超出罚款的数额."""
    paid, fine = data.get("surcharge_paid"), (context.get("data") or {}).get("fine_amount")
    if paid is None or fine in (None, ""):
        return None
    if float(paid) > float(fine):
        return {"surcharge_paid": f"加处罚款 {float(paid):,.2f} 元超出罚款数额 {float(fine):,.2f} 元："
                                  "依行政处罚法第七十二条，加处罚款的数额不得超出罚款的数额。"}
    return None


def _no_overpayment(data: dict, context: dict):
    """What is paid at once may not exceed what the system computes as outstanding on the payment date (the fine
    plus the surcharge accrued to that day, less what was paid before)."""
    amount_due, paid_on = context.get("amount_due"), data.get("paid_on")
    if amount_due is None or paid_on is None:
        return None
    amount = Decimal(str(data.get("amount_paid") or 0)) + Decimal(str(data.get("surcharge_paid") or 0))
    if amount <= 0:
        return {"amount_paid": "请填写本次缴纳的金额。"}
    due = amount_due(paid_on)
    if due is None or amount <= due["outstanding"]:
        return None
    return {"amount_paid": f"本次缴纳 {amount:,.2f} 元超出截至 {paid_on.isoformat()} 应缴未缴的 {due['outstanding']:,.2f} 元"
                           f"（罚款 {due['fine']:,.2f} 元，加处罚款 {due['surcharge']:,.2f} 元，已缴 {due['paid']:,.2f} 元），"
                           "不予登记：请核对缴款凭证。"}


PAYMENT_RECORD = FormDefinition(
    key="payment_record", title="缴纳罚款",
    description="当事人自收到决定书之日起十五日内缴纳罚款；逾期每日按罚款数额的百分之三加处罚款，加处总额不超过罚款数额。"
                "应缴金额由系统按缴款日期计算；未缴清的，案件为部分缴纳，余额继续计算。",
    fields=(
        Field("paid_on", "date", "缴款日期"),
        Field("amount_paid", "money", "缴纳罚款（元）", minimum=0),
        Field("surcharge_paid", "money", "缴纳加处罚款（元）", required=False, minimum=0),
        Field("receipt_number", "text", "缴款凭证号"),
    ),
    rules=(_surcharge_within_fine, _no_overpayment),
)

INVESTIGATION_ASSIGNMENT = FormDefinition(
    key="investigation_assignment", title="指派调查人员",
    description="调查或者进行检查时，执法人员不得少于两人，并应当出示执法证件（行政处罚法第四十二条、第五十五条）。",
    fields=(
        Field("lead_officer", "officer", "主办人", required=False,
              help="负责本案的执法人员：本案承办人的待办交由主办人办理。"),
        Field("co_officers", "officers", "协办人", required=False,
              help="至少一名；主办人和协办人都须持有有效执法证件。"),
        # what API clients sent before 主办人 and 协办人 were chosen apart: the first is the lead unless
        # lead_officer names one; accepted, not shown on the page
        Field("officers", "officers", "调查人员", required=False, visible_to=frozenset()),
        Field("assignment_note", "textarea", "指派说明", required=False),
    ),
)

INVESTIGATION = FormDefinition(
    key="investigation", title="调查取证",
    fields=(
        Field("inspection_time", "datetime", "现场检查时间"),
        Field("inspection_place", "text", "检查地点"),
        Field("inspection_findings", "textarea", "现场检查情况"),
        Field("inquiry_time", "datetime", "询问时间", required=False),
        Field("inquiry_place", "text", "询问地点", required=False),
        Field("inquiry_person", "text", "被询问人", required=False),
        Field("inquiry_content", "textarea", "询问内容", required=False),
        Field("evidence_preserved", "choice", "是否先行登记保存证据", choices=YES_NO),
        Field("seized", "choice", "是否查封扣押", choices=YES_NO),
        Field("measures_on", "date", "采取措施日期", required=False),
        Field("measure_reason", "textarea", "采取措施的理由和依据", required=False),
        Field("measure_items", "textarea", "物品清单（名称、规格、数量）", required=False,
              help="先行登记保存或者查封（扣押）的场所、设施、财物，一行一项。"),
        Field("party_address", "text", "当事人住所（住址）", required=False, max_length=300,
              help="查封（扣押）决定书须载明；案源登记时已填写的可不填。"),
    ),
    rules=(
        required_when("measures_on", when="evidence_preserved", equals="yes", message="请填写采取措施的日期。"),
        required_when("measures_on", when="seized", equals="yes", message="请填写采取措施的日期。"),
        *(required_when(field, when=when, equals="yes", message=message)
          for when in ("evidence_preserved", "seized")
          for field, message in (("measure_reason", "请写明采取措施的理由和依据。"),
                                 ("measure_items", "请填写物品清单：通知书、决定书须载明名称、数量。"))),
    ),
)

PRESERVATION_DECISION = FormDefinition(
    key="preservation_decision", title="登记保存处理决定",
    description="先行登记保存证据的，应当在七个工作日内及时作出处理决定。",
    fields=(
        Field("preservation_result", "choice", "处理决定", choices=(
            ("record", "采取记录、复制、拍照、录像等证据保全措施"), ("appraise", "送检测、检验、检疫、鉴定"),
            ("seize", "依法予以查封、扣押"), ("release", "解除先行登记保存"))),
        Field("decided_on", "date", "决定日期"),
        Field("preservation_note", "textarea", "说明", required=False),
    ),
)

SEIZURE_HANDLING = FormDefinition(
    key="seizure_handling", title="查封扣押处理",
    fields=(
        Field("seizure_result", "choice", "处理结果", choices=(
            ("release", "解除查封扣押"), ("confiscate", "依法没收"), ("destroy", "依法销毁"), ("transfer", "移送"))),
        Field("handled_on", "date", "处理日期"),
        Field("seizure_note", "textarea", "说明", required=False),
    ),
)

INVESTIGATION_REPORT = FormDefinition(
    key="investigation_report", title="调查终结报告",
    fields=(
        Field("facts", "textarea", "违法事实"),
        Field("evidence_summary", "textarea", "证据情况"),
        Field("legal_basis", "text", "处罚依据", max_length=500),
        Field("proposed_penalty", "choice", "拟处理意见", choices=PENALTY_KINDS),
        Field("proposed_fine", "money", "拟罚款金额（元）", required=False, minimum=0),
        Field("discretion_min", "money", "裁量基准下限（元）", required=False, minimum=0),
        Field("discretion_max", "money", "裁量基准上限（元）", required=False, minimum=0),
        Field("discretion_reason", "textarea", "裁量理由", required=False),
        Field("major_case", "choice", "是否重大案件（须法制审核、集体讨论）", choices=YES_NO, required=False),
        Field("hearing_eligible", "choice", "是否属于听证范围", choices=YES_NO, required=False),
    ),
    rules=(
        fine_required_for_fine("proposed_penalty", "proposed_fine"),
        within_discretion("proposed_fine"),
        lambda d, c: {"discretion_max": "裁量基准上限不能小于下限。"}
        if d.get("discretion_min") is not None and d.get("discretion_max") is not None
        and d["discretion_max"] < d["discretion_min"] else None,
    ),
)

CASE_REVIEW = FormDefinition(
    key="case_review", title="案件审查",
    fields=(
        Field("review_result", "choice", "审查意见", choices=(("proceed", "事实清楚，进入下一程序"),
                                                         ("supplement", "退回补充调查"))),
        Field("case_review_opinion", "textarea", "审查说明"),
    ),
)

LEGAL_REVIEW = FormDefinition(
    key="legal_review", title="法制审核",
    description="审核执法主体、程序、事实、证据、法律适用、裁量基准、文书，以及是否涉嫌犯罪需要移送（行政处罚法第五十八条）。",
    fields=(
        Field("competent", "choice", "执法主体、人员合法", choices=YES_NO),
        Field("facts_clear", "choice", "事实清楚", choices=YES_NO),
        Field("evidence_sufficient", "choice", "证据合法充分", choices=YES_NO),
        Field("basis_correct", "choice", "适用依据准确、裁量适当", choices=YES_NO),
        Field("procedure_lawful", "choice", "程序合法", choices=YES_NO),
        Field("documents_complete", "choice", "文书完备规范", choices=YES_NO),
        Field("crime_transfer_needed", "choice", "是否涉嫌犯罪需移送司法机关", choices=YES_NO,
              visible_to=REVIEW_ROLES),
        Field("review_conclusion", "choice", "审核结论", choices=(
            ("approve", "同意"), ("revise", "退回修改"), ("reject", "不同意"))),
        Field("review_opinion", "textarea", "审核意见"),
    ),
    rules=(
        lambda d, c: {"review_conclusion": "审核项中有不符合的，不能作出同意的结论。"}
        if d.get("review_conclusion") == "approve" and "no" in [
            d.get(k) for k in ("competent", "facts_clear", "evidence_sufficient", "basis_correct",
                               "procedure_lawful", "documents_complete")] else None,
    ),
)

PRIOR_NOTICE = FormDefinition(
    key="prior_notice", title="行政处罚事先告知",
    description="告知拟作出的行政处罚内容及事实、理由、依据，并告知陈述、申辩、要求听证等权利（行政处罚法第四十四条）。",
    fields=(
        Field("intended_penalty", "textarea", "拟作出的处罚"),
        Field("notice_date", "date", "告知书送达日期"),
        Field("hearing_eligible", "choice", "是否告知听证权利", choices=YES_NO),
        Field("service_method", "choice", "送达方式", choices=SERVICE_METHODS),
    ),
)

PARTY_RESPONSE = FormDefinition(
    key="party_response", title="当事人陈述申辩",
    fields=(
        Field("statement_received", "choice", "当事人是否陈述申辩", choices=YES_NO),
        Field("statement_summary", "textarea", "陈述申辩内容", required=False),
        Field("hearing_requested", "choice", "是否申请听证", choices=YES_NO),
    ),
    rules=(required_when("statement_summary", when="statement_received", equals="yes",
                         message="请记录陈述申辩的内容。"),),
)

HEARING_NOTICE = FormDefinition(
    key="hearing_notice", title="听证通知",
    description="应当在举行听证的七日前（工作日）通知当事人听证的时间、地点。",
    fields=(
        Field("hearing_time", "datetime", "听证时间"),
        Field("hearing_place", "text", "听证地点"),
        Field("hearing_host", "text", "听证主持人", help="由非本案调查人员担任。"),
    ),
)

HEARING_RECORD = FormDefinition(
    key="hearing_record", title="举行听证",
    fields=(
        Field("hearing_participants", "textarea", "参加人员"),
        Field("hearing_record", "textarea", "听证笔录"),
        Field("held_on", "date", "听证日期"),
    ),
)

STATEMENT_REVIEW = FormDefinition(
    key="statement_review", title="陈述申辩复核",
    fields=(
        Field("statement_adopted", "choice", "复核意见", choices=(
            ("adopted", "采纳"), ("partly", "部分采纳"), ("rejected", "不予采纳"))),
        Field("statement_review_note", "textarea", "复核理由"),
    ),
)

COLLECTIVE_DISCUSSION = FormDefinition(
    key="collective_discussion", title="集体讨论",
    fields=(
        Field("discussion_participants", "textarea", "参加人员"),
        Field("discussion_record", "textarea", "讨论记录"),
        Field("discussion_conclusion", "textarea", "讨论结论"),
    ),
)

ADOPTION = (("adopted", "采纳"), ("partly", "部分采纳"), ("rejected", "不予采纳"))


def _hearing_opinions_answered(data: dict, context: dict):
    """After a hearing the decision says whether the party's opinions were adopted, and why (行政处罚法第五十九条
    with 第四十五条: the party's statement and defence are heard and what holds is adopted)."""
    held = bool((context.get("data") or {}).get("hearing_record"))
    if held and not data.get("hearing_opinion_adopted"):
        return {"hearing_opinion_adopted": "已举行听证的，须写明对当事人听证意见的采纳情况。"}
    if data.get("hearing_opinion_adopted") and not data.get("hearing_adoption_reason"):
        return {"hearing_adoption_reason": "请写明采纳或者不予采纳的理由。"}
    return None


PENALTY_DECISION = FormDefinition(
    key="penalty_decision", title="行政处罚决定",
    fields=(
        Field("decision", "choice", "处理决定", choices=(
            ("penalty", "给予行政处罚"), ("no_penalty", "不予行政处罚"), ("transfer_police", "移送司法机关"))),
        Field("penalty_kind", "choice", "处罚种类", choices=PENALTY_KINDS, required=False),
        Field("fine_amount", "money", "罚款金额（元）", required=False, minimum=0),
        Field("decision_text", "textarea", "决定内容"),
        Field("decision_date", "date", "决定日期"),
        Field("hearing_opinion_adopted", "choice", "听证意见采纳情况", choices=ADOPTION, required=False,
              help="举行了听证的必填。"),
        Field("hearing_adoption_reason", "textarea", "采纳或者不予采纳的理由", required=False),
        Field("party_address", "text", "当事人住所（住址）", required=False, max_length=300,
              help="案源登记时已填写的可不填。"),
        *CORRECTION_FIELDS,
    ),
    rules=(
        _hearing_opinions_answered,
        *CORRECTION_RULES,
        required_when("penalty_kind", when="decision", equals="penalty", message="给予处罚的，须选择处罚种类。"),
        fine_required_for_fine("penalty_kind", "fine_amount"),
        within_discretion("fine_amount"),
    ),
)

SERVICE = FormDefinition(
    key="service", title="送达",
    description="行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，应当在七日内送达（行政处罚法第六十一条）。",
    fields=(
        Field("service_method", "choice", "送达方式", choices=SERVICE_METHODS),
        Field("recipient", "text", "受送达人"),
        Field("served_at", "date", "送达日期"),
    ),
)

PUBLICITY = FormDefinition(
    key="publicity", title="公示",
    fields=(
        Field("published_on", "date", "公示日期"),
        Field("publicity_channel", "text", "公示平台"),
    ),
)

FORMS = (ONSITE_DECISION, ONSITE_DELIVERY, SUMMARY_FILING_RECORD, PAYMENT_RECORD, INVESTIGATION_ASSIGNMENT,
         INVESTIGATION, PRESERVATION_DECISION, SEIZURE_HANDLING, INVESTIGATION_REPORT, CASE_REVIEW, LEGAL_REVIEW,
         PRIOR_NOTICE, PARTY_RESPONSE, HEARING_NOTICE, HEARING_RECORD, STATEMENT_REVIEW, COLLECTIVE_DISCUSSION,
         PENALTY_DECISION, SERVICE, PUBLICITY)
