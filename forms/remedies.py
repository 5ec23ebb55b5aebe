"""Forms of referral, crime transfer, reconsideration, litigation, enforcement, escalation and closing."""
from __future__ import annotations

from .base import Field, FormDefinition
from .common import YES_NO, required_when

REFERRAL = FormDefinition(
    key="referral", title="制作移送函",
    fields=(
        Field("referral_target", "text", "接收机关"),
        Field("referral_reason", "textarea", "移送理由"),
        Field("referral_materials", "textarea", "移送材料清单"),
        Field("urgent", "choice", "是否紧急", choices=YES_NO),
    ),
)

REFERRAL_APPROVAL = FormDefinition(
    key="referral_approval", title="移送审批",
    fields=(
        Field("referral_approval", "choice", "审批意见", choices=(("approve", "同意移送"), ("reject", "退回修改"))),
        Field("referral_approval_opinion", "textarea", "审批说明"),
    ),
)

REFERRAL_FEEDBACK = FormDefinition(
    key="referral_feedback", title="接收机关反馈",
    fields=(
        Field("feedback_content", "textarea", "反馈内容"),
        Field("feedback_received_on", "date", "收到反馈日期"),
    ),
)

CHASE_FEEDBACK = FormDefinition(
    key="chase_feedback", title="督促反馈",
    fields=(
        Field("chased_on", "date", "督促日期"),
        Field("chase_method", "choice", "督促方式", choices=(("phone", "电话"), ("letter", "函件"), ("visit", "当面"))),
        Field("chase_note", "textarea", "督促情况"),
    ),
)

CRIME_TRANSFER_REPORT = FormDefinition(
    key="crime_transfer_report", title="涉嫌犯罪案件移送报告",
    fields=(
        Field("crime_suspicion", "textarea", "涉嫌犯罪的事实和理由"),
        Field("transfer_materials", "textarea", "拟移送材料清单"),
    ),
)

CRIME_TRANSFER_DECISION = FormDefinition(
    key="crime_transfer_decision", title="移送审批",
    description="负责人应当自接到报告之日起三日内作出批准移送或者不批准移送的决定。",
    fields=(
        Field("transfer_decision", "choice", "审批决定", choices=(("approve", "批准移送"), ("reject", "不批准移送"))),
        Field("transfer_decision_reason", "textarea", "理由"),
    ),
)

CRIME_TRANSFER = FormDefinition(
    key="crime_transfer", title="移送公安机关",
    description="批准移送的，应当在二十四小时内向同级公安机关移送。",
    fields=(
        Field("police_agency", "text", "公安机关"),
        Field("transferred_at", "datetime", "移送时间"),
    ),
)

POLICE_FEEDBACK = FormDefinition(
    key="police_feedback", title="公安机关受理情况",
    fields=(
        Field("police_accepted", "choice", "是否立案", choices=YES_NO),
        Field("police_case_number", "text", "公安机关案件编号", required=False),
        Field("police_feedback_note", "textarea", "情况说明"),
    ),
)

RECONSIDERATION_REPLY = FormDefinition(
    key="reconsideration_reply", title="行政复议答复",
    description="自收到申请书副本之日起十日内（工作日），提出书面答复，并提交作出行政行为的证据、依据和其他有关材料。",
    fields=(
        Field("reply_summary", "textarea", "答复意见"),
        Field("evidence_list", "textarea", "提交的证据、依据"),
        Field("submitted_on", "date", "提交日期"),
    ),
)

RECONSIDERATION_OUTCOME = FormDefinition(
    key="reconsideration_outcome", title="复议决定",
    fields=(
        Field("reconsideration_result", "choice", "复议结果", choices=(
            ("upheld", "维持"), ("changed", "变更"), ("revoked", "撤销或确认违法、无效"))),
        Field("outcome_received_on", "date", "收到复议决定书日期"),
        Field("outcome_summary", "textarea", "复议决定要点"),
    ),
)

WITHDRAW_PUBLICATION = FormDefinition(
    key="withdraw_publication", title="撤回或更新公示",
    fields=(
        Field("withdrawn_on", "date", "处理日期"),
        Field("withdrawal_note", "textarea", "处理说明"),
    ),
)

COURT_DEFENCE = FormDefinition(
    key="court_defence", title="答辩与举证",
    description="收到起诉状副本之日起十五日内提交答辩状和作出行政行为的证据、依据（行政诉讼法第六十七条）。",
    fields=(
        Field("defence_summary", "textarea", "答辩意见"),
        Field("evidence_list", "textarea", "提交的证据、依据"),
        Field("submitted_on", "date", "提交日期"),
    ),
)

JUDGMENT = FormDefinition(
    key="judgment", title="人民法院判决",
    fields=(
        Field("judgment_result", "choice", "判决结果", choices=(
            ("dismissed", "驳回诉讼请求"), ("revoked", "撤销原行政行为"), ("changed", "变更"), ("confirmed_illegal", "确认违法"))),
        Field("judgment_served_on", "date", "判决书送达日期"),
        Field("judgment_summary", "textarea", "判决要点"),
    ),
)

APPEAL_DECISION = FormDefinition(
    key="appeal_decision", title="是否上诉",
    fields=(
        Field("appeal", "choice", "是否上诉", choices=YES_NO),
        Field("appeal_reason", "textarea", "理由"),
    ),
)

DEMAND_NOTICE = FormDefinition(
    key="demand_notice", title="催告",
    description="申请人民法院强制执行前，应当催告当事人履行义务；催告书送达十日后仍未履行的，可以申请强制执行。",
    fields=(
        Field("served_on", "date", "催告书送达日期"),
        Field("demand_note", "textarea", "催告内容", required=False),
    ),
)

COURT_APPLICATION = FormDefinition(
    key="court_application", title="申请人民法院强制执行",
    fields=(
        Field("court", "text", "人民法院"),
        Field("applied_on", "date", "申请日期"),
        Field("application_summary", "textarea", "申请事项"),
    ),
)

COURT_OUTCOME = FormDefinition(
    key="court_outcome", title="法院受理及裁定",
    fields=(
        Field("court_accepted", "choice", "法院是否受理", choices=YES_NO),
        Field("ruling", "choice", "裁定结果", choices=(
            ("enforced", "准予执行并已执行"), ("refused", "不予执行"), ("suspended", "中止执行"),
            ("terminated", "终结执行"))),
        Field("ruling_on", "date", "裁定日期"),
    ),
)

OVERDUE_ESCALATION = FormDefinition(
    key="overdue_escalation", title="超期督办",
    description="作出处理决定的期限已届满。负责人督促承办人办理，或批准延长办案期限（行政处罚法第六十条）。",
    fields=(
        Field("escalation_action", "choice", "督办意见",
              choices=(("urge", "督促承办人尽快办理"), ("extend", "批准延长办案期限"))),
        Field("extension_days", "integer", "延长天数", required=False, minimum=1, maximum=30,
              help="经负责人批准可延长三十日。"),
        Field("escalation_opinion", "textarea", "督办说明"),
    ),
    rules=(required_when("extension_days", when="escalation_action", equals="extend",
                         message="批准延长时须填写延长天数。"),),
)

CLOSING_APPROVAL = FormDefinition(
    key="closing_approval", title="结案审批",
    fields=(
        Field("closing_summary", "textarea", "结案报告"),
        Field("execution_result", "textarea", "执行情况"),
        Field("closing_approval", "choice", "审批意见", choices=(("approve", "同意结案"),)),
    ),
)

ARCHIVE = FormDefinition(
    key="archive", title="立卷归档",
    fields=(
        Field("archived_on", "date", "归档日期"),
        Field("volume_count", "integer", "卷数", minimum=1),
        Field("archive_number", "text", "档案编号"),
    ),
)

# What a staff member registers when the party acts outside the agency (the payload of a BPMN message)
RECONSIDERATION_RECEIVED = FormDefinition(
    key="reconsideration_received", title="登记行政复议申请",
    description="收到行政复议机关送达的复议申请书副本（或者申请笔录复印件）后登记；登记后开始计算答复期限，缴款期限暂停。",
    fields=(
        Field("received_on", "date", "收到复议申请书副本日期"),
        Field("applicant", "text", "申请人"),
        Field("reconsideration_body", "text", "行政复议机关", required=False),
    ),
)

LAWSUIT_RECEIVED = FormDefinition(
    key="lawsuit_received", title="登记行政诉讼",
    description="收到人民法院送达的起诉状副本后登记；登记后开始计算答辩期限，缴款期限暂停。",
    fields=(
        Field("received_on", "date", "收到起诉状副本日期"),
        Field("court", "text", "受理法院"),
        Field("court_case_number", "text", "案号", required=False),
    ),
)

PAYMENT_DEFERRAL_REQUESTED = FormDefinition(
    key="payment_deferral_requested", title="当事人申请延期（分期）缴纳罚款",
    description="当事人提出书面申请后登记；随后在待办「登记延期（分期）缴纳申请」中填写申请内容，交负责人审批。",
    fields=(),
)

MESSAGE_FORMS = (RECONSIDERATION_RECEIVED, LAWSUIT_RECEIVED, PAYMENT_DEFERRAL_REQUESTED)

FORMS = (REFERRAL, REFERRAL_APPROVAL, REFERRAL_FEEDBACK, CHASE_FEEDBACK, CRIME_TRANSFER_REPORT,
         CRIME_TRANSFER_DECISION, CRIME_TRANSFER, POLICE_FEEDBACK, RECONSIDERATION_REPLY, RECONSIDERATION_OUTCOME,
         WITHDRAW_PUBLICATION, COURT_DEFENCE, JUDGMENT, APPEAL_DECISION, DEMAND_NOTICE, COURT_APPLICATION,
         COURT_OUTCOME, OVERDUE_ESCALATION, CLOSING_APPROVAL, ARCHIVE, *MESSAGE_FORMS)
