"""Case functions for BPMN scripts, beside the deadline functions: start another process on the same case,
send a message to the case's other processes, publish or withdraw the decision, compute the late surcharge, record a payment.

They act through the case scope the service opened for the step (engine.deadlines.scope), so everything they
write joins the step's transaction.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any

from engine import audit, payments
from engine.clock import CHINA_TZ
from engine.deadlines.scope import current_scope, defer_deadline, meet_deadline
from forms.payment_deferral import parse_instalments, plan_as_json
from engine.scripting import SandboxedEnvironment
from engine.store.statuses import ClockStatus

_task_data: ContextVar[dict | None] = ContextVar("zhifa_task_data", default=None)
_runner: ContextVar[Any] = ContextVar("zhifa_runner", default=None)  # the WorkflowRunner stepping this case

SURCHARGE_RATE = payments.SURCHARGE_RATE
surcharge = payments.surcharge


class TaskAwareEnvironment(SandboxedEnvironment):
    """Runs designer-written Python in the sandbox (engine.scripting) and lets case functions see the data of
    the task whose script or expression is running."""

    def evaluate(self, expression, context, external_context=None):
        token = _task_data.set(context)
        try:
            return super().evaluate(expression, context, external_context)
        finally:
            _task_data.reset(token)

    def execute(self, script, context, external_context=None):
        token = _task_data.set(context)
        try:
            return super().execute(script, context, external_context)
        finally:
            _task_data.reset(token)


@contextmanager
def running(runner):
    token = _runner.set(runner)
    try:
        yield
    finally:
        _runner.reset(token)


def _scope():
    scope = current_scope()
    if scope is None:
        raise RuntimeError("case functions are only available while a case is being processed")
    return scope


def _json_data() -> dict:
    """The running task's data that can travel to another process (plain JSON values only)."""
    data = {}
    for key, value in (_task_data.get() or {}).items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        data[key] = value
    return data


def today() -> str:
    """Today's date in Beijing, as ISO text (task data stays JSON)."""
    return _scope().clock.now().astimezone(CHINA_TZ).date().isoformat()


def start_case_process(process_id: str) -> int:
    """Start the newest version of another process on this case, carrying this task's data."""
    from engine.services.cases import start_process  # the services use the runner, which uses us

    scope = _scope()
    from engine.store.models import Case
    case = scope.session.get(Case, scope.case_id)
    instance = start_process(scope.session, case=case, process_id=process_id, data=_json_data(),
                             actor=scope.actor, clock=scope.clock, runner=_runner.get())
    return instance.id


def notify_case(message: str) -> None:
    """Send a message to the case's other processes (e.g. `decision_revoked`) once this step is saved."""
    _scope().outbox.append((message, _json_data()))


def publish_decision() -> None:
    """Publish the case's penalty decision on the public disclosure page (行政执法公示)."""
    from engine.services.publication import publish

    scope = _scope()
    publish(scope.session, case_id=scope.case_id, actor=scope.actor, clock=scope.clock, data=_json_data())


def withdraw_publication(reason: str) -> bool:
    """Withdraw the published decision (changed or revoked), with the reason shown in the record."""
    from engine.services.publication import withdraw

    scope = _scope()
    return withdraw(scope.session, case_id=scope.case_id, reason=reason, actor=scope.actor, clock=scope.clock)


def late_surcharge(fine_amount, payment_key: str = "payment_15d") -> float:
    """3 % of the fine per day after the payment clock's last day, never more than the fine itself
    (行政处罚法第七十二条); days in reconsideration or litigation were tolled on the clock and do not count."""
    scope = _scope()
    row = scope.current(payment_key)
    fine = Decimal(str(fine_amount or 0))
    if row is None or fine <= 0:
        return 0.0
    today_ = scope.clock.now().astimezone(CHINA_TZ).date()
    return float(surcharge(fine, row.due_date, payments.accrual_end(row, today_)))


def register_payment(payment_key: str = "payment_15d") -> float:
    """Record the payment this step's form entered (paid_on, amount_paid, surcharge_paid) in the full-process
    record, against what was due on its day (the fine plus the surcharge accrued to then, less what was paid
    before); meets the payment clock once nothing is outstanding. Returns what is still outstanding (元)."""
    scope = _scope()
    data = _task_data.get() or {}
    paid_on = date.fromisoformat(str(data.get("paid_on")))
    amount = payments.money(data.get("amount_paid")) + payments.money(data.get("surcharge_paid"))
    fine, before = payments.recorded(scope.session, scope.case_id)
    if fine is None:
        fine = payments.money(data.get("fine_amount"))
    paid_before = sum((payments.money(p.get("amount")) for p in before), Decimal("0.00"))
    due = payments.amount_due(fine=fine, clock=scope.current(payment_key), paid=paid_before + amount, on=paid_on)
    outstanding = due["outstanding"]
    summary = (f"登记缴款 {amount:,.2f} 元（{paid_on.isoformat()}）：截至当日应缴 {due['total']:,.2f} 元"
               f"（罚款 {due['fine']:,.2f} 元，加处罚款 {due['surcharge']:,.2f} 元），累计已缴 {due['paid']:,.2f} 元，"
               + (f"尚欠 {outstanding:,.2f} 元" if outstanding > 0 else "已全部缴清"))
    audit.record(scope.session, clock=scope.clock, actor=scope.actor, action=payments.PAYMENT_ACTION,
                 case_id=scope.case_id, instance_id=scope.instance_id, summary=summary,
                 data={"paid_on": paid_on.isoformat(), "amount": format(amount, "f"),
                       "receipt_number": data.get("receipt_number"), **payments.as_json(due)})
    if outstanding <= 0:
        meet_deadline(payment_key)
    return float(outstanding)


def approve_payment_plan(payment_key: str = "payment_15d") -> bool:
    """Carry out a head's approval of paying later (行政处罚法第六十六条第二款), read from this step's data: a
    deferral moves the payment clock's last day to the approved day; instalments move it to the last instalment's
    day and record the plan, whose instalments the case page and the payment step then show as paid or due."""
    scope = _scope()
    data = _task_data.get() or {}
    reason = str(data.get("deferral_reason") or "")
    if (data.get("deferral_kind") or "defer") != "instalments":
        return defer_deadline(payment_key, data.get("approved_last_day"), reason)
    plan = parse_instalments(data.get("approved_instalments") or data.get("requested_instalments"))
    if not defer_deadline(payment_key, plan[-1][0], f"分期缴纳（{len(plan)} 期）：{reason}"):
        return False
    lines = "；".join(f"{day.isoformat()} 前缴纳 {amount:,.2f} 元" for day, amount in plan)
    audit.record(scope.session, clock=scope.clock, actor=scope.actor, action=payments.PLAN_ACTION,
                 case_id=scope.case_id, instance_id=scope.instance_id,
                 summary=f"经{scope.actor.name}批准分期缴纳罚款，共 {len(plan)} 期：{lines}",
                 data={"kind": "instalments", "instalments": plan_as_json(plan)})
    return True


def deadline_passed(key: str) -> bool:
    """The clock's due moment has passed (and it is not paused): what remains is paid late."""
    scope = _scope()
    row = scope.current(key)
    return row is not None and row.status != ClockStatus.PAUSED and scope.clock.now() > row.due_at


CASE_FUNCTIONS = {
    "today": today, "start_case_process": start_case_process, "notify_case": notify_case,
    "publish_decision": publish_decision, "withdraw_publication": withdraw_publication,
    "late_surcharge": late_surcharge, "register_payment": register_payment, "deadline_passed": deadline_passed,
    "approve_payment_plan": approve_payment_plan,
}
