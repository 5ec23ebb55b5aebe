"""Who may register what the party did, when, and how often (engine.message_rules), walked through the real
processes: every role × every message × the case's state. A revocation is never registered directly; one
reconsideration and one lawsuit per decision, and none while the other runs (行政复议法第二十九条)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import InvalidState, NotAuthorized
from engine.message_rules import RULES
from engine.services import instances

from .test_payment import served

PAYLOADS = {
    "reconsideration_filed": {"applicant": "东城建工集团有限公司"},
    "lawsuit_filed": {"court": "县人民法院"},
    "payment_deferral_applied": {},
    "decision_revoked": {"reconsideration_result": "revoked"},
}
MAY_REGISTER = {"handler", "head"}


@pytest.fixture
def cast(world, staff):
    other = world.agency(code="xicheng", name="西城镇综合行政执法队", prefix="西城综执案")
    return {**staff,
            "supervisor1": world.user("supervisor1", "supervisor"),
            "designer1": world.user("designer1", "designer"),
            "other_head": world.user("other_head", "head", agency_id=other)}


def decided(case):
    """A fine decided and served, five days before its payment clock ends; returns that day."""
    on = served(case) - timedelta(days=5)
    case.at(on.isoformat())
    return on


def deliver(case, actor, name, on):
    payload = dict(PAYLOADS[name])
    if name in ("reconsideration_filed", "lawsuit_filed"):
        payload["received_on"] = on.isoformat()
    instances.deliver_message(case_id=case.case_id, name=name, payload=payload, actor=actor,
                              **case.world.deps(runner=True))


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_every_role_may_register_only_what_its_rule_allows_on_a_decided_case(new_case, cast, name):
    case = new_case()
    on = decided(case)
    for username in ("supervisor1", "designer1", "reviewer1", "other_head", "admin1"):
        with pytest.raises(NotAuthorized):
            deliver(case, cast[username], name, on)
    assert case.open_tasks() == ["await_payment"]  # nothing moved
    allowed = [username for username in ("handler1", "head1") if cast[username].roles & RULES[name].roles]
    if not allowed:  # the revocation: never from outside, whoever asks
        with pytest.raises(NotAuthorized) as raised:
            deliver(case, cast["head1"], name, on)
        assert "复议决定或者人民法院的判决" in str(raised.value)
        assert case.view()["stage"] != "revoked"
        return
    deliver(case, cast[allowed[0]], name, on)
    assert case.open_tasks() != ["await_payment"]


@pytest.mark.parametrize("name", ["reconsideration_filed", "lawsuit_filed", "payment_deferral_applied"])
def test_nothing_is_challenged_or_deferred_before_a_decision(new_case, cast, name):
    case = new_case()
    with pytest.raises(InvalidState) as raised:
        deliver(case, cast["handler1"], name, case.world.clock.now().date())
    assert "尚未作出行政处罚决定" in str(raised.value)


def test_one_reconsideration_per_decision_and_no_lawsuit_while_it_runs(new_case, cast):
    case = new_case()
    on = decided(case)
    deliver(case, cast["handler1"], "reconsideration_filed", on)
    with pytest.raises(InvalidState) as raised:
        deliver(case, cast["head1"], "reconsideration_filed", on)
    assert "正在办理中" in str(raised.value)
    with pytest.raises(InvalidState) as raised:
        deliver(case, cast["handler1"], "lawsuit_filed", on)
    assert "第二十九条第一款" in str(raised.value)
    assert [i["process_id"] for i in case.view()["instances"]].count("reconsideration") == 1


def test_after_a_lawsuit_no_reconsideration_and_no_second_lawsuit(new_case, cast):
    case = new_case()
    on = decided(case)
    deliver(case, cast["handler1"], "lawsuit_filed", on)
    with pytest.raises(InvalidState) as raised:
        deliver(case, cast["handler1"], "reconsideration_filed", on)
    assert "第二十九条第二款" in str(raised.value)
    with pytest.raises(InvalidState):
        deliver(case, cast["handler1"], "lawsuit_filed", on)
