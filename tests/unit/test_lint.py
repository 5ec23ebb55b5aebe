"""Lint rules before a process is deployable: each problem names the element it is about."""
from __future__ import annotations

import pytest

import forms
from engine.errors import DefinitionProblem
from engine.specs import parse_bpmn
from tests.conftest import FIXTURES

GOOD = (FIXTURES / "case_lead.bpmn").read_text(encoding="utf-8")


def problems_of(xml: str) -> list[tuple[str | None, str]]:
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn("case_lead.bpmn", xml.encode("utf-8"), form_exists=forms.exists)
    return [(p["element_id"], p["message"]) for p in raised.value.problems]


def test_the_fixture_is_clean():
    assert parse_bpmn("case_lead.bpmn", GOOD.encode("utf-8"), form_exists=forms.exists).process_id == "case_lead"


def test_an_unquoted_iso_timer_is_named_with_the_fix():
    xml = GOOD.replace('<bpmn:timeDate>deadline_warning("filing_15wd")</bpmn:timeDate>',
                       "<bpmn:timeDuration>PT1H</bpmn:timeDuration>")
    [(element, message)] = problems_of(xml)
    assert element == "filing_warning" and "没有加引号" in message and '"PT1H"' in message


@pytest.mark.parametrize("timer, expected", [
    ('deadline("no_such_clock")', "期限目录中没有 no_such_clock"),
    ('deadline(clock_name)', "须直接写明期限目录的键"),
    ('"2026-05-01T09:00:00"', "没有时区"),
    ('"P2X"', "不是有效的 ISO-8601"),
    ("due_at", "应使用期限目录"),
])
def test_timers_use_the_deadline_catalog_or_a_valid_quoted_iso_value(timer, expected):
    xml = GOOD.replace('deadline_warning("filing_15wd")', timer)
    [(element, message)] = problems_of(xml)
    assert element == "filing_warning" and expected in message


def test_quoted_iso_values_and_conditional_catalog_keys_are_fine():
    for timer in ('"2026-05-01T09:00:00+08:00"', 'deadline_warning("referral_3wd" if urgent == "yes" else "filing_15wd")',
                  'deadline_warning("filing_15wd", 2)'):
        parse_bpmn("case_lead.bpmn", GOOD.replace('deadline_warning("filing_15wd")', timer).encode(),
                   form_exists=forms.exists)
    xml = GOOD.replace('<bpmn:timeDate>deadline_warning("filing_15wd")</bpmn:timeDate>',
                       '<bpmn:timeDuration>"P2D"</bpmn:timeDuration>')
    parse_bpmn("case_lead.bpmn", xml.encode(), form_exists=forms.exists)


def test_a_condition_calling_import_is_refused_by_the_sandbox():
    xml = GOOD.replace('recommendation == "file"', "__import__('os').system('id') == 0")
    [(element, message)] = problems_of(xml)
    assert element == "flow_recommend_file" and "__import__" in message


def test_a_script_with_an_import_names_the_script_task():
    xml = GOOD.replace('case_stage = "investigation"', "import os\ncase_stage = os.getcwd()")
    [(element, message)] = problems_of(xml)
    assert element == "mark_filed" and "import" in message


def test_dangling_flows_and_unconnected_nodes_are_named():
    xml = GOOD.replace('<bpmn:sequenceFlow id="flow_decided" sourceRef="case_decision" targetRef="record_decision" />',
                       '<bpmn:sequenceFlow id="flow_decided" sourceRef="case_decision" targetRef="gone" />')
    found = problems_of(xml)
    assert ("flow_decided", "连线「flow_decided」的终点 gone 不存在（或不在同一个流程/子流程中）") in found
    assert any(element == "record_decision" and "没有进入的连线" in message for element, message in found)


def test_an_unsupported_element_is_named():
    xml = GOOD.replace('<bpmn:exclusiveGateway id="escalation_outcome" name="是否延长" default="flow_no_extension">',
                       '<bpmn:complexGateway id="escalation_outcome" name="是否延长" default="flow_no_extension">') \
        .replace("</bpmn:exclusiveGateway>\n    <bpmn:scriptTask id=\"extend_decision_clock\"",
                 "</bpmn:complexGateway>\n    <bpmn:scriptTask id=\"extend_decision_clock\"")
    found = problems_of(xml)
    assert any(element == "escalation_outcome" and "复杂网关" in message for element, message in found), found


def test_a_plain_task_waits_without_a_role_so_it_is_refused():
    xml = GOOD.replace('<bpmn:userTask id="not_filed_reply" name="不予立案告知" camunda:formKey="complainant_reply">',
                       '<bpmn:task id="not_filed_reply" name="不予立案告知">') \
        .replace("</bpmn:userTask>\n    <bpmn:endEvent id=\"not_filed_end\"", "</bpmn:task>\n    <bpmn:endEvent id=\"not_filed_end\"")
    assert any(element == "not_filed_reply" and "无类型任务" in message for element, message in problems_of(xml))


def test_a_gateway_branch_without_condition_or_default_is_named():
    xml = GOOD.replace(' default="flow_rejected"', "")
    assert ("flow_rejected", "连线「不批准」从排他网关「是否批准立案」出去，既没有条件也不是默认分支") in problems_of(xml)


def test_task_properties_use_the_vocabulary():
    xml = GOOD.replace('<bpmn:userTask id="lead_check" name="案源初查" camunda:formKey="lead_check">',
                       '<bpmn:userTask id="lead_check" name="案源初查" camunda:formKey="lead_check"><bpmn:extensionElements>'
                       '<camunda:properties><camunda:property name="duty" value="judge" /></camunda:properties>'
                       '</bpmn:extensionElements>')
    [(element, message)] = problems_of(xml)
    assert element == "lead_check" and "judge" in message


def test_no_executable_process_and_duplicate_ids():
    assert problems_of(GOOD.replace('isExecutable="true"', 'isExecutable="false"'))[0][1].startswith("没有可执行的流程")
    xml = GOOD.replace('id="withdrawn_end"', 'id="lead_check"').replace(">withdrawn_end<", ">lead_check<") \
        .replace('targetRef="withdrawn_end"', 'targetRef="lead_check"').replace('bpmnElement="withdrawn_end"', 'bpmnElement="x"')
    assert any("被 2 个元素重复使用" in message for _, message in problems_of(xml))


def test_the_vocabulary_matches_the_engine():
    from engine.checks import CHECKS
    from engine.specs.vocabulary import CHECK_TITLES

    assert set(CHECK_TITLES) == set(CHECKS)
