"""The decision period on a real ordinary-procedure case is extended only as the law allows: once by thirty days on
a head's approval (through the escalation of 超期督办 or directly), further only on a recorded collective
discussion; a request beyond it is refused in plain words with nothing saved, and the case goes on."""
from __future__ import annotations

from datetime import datetime

import pytest

from engine.errors import NotAuthorized, ValidationFailed
from engine.services import deadlines

from .test_paths import ACCEPT, filed_and_assigned

LIMIT = "「作出行政处罚决定期限」经负责人批准只能延长一次，最多三十日"


def extend(case, username="head1", **request):
    return deadlines.extend_case_deadline(case_id=case.case_id, key="decision_90d", actor=case.staff[username],
                                          **{"reason": "案情复杂", **request}, **case.world.deps(runner=True))


def test_the_escalation_extends_once_by_thirty_days_and_a_second_extension_needs_a_collective_discussion(new_case):
    case = filed_and_assigned(new_case())
    case.at("2026-06-02 00:01")
    assert "investigation_escalation" in case.open_tasks() and case.clock("decision_90d")["status"] == "overdue"
    case.do("investigation_escalation", "head1", escalation_action="extend", extension_days=30,
            escalation_opinion="案情复杂，批准延长")
    assert (case.clock("decision_90d")["status"], case.clock("decision_90d")["due"]) == ("running", "2026-06-30")

    with pytest.raises(ValidationFailed) as refused:
        extend(case, period=30)
    assert refused.value.message.startswith(LIMIT) and "集体讨论" in refused.value.message
    assert case.clock("decision_90d")["due"] == "2026-06-30" and "deadline_extended" in case.actions()

    extended = extend(case, period=45, reason="需补充检测", collective_discussion="2026-06-20 局务会议集体讨论，同意继续延长")
    assert extended["due"] == "2026-08-14" and extended["status"] == "running"  # 03-02 + 90 + 30 + 45 days
    assert extended["extensions"][-1]["collective_discussion"] == "2026-06-20 局务会议集体讨论，同意继续延长"
    assert case.task("investigation").due_at == datetime.fromisoformat(extended["due_at"])  # the task moved with it


def test_an_escalation_asking_beyond_the_law_is_refused_and_the_head_may_still_urge(new_case):
    case = filed_and_assigned(new_case())
    case.at("2026-05-20")
    assert extend(case, period=10)["due"] == "2026-06-10"  # the head's one extension, before the end
    case.at("2026-06-11 00:01")
    assert "investigation_escalation" in case.open_tasks()
    with pytest.raises(ValidationFailed) as refused:
        case.do("investigation_escalation", "head1", escalation_action="extend", extension_days=30,
                escalation_opinion="再延长三十日")
    assert refused.value.message.startswith(LIMIT)
    assert case.processes()["penalty_ordinary"] == "waiting"  # refused, not a failure of the process
    assert "investigation_escalation" in case.open_tasks() and case.clock("decision_90d")["status"] == "overdue"
    assert len(case.clock("decision_90d")["extensions"]) == 1
    case.do("investigation_escalation", "head1", escalation_action="urge", escalation_opinion="督促尽快办理")
    assert "investigation_escalation" not in case.open_tasks()


def test_a_request_beyond_thirty_days_or_with_a_long_reason_or_by_a_handler_changes_nothing(new_case):
    case = filed_and_assigned(new_case())
    with pytest.raises(ValidationFailed) as too_long:
        extend(case, period=31)
    assert too_long.value.message.startswith(LIMIT) and "period" in too_long.value.fields
    with pytest.raises(ValidationFailed) as wordy:
        extend(case, period=30, reason="理" * 1_000_000)
    assert set(wordy.value.fields) == {"reason"}
    with pytest.raises(NotAuthorized):
        extend(case, "handler1", period=30)
    assert case.clock("decision_90d")["extensions"] == [] and case.clock("decision_90d")["due"] == "2026-06-01"
    assert "deadline_extended" not in case.actions()


def test_the_filing_check_is_extended_once_by_fifteen_working_days_on_the_heads_approval(new_case):
    case = new_case()  # discovered 2026-03-01: the 15 working days end on 03-20
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.at("2026-03-21 00:01")
    assert "filing_extension" in case.open_tasks()
    with pytest.raises(ValidationFailed) as refused:
        case.do("filing_extension", "head1", extension_decision="extend", extension_days=20, extension_reason="需检测")
    assert refused.value.message == ("「立案审查期限」经负责人批准只能延长一次，最多十五个工作日"
                                     "（市场监督管理行政处罚程序规定第十八条）。")
    assert "filing_extension" in case.open_tasks() and case.processes()["lead_intake"] == "waiting"
    case.do("filing_extension", "head1", extension_decision="extend", extension_days=15, extension_reason="需检测")
    filing = case.clock("filing_15wd")
    assert (filing["status"], filing["due"]) == ("running", "2026-04-13")  # 15 more working days, past 清明
