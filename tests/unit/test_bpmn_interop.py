"""Files from other tools (Camunda Modeler, the MIWG reference models) open and export through the designer's
import/export path without losing an element or a coordinate; the engine loads the ones it can run and names
the reason for the others."""
from __future__ import annotations

import pytest
from lxml import etree

from engine.errors import DefinitionProblem
from engine.specs import parse_bpmn
from engine.specs.bpmn_xml import as_utf8_text, element_ids
from engine.specs.diff import diff_bpmn
from tests.conftest import FIXTURES

MIWG = FIXTURES / "miwg"  # the reference models of the OMG's BPMN MIWG test suite (see its README)
MODELS = ["A.1.0", "A.2.0", "A.2.1", "A.3.0", "A.4.0", "A.4.1", "B.1.0", "B.2.0", "C.1.0", "C.1.1", "C.2.0", "C.3.0",
          "C.4.0", "C.5.0", "C.6.0", "C.7.0", "C.8.0", "C.8.1", "C.9.0", "C.9.1", "C.9.2"]
FILES = [MIWG / f"{name}.bpmn" for name in MODELS]
# None of the reference models runs as it is: most are not executable (isExecutable="false"), the others use
# DMN, data stores, JUEL conditions or unquoted timers. The engine names the reason (element and message).
RUNNABLE: set[str] = set()


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml))


def test_every_reference_model_is_in_the_repository():
    assert sorted(path.name for path in MIWG.glob("*.bpmn")) == [path.name for path in FILES]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_import_then_export_keeps_every_element_and_coordinate(path):
    original = path.read_bytes()
    imported = as_utf8_text(original)  # what the designer stores as the draft and exports again
    exported = imported.encode("utf-8")
    assert element_ids(exported) == element_ids(original)
    assert canonical(exported) == canonical(original)  # same document, only the declared encoding may differ
    assert diff_bpmn(original, exported)["identical"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_engine_loads_what_it_can_run_and_names_the_reason_otherwise(path):
    try:
        definition = parse_bpmn(path.name, path.read_bytes(), product=False)
    except DefinitionProblem as exc:
        assert path.name not in RUNNABLE, exc.problems
        assert exc.problems and all(problem["message"] for problem in exc.problems)
        assert any(problem["element_id"] for problem in exc.problems), exc.problems  # it names the element
        assert not any(problem["message"].startswith("'{") for problem in exc.problems)  # no bare KeyError
    else:
        assert path.name in RUNNABLE
        assert definition.spec.task_specs


def test_an_iso_8859_1_file_is_read_with_its_declared_encoding():
    xml = ('<?xml version="1.0" encoding="ISO-8859-1"?><bpmn:definitions xmlns:bpmn='
           '"http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p" name="Gr\u00fc\u00dfe"/>'
           '</bpmn:definitions>').encode("iso-8859-1")
    text = as_utf8_text(xml)
    assert 'encoding="UTF-8"' in text and "Grüße" in text


def test_a_camunda_modeler_file_runs_once_its_timers_are_quoted():
    path = MIWG / "C.9.1.bpmn"
    with pytest.raises(DefinitionProblem) as raised:
        parse_bpmn(path.name, path.read_bytes(), product=False)
    assert {p["element_id"] for p in raised.value.problems} == {"BoundaryEvent_1", "BoundaryEvent_2"}
    quoted = path.read_text(encoding="utf-8").replace(">R6/P1D<", '>"R6/P1D"<').replace(">P7D<", '>"P7D"<')
    definition = parse_bpmn(path.name, quoted.encode("utf-8"), product=False)
    assert definition.process_id == "requestDocument_en" and "UserTask_CallCustomer" in definition.spec.task_specs
