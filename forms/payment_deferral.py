"""Paying a fine later (延期缴纳) or in instalments (分期缴纳): the party's application recorded by the handler, a
head's approval or refusal.

行政处罚法第六十六条第二款: 当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人申请和行政机关批准，可以暂缓或者
分期缴纳. On approval the payment clock's last day moves to the approved day — for instalments, the last
instalment's day (第七十三条第三款 counts the enforcement period from the end of the deferral or instalment period) —
so the surcharge of Art. 72 runs only from the day after it; a refusal leaves the clock as it was.

An instalment plan is typed one instalment a line, its last day and its amount: `2027-01-15 1000`. The amounts
add up to what is outstanding when the party applies; the days rise, the first not before the application and
the last after the current last day (otherwise it is no deferral).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .base import Field, FormDefinition

DEFERRAL_KINDS = (("defer", "延期缴纳"), ("instalments", "分期缴纳"))
DEFERRAL_DECISIONS = (("approve", "批准"), ("refuse", "不予批准"))
MAX_INSTALMENTS = 24
PLAN_HELP = "每行一期：缴款最后一日和金额，如「2027-01-15 1000」；各期金额之和应等于申请时尚欠的金额。"
_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[,，、\s]\s*([0-9]+(?:\.[0-9]+)?)\s*元?\s*$")


class PlanError(ValueError):
    """An instalment plan that cannot be accepted; the message says which line and why."""


def parse_instalments(text: str | None) -> list[tuple[date, Decimal]]:
    """The plan typed one instalment a line, as (last day, amount) in order; PlanError says what is wrong."""
    lines = [line for line in str(text or "").splitlines() if line.strip()]
    if len(lines) < 2:
        raise PlanError("分期缴纳至少分两期，每行一期。")
    if len(lines) > MAX_INSTALMENTS:
        raise PlanError(f"最多分 {MAX_INSTALMENTS} 期。")
    plan: list[tuple[date, Decimal]] = []
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        if match is None:
            raise PlanError(f"第 {number} 期「{line.strip()[:40]}」格式不正确，应为「缴款最后一日 金额」，如「2027-01-15 1000」。")
        try:
            day, amount = date.fromisoformat(match.group(1)), Decimal(match.group(2))
        except (ValueError, InvalidOperation):
            raise PlanError(f"第 {number} 期的日期「{match.group(1)}」不存在。") from None
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise PlanError(f"第 {number} 期的金额应大于零，最多保留两位小数（分）。")
        if plan and day <= plan[-1][0]:
            raise PlanError(f"第 {number} 期的缴款最后一日 {day.isoformat()} 应晚于上一期的 {plan[-1][0].isoformat()}。")
        plan.append((day, amount))
    return plan


def plan_as_json(plan: list[tuple[date, Decimal]]) -> list[dict]:
    return [{"last_day": day.isoformat(), "amount": format(amount, "f")} for day, amount in plan]


def _kind(data: dict, context: dict) -> str:
    return data.get("deferral_kind") or (context.get("data") or {}).get("deferral_kind") or "defer"


def _required_for_a_deferral(field: str, message: str, *, on_approval: bool = False):
    """`field` must be filled when the party asks to defer (not to pay in instalments), or when that is approved."""
    def rule(data: dict, context: dict):
        if on_approval and data.get("deferral_approval") != "approve":
            return None
        if _kind(data, context) == "defer" and not data.get(field):
            return {field: message}
        return None
    return rule


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


def _a_plan_that_adds_up(field: str, *, required: bool):
    """The instalment plan in `field` parses, starts on or after the application, ends after the current last day
    and adds up to what was outstanding on the day the party applied."""
    def rule(data: dict, context: dict):
        if _kind(data, context) != "instalments":
            return None
        text = data.get(field)
        if not text:
            return {field: "分期缴纳的，须填写分期方案。"} if required else None
        try:
            plan = parse_instalments(text)
        except PlanError as exc:
            return {field: str(exc)}
        applied_on = data.get("deferral_applied_on") or (context.get("data") or {}).get("deferral_applied_on")
        applied_on = date.fromisoformat(str(applied_on)[:10]) if applied_on else None
        if applied_on is not None and plan[0][0] < applied_on:
            return {field: f"第 1 期的缴款最后一日 {plan[0][0].isoformat()} 早于申请日期 {applied_on.isoformat()}。"}
        amount_due = context.get("amount_due")
        due = amount_due(applied_on or plan[0][0]) if amount_due is not None else None
        if due is None:
            return None
        if due["last_day"] is not None and plan[-1][0] <= due["last_day"]:
            return {field: f"最后一期的缴款最后一日应晚于当前缴款期限的最后一日（{due['last_day'].isoformat()}）。"}
        total = sum((amount for _, amount in plan), Decimal("0"))
        if total != due["outstanding"]:
            return {field: f"各期金额合计 {total:,.2f} 元，与申请时尚欠的 {due['outstanding']:,.2f} 元不符。"}
        return None
    return rule


PAYMENT_DEFERRAL_APPLICATION = FormDefinition(
    key="payment_deferral_application", title="登记延期（分期）缴纳申请",
    description="当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人申请和行政机关批准，可以暂缓或者分期缴纳"
                "（行政处罚法第六十六条第二款）。登记当事人的书面申请，交负责人审批；审批前缴款期限不变。",
    fields=(
        Field("deferral_kind", "choice", "申请事项", choices=DEFERRAL_KINDS, required=False,
              help="不选的，按延期缴纳登记。"),
        Field("deferral_applied_on", "date", "申请日期"),
        Field("deferral_reason", "textarea", "经济困难情况及申请理由"),
        Field("requested_last_day", "date", "申请延期缴纳至", required=False, help="延期缴纳的，当事人申请的缴款最后一日。"),
        Field("requested_instalments", "textarea", "申请的分期方案", required=False, max_length=2000, help=PLAN_HELP),
    ),
    rules=(_required_for_a_deferral("requested_last_day", "申请延期缴纳的，须填写申请延期至的日期。"),
           _after_the_current_last_day("requested_last_day"),
           _a_plan_that_adds_up("requested_instalments", required=True)),
)

PAYMENT_DEFERRAL_APPROVAL = FormDefinition(
    key="payment_deferral_approval", title="延期（分期）缴纳审批",
    description="批准的，缴款期限的最后一日改为批准的日期（分期缴纳的，为最后一期的日期），此前不加处罚款；"
                "不予批准的，缴款期限不变。审批人不得为本案承办人。",
    fields=(
        Field("deferral_approval", "choice", "审批结果", choices=DEFERRAL_DECISIONS),
        Field("approved_last_day", "date", "批准延期缴纳至", required=False, help="延期缴纳的填写。"),
        Field("approved_instalments", "textarea", "批准的分期方案", required=False, max_length=2000,
              help="分期缴纳的：不填写的，按申请的分期方案批准；调整的，" + PLAN_HELP),
        Field("deferral_opinion", "textarea", "审批意见"),
    ),
    rules=(_required_for_a_deferral("approved_last_day", "批准延期缴纳的，须填写批准的缴款最后一日。", on_approval=True),
           _after_the_current_last_day("approved_last_day"),
           _a_plan_that_adds_up("approved_instalments", required=False)),
)

FORMS = (PAYMENT_DEFERRAL_APPLICATION, PAYMENT_DEFERRAL_APPROVAL)
