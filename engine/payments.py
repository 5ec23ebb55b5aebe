"""What a party owes on a fine: the fine, the late surcharge (加处罚款) accrued to a day, what was paid, and what is
still outstanding — computed by the system, never typed.

行政处罚法第七十二条第一款第（一）项: 到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额.
The surcharge runs from the day after the payment clock's last day. The days that clock was paused
(reconsideration, litigation) moved its last day on, so they are not counted; while it is paused nothing accrues.

The fine is the one the decision recorded in the full-process record; each payment is a `payment_recorded` entry
there too, so the case page and the API read what was paid without loading a workflow.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.counting import local_day
from engine.store.models import AuditRecord, CaseDeadline
from engine.store.statuses import ClockStatus

SURCHARGE_RATE = Decimal("0.03")  # 每日按罚款数额的百分之三加处罚款（行政处罚法第七十二条）
PAYMENT_CLOCK = "payment_15d"
PAYMENT_ACTION = "payment_recorded"
PLAN_ACTION = "payment_plan_approved"  # 分期缴纳 approved: the instalments, each a last day and an amount
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def surcharge(fine: Decimal, last_day: date, on: date) -> Decimal:
    days = max((on - last_day).days, 0)
    amount = (fine * SURCHARGE_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, fine)


def accrual_end(clock: CaseDeadline, on: date) -> date:
    """The last day the surcharge counts to: `on`, or the day the clock was paused while it still is."""
    if clock.status == ClockStatus.PAUSED and clock.paused_at is not None:
        return min(on, local_day(clock.paused_at))
    return on


def amount_due(*, fine, clock: CaseDeadline | None, paid, on: date) -> dict:
    """The fine, the surcharge accrued to `on`, their total, what was paid and what is outstanding (元, as text
    with two decimals so the API never rounds through a float)."""
    fine, paid = money(fine), money(paid)
    added = surcharge(fine, clock.due_date, accrual_end(clock, on)) if clock is not None and fine > 0 \
        else Decimal("0.00")
    total = fine + added
    return {"fine": fine, "surcharge": added, "total": total, "paid": paid,
            "outstanding": max(total - paid, Decimal("0.00")), "as_of": on,
            "last_day": clock.due_date if clock is not None else None}


def as_json(due: dict) -> dict:
    def plain(value):
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value.isoformat() if isinstance(value, date) else value
    return plain(due)


def payment_clock(session: Session, case_id: int) -> CaseDeadline | None:
    """The latest payment clock of the case that was not cancelled (a revoked decision cancels it)."""
    return session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id,
                                                      CaseDeadline.key == PAYMENT_CLOCK,
                                                      CaseDeadline.status != ClockStatus.CANCELLED)
                           .order_by(CaseDeadline.id.desc()).limit(1)).first()


def instalment_schedule(plan: list[dict], paid: Decimal, on: date) -> list[dict]:
    """Each approved instalment with what of it is paid — payments go to the earliest instalment first — and
    whether it is paid, still due, or past its last day unpaid on `on` (逾期未缴)."""
    schedule, covered = [], paid
    for number, instalment in enumerate(plan, start=1):
        amount, last_day = money(instalment["amount"]), date.fromisoformat(instalment["last_day"])
        paid_here = min(max(covered, Decimal("0.00")), amount)
        covered -= paid_here
        status = "paid" if paid_here >= amount else ("overdue" if on > last_day else "due")
        schedule.append({"number": number, "last_day": last_day, "amount": amount, "paid": paid_here,
                         "status": status})
    return schedule


def recorded(session: Session, case_id: int) -> tuple[Decimal | None, list[dict]]:
    """The fine the decision imposed (None without one) and the payments recorded so far, oldest first."""
    fine, payments, _ = recorded_with_plan(session, case_id)
    return fine, payments


def recorded_with_plan(session: Session, case_id: int) -> tuple[Decimal | None, list[dict], list[dict] | None]:
    """The fine, the payments, and the instalments of the latest approved plan (None without one)."""
    rows = session.execute(select(AuditRecord.action, AuditRecord.data).where(
        AuditRecord.case_id == case_id, AuditRecord.action.in_(("task_completed", PAYMENT_ACTION, PLAN_ACTION)))
        .order_by(AuditRecord.id)).all()
    fine, payments, plan = None, [], None
    for action, data in rows:
        data = data or {}
        if action == PLAN_ACTION:
            plan = data.get("instalments")
        elif action == PAYMENT_ACTION:
            payments.append(data)
        elif data.get("penalty_kind") == "fine" and data.get("fine_amount") not in (None, ""):
            fine = money(data["fine_amount"])  # the decision (on the spot or after the ordinary procedure)
    return fine, payments, plan


def case_amount_due(session: Session, case_id: int, *, on: date | None = None, today: date | None = None) -> dict | None:
    """What the party owes on `on` (default: the last payment's day once everything is paid, else today), or
    None when no fine is payable (no fine decided, no payment clock, or the decision was revoked)."""
    clock = payment_clock(session, case_id)
    if clock is None:  # most cases: no decision to pay yet, so the record is not read at all
        return None
    fine, payments, plan = recorded_with_plan(session, case_id)
    if fine is None or fine <= 0:
        return None
    paid = sum((money(p.get("amount")) for p in payments), Decimal("0.00"))
    if on is None:
        if today is None:
            raise TypeError("case_amount_due needs `on` or `today`")
        on = today
        if clock.status == ClockStatus.MET and payments:
            on = date.fromisoformat(payments[-1]["paid_on"])
    due = amount_due(fine=fine, clock=clock, paid=paid, on=on)
    due["payments"] = payments
    due["instalments"] = instalment_schedule(plan, paid, on) if plan else []
    due["next_instalment"] = next((item for item in due["instalments"] if item["status"] != "paid"), None)
    return due
