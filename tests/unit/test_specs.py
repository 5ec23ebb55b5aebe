"""Loading BPMN: every shipped process parses; a bad file names itself and its element and stops nothing else."""
from __future__ import annotations

import shutil

import pytest

import forms
from engine.errors import DefinitionProblem
from engine.specs import load_directory, parse_bpmn
from tests.conftest import FIXTURES, PROCESSES

GOOD = (FIXTURES / "case_lead.bpmn").read_bytes()


def test_every_shipped_process_parses_with_lanes_and_forms():
    parsed, problems = load_directory(PROCESSES, form_exists=forms.exists)
    assert problems == []
    assert parsed, "no processes shipped"
    for definition in parsed:
        assert definition.process_id == definition.source_name.removesuffix(".bpmn")
        assert b"BPMNDiagram" in definition.bpmn_xml.encode()  # opens with a layout in any modeler
        for task in definition.user_tasks:
            assert task["role"] and forms.exists(task["form_key"]), task


def test_a_broken_file_is_reported_by_name_and_the_others_still_load(tmp_path):
    shutil.copy(FIXTURES / "case_lead.bpmn", tmp_path / "case_lead.bpmn")
    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions><unclosed>", encoding="utf-8")
    parsed, problems = load_directory(tmp_path, form_exists=forms.exists)
    assert [p.process_id for p in parsed] == ["case_lead"]
    assert problems[0]["file"] == "broken.bpmn" and "XML" in problems[0]["message"]


def test_a_user_task_without_a_form_or_role_lane_names_the_element():
    xml = GOOD.replace(b'camunda:formKey="filing_approval"', b"").replace(b'name="\xe8\xb4\x9f\xe8\xb4\xa3\xe4\xba\xba"',
                                                                              b'name="Clerks"')
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn("case_lead.bpmn", xml, form_exists=forms.exists)
    problems = [(p["element_id"], p["message"]) for p in raised.value.problems]
    assert ("filing_approval", "用户任务「立案审批」没有表单（camunda:formKey）") in problems
    assert any(element == "filing_approval" and "泳道：Clerks" in message for element, message in problems)


def test_an_unknown_form_key_is_a_problem():
    xml = GOOD.replace(b'camunda:formKey="lead_check"', b'camunda:formKey="no_such_form"')
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn("case_lead.bpmn", xml, form_exists=forms.exists)
    assert raised.value.problems == [{"file": "case_lead.bpmn", "element_id": "lead_check",
                                      "message": "用户任务「案源初查」的表单 no_such_form 不存在"}]


def test_a_flow_to_a_missing_element_names_the_flow():
    xml = GOOD.replace(b'targetRef="filing_approval"', b'targetRef="nowhere"')
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn("case_lead.bpmn", xml)
    assert raised.value.problems[0]["file"] == "case_lead.bpmn"
    assert raised.value.problems[0]["element_id"]


def test_not_bpmn_at_all():
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn("note.bpmn", b"<note>hello</note>")
    assert "note.bpmn" in raised.value.message


def test_every_shipped_element_is_drawn_so_the_diagram_opens_in_any_modeler():
    from lxml import etree

    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        tree = etree.parse(str(path))
        drawn = set(tree.xpath("//bpmndi:BPMNShape/@bpmnElement | //bpmndi:BPMNEdge/@bpmnElement", namespaces=ns))
        process = tree.find("bpmn:process", ns)
        elements = [child.get("id") for child in process if child.get("id") and
                    etree.QName(child).localname not in ("laneSet", "documentation", "extensionElements")]
        lanes = tree.xpath("//bpmn:lane/@id", namespaces=ns)
        missing = [element for element in elements + lanes if element not in drawn]
        assert not missing, f"{path.name}: no diagram shape for {missing}"
        assert process.get("id") == path.stem, f"{path.name}: the file stem must be the process id"


def test_every_statutory_timer_in_the_library_names_a_catalog_entry():
    import re

    from engine.deadlines.catalog import is_known

    for path in sorted(PROCESSES.glob("*.bpmn")):
        text = path.read_text(encoding="utf-8")
        for key in re.findall(r"""deadline(?:_warning)?\(&quot;|deadline(?:_warning)?\("([a-z0-9_]+)""", text):
            if key:
                assert is_known(key), f"{path.name}: unknown deadline {key}"
        for expression in re.findall(r"<bpmn:time(?:Date|Duration|Cycle)>([^<]+)<", text):
            assert "deadline" in expression, f"{path.name}: a statutory timer must use the deadline catalog"
