"""Paying a fine in instalments (分期缴纳, 行政处罚法第六十六条第二款) through the real penalty_ordinary process: the
handler records the party's plan, a head approves it; the payment clock then ends on the last instalment's day
(第七十三条第三款 counts enforcement from the end of the instalment period), payments go to the earliest
instalment first, and the case is paid only when every instalment is."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import ValidationFailed

from .test_payment import owed, pay, served


def plan_text(*instalments) -> str:
    return "\n".join(f"{day.isoformat()} {amount}" for day, amount in instalments)


def apply_for_instalments(case, last_day, plan: str, **extra):
    applied_on = last_day - timedelta(days=5)
    case.at(applied_on.isoformat())
    case.message("payment_deferral_applied")
    case.do("payment_deferral_application", "handler1", deferral_kind="instalments",
            deferral_applied_on=applied_on.isoformat(), deferral_reason="经营困难，申请分两期缴纳",
            requested_instalments=plan, **extra)


def test_an_approved_plan_ends_the_clock_on_the_last_instalment_and_closes_only_when_all_is_paid(new_case):
    case = new_case()
    last_day = served(case)  # a fine of 2,000 元
    first, second = last_day + timedelta(days=10), last_day + timedelta(days=40)
    apply_for_instalments(case, last_day, plan_text((first, "800"), (second, "1200")))
    case.do("payment_deferral_approval", "head2", deferral_approval="approve", deferral_opinion="同意分两期缴纳")
    assert case.clock("payment_15d")["strict_due"] == second.isoformat()  # rolled on past a rest day
    assert "payment_plan_approved" in case.actions()
    due = owed(case, first)
    assert [(item["amount"], item["status"]) for item in due["instalments"]] == [(800, "due"), (1200, "due")]
    assert due["next_instalment"]["last_day"] == first

    pay(case, "await_payment", first, 800)
    view = case.view()
    assert view["stage"] == "partly_paid" and case.open_tasks() == ["await_payment"]
    assert [item["status"] for item in owed(case, first)["instalments"]] == ["paid", "due"]
    case.at((first + timedelta(days=5)).isoformat())
    assert case.open_tasks() == ["await_payment"]  # between instalments the party is not late
    assert owed(case, first + timedelta(days=5))["surcharge"] == 0

    pay(case, "await_payment", second, 1200)
    assert case.view()["stage"] == "paid" and case.clock("payment_15d")["status"] == "met"


def test_an_instalment_past_its_day_unpaid_is_shown_overdue(new_case):
    case = new_case()
    last_day = served(case)
    first, second = last_day + timedelta(days=10), last_day + timedelta(days=40)
    apply_for_instalments(case, last_day, plan_text((first, "800"), (second, "1200")))
    case.do("payment_deferral_approval", "head2", deferral_approval="approve", deferral_opinion="同意")
    pay(case, "await_payment", first, 500)  # short of the first instalment
    due = owed(case, first + timedelta(days=1))
    assert [(item["paid"], item["status"]) for item in due["instalments"]] == [(500, "overdue"), (0, "due")]


def test_a_head_may_approve_a_changed_plan(new_case):
    case = new_case()
    last_day = served(case)
    apply_for_instalments(case, last_day, plan_text((last_day + timedelta(days=10), "1000"),
                                                    (last_day + timedelta(days=40), "1000")))
    changed = plan_text((last_day + timedelta(days=10), "500"), (last_day + timedelta(days=20), "500"),
                        (last_day + timedelta(days=30), "1000"))
    case.do("payment_deferral_approval", "head2", deferral_approval="approve", approved_instalments=changed,
            deferral_opinion="调整为三期")
    assert case.clock("payment_15d")["strict_due"] == (last_day + timedelta(days=30)).isoformat()
    assert len(owed(case, last_day)["instalments"]) == 3


@pytest.mark.parametrize(("plan", "message"), [
    (lambda d: plan_text((d + timedelta(days=10), "800"), (d + timedelta(days=40), "1000")), "与申请时尚欠的 2,000.00 元不符"),
    (lambda d: plan_text((d + timedelta(days=10), "2000")), "至少分两期"),
    (lambda d: plan_text((d + timedelta(days=40), "800"), (d + timedelta(days=10), "1200")), "应晚于上一期"),
    (lambda d: plan_text((d - timedelta(days=1), "800"), (d, "1200")), "应晚于当前缴款期限的最后一日"),
    (lambda d: "下个月 800\n再下个月 1200", "格式不正确"),
    (lambda d: plan_text((d + timedelta(days=10), "800.555"), (d + timedelta(days=40), "1199.445")), "两位小数"),
])
def test_a_plan_that_does_not_add_up_is_refused_with_the_reason(new_case, plan, message):
    case = new_case()
    last_day = served(case)
    with pytest.raises(ValidationFailed) as raised:
        apply_for_instalments(case, last_day, plan(last_day))
    assert message in raised.value.fields["requested_instalments"][0]
    assert case.open_tasks() == ["payment_deferral_application"]


def test_instalments_need_a_plan_and_a_deferral_needs_a_day(new_case):
    case = new_case()
    last_day = served(case)
    with pytest.raises(ValidationFailed) as raised:
        apply_for_instalments(case, last_day, "")
    assert raised.value.fields["requested_instalments"] == ["分期缴纳的，须填写分期方案。"]
    with pytest.raises(ValidationFailed) as raised:
        case.do("payment_deferral_application", "handler1", deferral_kind="defer",
                deferral_applied_on=(last_day - timedelta(days=5)).isoformat(), deferral_reason="困难")
    assert raised.value.fields["requested_last_day"]
