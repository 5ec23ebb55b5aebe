"""Every clock of the catalog is extended only as its law allows: an extendable one accepts its maximum once and
refuses beyond, naming the limit and the article; the others (the party's, the court's, and every period the law
gives no extension) refuse any extension (procedure.md §3)."""
from __future__ import annotations

from datetime import datetime

import pytest

from engine.actors import Actor
from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ, FrozenClock
from engine.deadlines.catalog import catalog, entry
from engine.deadlines.extensions import REASON_MAX, ExtensionRefused, offer
from engine.deadlines.scope import DeadlineScope, deadline_scope, extend_deadline, start_deadline
from engine.errors import NotAuthorized

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=CHINA_TZ)
HEAD = Actor(user_id=7, name="李局长", agency_id=1, roles=frozenset({"head"}))
EXTENDABLE = sorted(key for key, item in catalog().items() if item.extension)
NOT_EXTENDABLE = sorted(key for key, item in catalog().items() if not item.extension)


class NoRows:
    """Just enough of a session for a case with no clocks yet."""

    def scalars(self, _query):
        return []

    def get(self, _model, _key):
        return None  # no agency setting: the catalog's period

    def add(self, _row):
        pass


def case_scope(actor: Actor = HEAD) -> DeadlineScope:
    return DeadlineScope(session=NoRows(), case_id=1, agency_id=1, instance_id=None, clock=FrozenClock(NOW),
                         actor=actor, calendar=WorkCalendar())


def started(scope: DeadlineScope, key: str):
    start_deadline(key, NOW if entry(key).unit == "hour" else "2026-03-02")
    return scope.current(key)


def test_the_catalog_says_who_may_extend_each_clock_by_how_much_and_how_often():
    assert {key: (item.extension.by, item.extension.max, item.extension.times, item.extension.further)
            for key, item in catalog().items() if item.extension} == {
        "decision_90d": ("head", 30, 1, "collective_discussion"),
        "seizure_30d": ("head", 30, 1, ""),
        "reconsideration_decision_60d": ("head", 30, 1, ""),
        "filing_15wd": ("head", 15, 1, ""),
        "referral_feedback_15wd": ("head", 15, 1, ""),  # how long the agency waits for an answer: its practice
    }
    assert entry("seizure_30d").extension.basis == "行政强制法第二十五条"
    assert entry("reconsideration_decision_60d").extension.basis == "行政复议法第六十二条第一款"
    assert entry("decision_90d").extension.basis.startswith("行政处罚法第六十条")
    assert all(not item.extension for item in catalog().values() if item.party_side or item.court)
    assert {"first_instance_6m", "second_instance_3m", "court_acceptance_5wd", "court_defence_15d"} == {
        key for key, item in catalog().items() if item.court}


@pytest.mark.parametrize("key", EXTENDABLE)
def test_an_extendable_clock_takes_its_maximum_once_and_refuses_more(key):
    rule = entry(key).extension
    with deadline_scope(case_scope()) as scope:
        row = started(scope, key)
        before = row.due_at
        with pytest.raises(ExtensionRefused) as too_long:
            extend_deadline(key, rule.max + 1, "情况复杂")
        assert row.due_at == before and not row.extensions  # nothing changed
        assert extend_deadline(key, rule.max, "情况复杂，经负责人批准延长")
        assert row.due_at > before and len(row.extensions) == 1
        extended = row.due_at
        with pytest.raises(ExtensionRefused) as again:
            extend_deadline(key, 1, "还需要时间")
        assert row.due_at == extended and len(row.extensions) == 1
    for refusal in (too_long.value, again.value):
        assert "只能延长一次" in refusal.message and rule.basis in refusal.message
    assert offer(row, entry(key)) == ({"max": None, "needs_discussion": True} if rule.further else None)


@pytest.mark.parametrize("key", NOT_EXTENDABLE)
def test_a_clock_the_law_gives_no_extension_refuses_any(key):
    item = entry(key)
    with deadline_scope(case_scope()) as scope:
        row = started(scope, key)
        before = row.due_at
        with pytest.raises(ExtensionRefused) as refused:
            extend_deadline(key, 1, "当事人请求宽限")
        assert row.due_at == before and not row.extensions
    assert item.basis in refused.value.message and "period" in refused.value.fields
    if item.party_side:
        assert "当事人的期限，行政机关不能延长" in refused.value.message
    elif item.court:
        assert "由人民法院掌握，行政机关不能延长" in refused.value.message
    else:
        assert refused.value.message.startswith(f"法律没有规定「{item.title}」可以延长")
    assert offer(row, item) is None


def test_the_decision_period_is_refused_in_the_laws_words():
    with deadline_scope(case_scope()) as scope:
        started(scope, "decision_90d")
        with pytest.raises(ExtensionRefused) as refused:
            extend_deadline("decision_90d", 31, "案情复杂")
    assert refused.value.message == ("「作出行政处罚决定期限」经负责人批准只能延长一次，最多三十日；再延长须经负责人集体讨论决定，"
                                     "并写明集体讨论记录（行政处罚法第六十条；市场监督管理行政处罚程序规定）。")


def test_the_decision_period_goes_further_only_on_a_recorded_collective_discussion():
    with deadline_scope(case_scope()) as scope:
        row = started(scope, "decision_90d")
        assert row.due_date.isoformat() == "2026-06-01"  # 90 days after 03-02 end 05-31, a Sunday
        extend_deadline("decision_90d", 30, "案情复杂")
        with pytest.raises(ExtensionRefused) as refused:
            extend_deadline("decision_90d", 60, "仍需鉴定")
        assert "collective_discussion" in refused.value.fields
        with pytest.raises(ExtensionRefused):
            extend_deadline("decision_90d", 60, "仍需鉴定", "   ")
        assert extend_deadline("decision_90d", 60, "仍需鉴定", "2026-06-20 局务会议集体讨论，同意继续延长六十日")
        assert row.strict_due_date.isoformat() == "2026-08-29"  # 90 + 30 + 60 days
        assert row.extensions[-1]["collective_discussion"] == "2026-06-20 局务会议集体讨论，同意继续延长六十日"
        assert row.extensions[-1]["further"] is True and row.extensions[-1]["approved_by"] == "李局长"
        assert "经李局长批准延长 60日（仍需鉴定）" in row.explanation
        [(action, _, summary)] = [event for event in scope.events if event[0] == "deadline_extended"][-1:]
        assert "经集体讨论（2026-06-20 局务会议集体讨论，同意继续延长六十日）延长 60日" in summary


def test_a_reason_has_a_length_limit_and_nothing_is_saved():
    with deadline_scope(case_scope()) as scope:
        row = started(scope, "seizure_30d")
        with pytest.raises(ExtensionRefused) as refused:
            extend_deadline("seizure_30d", 30, "理" * (REASON_MAX + 1))
        assert not row.extensions
        assert extend_deadline("seizure_30d", 30, "理" * REASON_MAX)
    assert set(refused.value.fields) == {"reason"} and f"不能超过 {REASON_MAX} 字" in refused.value.fields["reason"][0]


def test_only_the_role_the_catalog_names_extends():
    handler = Actor(user_id=8, name="张三", agency_id=1, roles=frozenset({"handler"}))
    with deadline_scope(case_scope(handler)) as scope:
        row = started(scope, "seizure_30d")
        with pytest.raises(NotAuthorized):
            extend_deadline("seizure_30d", 10, "情况复杂")
        assert not row.extensions
