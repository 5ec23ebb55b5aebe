"""Forms of lead intake and the filing decision (案源登记与立案审查)."""
from __future__ import annotations

from .base import Field, FormDefinition
from .common import YES_NO, required_when
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


def _party_id_matches_kind(data: dict, context: dict) -> dict[str, str] | None:
    number, kind = data.get("party_id_number"), data.get("party_kind")
    if not number:
        return None
    if kind == "person" and not is_resident_id(number):
        return {"party_id_number": "自然人应填写 18 位居民身份证号码。"}
    if kind == "organisation" and not is_credit_code(number):
        return {"party_id_number": "法人或其他组织应填写 18 位统一社会信用代码。"}
    return None


LEAD_REGISTRATION = FormDefinition(
    key="lead_registration", title="案源登记",
    description="登记投诉举报、巡查发现、移送交办等案件线索（首问负责）。",
    fields=(
        Field("source", "choice", "案源类型", choices=LEAD_SOURCES),
        Field("summary", "textarea", "线索内容", max_length=2000),
        Field("party_name", "text", "当事人", max_length=200),
        Field("party_kind", "choice", "当事人类型", choices=PARTY_KINDS),
        Field("party_id_number", "id_number", "证件号码", required=False,
              help="自然人填写居民身份证号码，单位填写统一社会信用代码。"),
        Field("party_address", "text", "当事人住所（住址）", required=False, max_length=300,
              help="行政处罚决定书须载明当事人的地址（行政处罚法第五十九条）；尚不清楚的，可在作出决定时补充。"),
        Field("location", "text", "发生地点", required=False, max_length=300),
        Field("discovered_at", "datetime", "发现（收到）时间"),
    ),
    rules=(_party_id_matches_kind,),
)

COMPLAINT_ACCEPTANCE = FormDefinition(
    key="complaint_acceptance", title="投诉举报受理",
    description="自收到投诉举报之日起七个工作日内决定是否受理。",
    fields=(
        Field("accepted", "choice", "是否受理", choices=YES_NO),
        Field("acceptance_note", "textarea", "受理意见"),
        Field("complainant_name", "text", "投诉举报人", required=False),
        Field("complainant_real_name", "choice", "是否实名", choices=YES_NO),
        Field("complainant_contact", "text", "联系方式", required=False),
    ),
    rules=(required_when("complainant_contact", when="complainant_real_name", equals="yes",
                         message="实名投诉举报的，须登记联系方式以便告知处理结果。"),),
)

LEAD_CHECK = FormDefinition(
    key="lead_check", title="案源初查",
    fields=(
        Field("findings", "textarea", "初查情况"),
        Field("recommendation", "choice", "初查意见", choices=(
            ("file", "建议立案"), ("not_file", "建议不予立案"), ("summary", "适用简易程序当场处罚"),
            ("refer_out", "建议移送有管辖权的机关"), ("transfer_police", "建议移送司法机关"))),
        Field("not_file_reason", "textarea", "不予立案理由", required=False),
        Field("referral_target", "text", "移送机关", required=False),
        Field("urgent", "choice", "是否紧急", choices=YES_NO, required=False),
    ),
    rules=(
        required_when("not_file_reason", when="recommendation", equals="not_file",
                      message="建议不予立案时须写明理由。"),
        required_when("referral_target", when="recommendation", equals="refer_out",
                      message="建议移送时须写明有管辖权的机关。"),
    ),
)

FILING_APPROVAL = FormDefinition(
    key="filing_approval", title="立案审批",
    fields=(
        Field("approval", "choice", "审批意见", choices=(("approve", "同意承办人意见"), ("reject", "退回补充初查"))),
        Field("approval_opinion", "textarea", "审批说明"),
    ),
)

DEADLINE_EXTENSION = FormDefinition(
    key="deadline_extension", title="期限延长审批",
    description="法定期限届满。负责人决定是否批准延长（立案审查可延长十五个工作日，查封扣押可延长三十日）。",
    fields=(
        Field("extension_decision", "choice", "审批意见", choices=(("extend", "批准延长"), ("no", "不予延长"))),
        Field("extension_days", "integer", "延长期限", required=False, minimum=1, maximum=30),
        Field("extension_reason", "textarea", "理由"),
    ),
    rules=(required_when("extension_days", when="extension_decision", equals="extend",
                         message="批准延长时须填写延长期限。"),),
)

COMPLAINANT_REPLY = FormDefinition(
    key="complainant_reply", title="告知投诉举报人",
    description="对实名投诉举报人，自作出是否立案决定之日起五个工作日内告知处理结果。",
    fields=(
        Field("reply_content", "textarea", "告知内容"),
        Field("reply_method", "choice", "告知方式", choices=(("phone", "电话"), ("sms", "短信"), ("letter", "书面"))),
        Field("replied_on", "date", "告知日期"),
    ),
)

REFERRAL_IN_FEEDBACK = FormDefinition(
    key="referral_in_feedback", title="向移送机关反馈",
    fields=(
        Field("feedback_content", "textarea", "反馈内容"),
        Field("feedback_sent_on", "date", "反馈日期"),
    ),
)

FORMS = (LEAD_REGISTRATION, COMPLAINT_ACCEPTANCE, LEAD_CHECK, FILING_APPROVAL, DEADLINE_EXTENSION, COMPLAINANT_REPLY,
         REFERRAL_IN_FEEDBACK)
