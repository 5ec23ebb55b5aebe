"""Paying a fine later (延期缴纳): the party's application recorded by the handler, a head's approval or refusal.

行政处罚法第六十六条第二款: 当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人申请和行政机关批准，可以暂缓或者
分期缴纳. On approval the payment clock's last day moves to the approved day, so the surcharge of Art. 72 runs
only from the day after it; a refusal leaves the clock as it was.
"""
from __future__ import annotations

from .base import Field, FormDefinition
from .common import required_when

DEFERRAL_DECISIONS = (("approve", "批准延期缴纳"), ("refuse", "不予批准"))


def _after_the_current_last_day(field: str):
    """The day asked for or approved lies after the payment clock's current last day (a deferral, not a cut)."""
    def rule(data: dict, context: dict):
        value, amount_due = data.get(field), context.get("amount_due")
        if value is None or amount_due is None:
            return None
        due = amount_due(value)
        if due is None or due["last_day"] is None or value > due["last_day"]:
            return None
        return {field: f"应晚于当前缴款期限的最后一日（{due['last_day'].isoformat()}）。"}
    return rule


PAYMENT_DEFERRAL_APPLICATION = FormDefinition(
    key="payment_deferral_application", title="登记延期缴纳申请",
    description="当事人确有经济困难，需要延期缴纳罚款的，经当事人申请和行政机关批准，可以暂缓缴纳（行政处罚法第六十六条"
                "第二款）。登记当事人的书面申请，交负责人审批；审批前缴款期限不变。",
    fields=(
        Field("deferral_applied_on", "date", "申请日期"),
        Field("deferral_reason", "textarea", "经济困难情况及申请理由"),
        Field("requested_last_day", "date", "申请延期缴纳至", help="当事人申请的缴款最后一日。"),
    ),
    rules=(_after_the_current_last_day("requested_last_day"),),
)

PAYMENT_DEFERRAL_APPROVAL = FormDefinition(
    key="payment_deferral_approval", title="延期缴纳审批",
    description="批准的，缴款期限的最后一日改为批准的日期，此前不加处罚款；不予批准的，缴款期限不变。"
                "审批人不得为本案承办人。",
    fields=(
        Field("deferral_approval", "choice", "审批结果", choices=DEFERRAL_DECISIONS),
        Field("approved_last_day", "date", "批准延期缴纳至", required=False),
        Field("deferral_opinion", "textarea", "审批意见"),
    ),
    rules=(required_when("approved_last_day", when="deferral_approval", equals="approve",
                         message="批准延期缴纳的，须填写批准的缴款最后一日。"),
           _after_the_current_last_day("approved_last_day")),
)

FORMS = (PAYMENT_DEFERRAL_APPLICATION, PAYMENT_DEFERRAL_APPROVAL)
