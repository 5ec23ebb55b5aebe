"""Forms of the sample lead-handling process (lead registration, initial check, filing approval, reply)."""
from __future__ import annotations

from .base import Field, FormDefinition
from .validators import is_credit_code, is_resident_id

LEAD_SOURCES = (
    ("complaint", "投诉"),
    ("report", "举报"),
    ("hotline_12345", "12345 热线"),
    ("patrol", "日常巡查"),
    ("random_inspection", "双随机抽查"),
    ("referral_in", "其他机关移送"),
    ("assigned", "上级交办"),
)
PARTY_KINDS = (("person", "自然人"), ("organisation", "法人或其他组织"))


def _party_id_matches_kind(data: dict) -> dict[str, str] | None:
    number, kind = data.get("party_id_number"), data.get("party_kind")
    if not number:
        return None
    if kind == "person" and not is_resident_id(number):
        return {"party_id_number": "自然人应填写 18 位居民身份证号码。"}
    if kind == "organisation" and not is_credit_code(number):
        return {"party_id_number": "法人或其他组织应填写 18 位统一社会信用代码。"}
    return None


LEAD_REGISTRATION = FormDefinition(
    key="lead_registration",
    title="案源登记",
    description="登记投诉举报、巡查发现、移送交办等案件线索（首问负责）。",
    fields=(
        Field("source", "choice", "案源类型", choices=LEAD_SOURCES),
        Field("summary", "textarea", "线索内容", max_length=2000),
        Field("party_name", "text", "当事人", max_length=200),
        Field("party_kind", "choice", "当事人类型", choices=PARTY_KINDS),
        Field("party_id_number", "id_number", "证件号码", required=False,
              help="自然人填写居民身份证号码，单位填写统一社会信用代码。"),
        Field("location", "text", "发生地点", required=False, max_length=300),
        Field("discovered_at", "datetime", "发现（收到）时间"),
    ),
    rules=(_party_id_matches_kind,),
)

LEAD_CHECK = FormDefinition(
    key="lead_check",
    title="案源初查",
    fields=(
        Field("findings", "textarea", "初查情况"),
        Field("recommendation", "choice", "初查意见",
              choices=(("file", "建议立案"), ("not_file", "建议不予立案"))),
        Field("not_file_reason", "textarea", "不予立案理由", required=False),
    ),
    rules=(lambda d: {"not_file_reason": "建议不予立案时须写明理由。"}
           if d.get("recommendation") == "not_file" and not d.get("not_file_reason") else None,),
)

FILING_APPROVAL = FormDefinition(
    key="filing_approval",
    title="立案审批",
    fields=(
        Field("approval", "choice", "审批意见", choices=(("approve", "同意立案"), ("reject", "不同意立案"))),
        Field("approval_opinion", "textarea", "审批说明"),
    ),
)

INVESTIGATION_REPORT = FormDefinition(
    key="investigation_report",
    title="调查终结报告",
    fields=(
        Field("facts", "textarea", "违法事实"),
        Field("evidence_summary", "textarea", "证据情况"),
        Field("legal_basis", "text", "处罚依据", max_length=500),
        Field("proposed_penalty", "choice", "拟处理意见",
              choices=(("fine", "罚款"), ("warning", "警告"), ("no_penalty", "不予处罚"))),
        Field("proposed_fine", "money", "拟罚款金额（元）", required=False, minimum=0),
    ),
    rules=(lambda d: {"proposed_fine": "拟处罚款时须填写金额。"}
           if d.get("proposed_penalty") == "fine" and not d.get("proposed_fine") else None,),
)

NOT_FILED_REPLY = FormDefinition(
    key="not_filed_reply",
    title="不予立案告知",
    fields=(
        Field("reply_content", "textarea", "告知内容"),
        Field("reply_method", "choice", "告知方式",
              choices=(("phone", "电话"), ("sms", "短信"), ("letter", "书面"), ("none", "无需告知（匿名）"))),
        Field("replied_on", "date", "告知日期"),
    ),
)

OVERDUE_ESCALATION = FormDefinition(
    key="overdue_escalation",
    title="超期督办",
    description="作出处理决定的期限已届满。负责人督促承办人办理，或批准延长期限（行政处罚法第六十条）。",
    fields=(
        Field("escalation_action", "choice", "督办意见",
              choices=(("urge", "督促承办人尽快办理"), ("extend", "批准延长办案期限"))),
        Field("extension_days", "integer", "延长天数", required=False, minimum=1, maximum=30,
              help="经负责人批准可延长三十日。"),
        Field("escalation_opinion", "textarea", "督办说明"),
    ),
    rules=(lambda d: {"extension_days": "批准延长时须填写延长天数。"}
           if d.get("escalation_action") == "extend" and not d.get("extension_days") else None,),
)

CASE_DECISION = FormDefinition(
    key="case_decision",
    title="处理决定",
    fields=(
        Field("decision", "choice", "处理决定",
              choices=(("penalty", "给予行政处罚"), ("no_penalty", "不予行政处罚"), ("transfer", "移送司法机关"))),
        Field("decision_summary", "textarea", "决定内容"),
        Field("fine_amount", "money", "罚款金额（元）", required=False, minimum=0),
    ),
)

CASE_FORMS = (LEAD_REGISTRATION, LEAD_CHECK, FILING_APPROVAL, INVESTIGATION_REPORT, NOT_FILED_REPLY,
              OVERDUE_ESCALATION, CASE_DECISION)
