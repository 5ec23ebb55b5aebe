"""The case page's diagram read model: each instance's BPMN with the elements passed and the current position."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import NotAuthorized, NotFound
from engine.services import instances, tasks
from engine.services.diagram import case_diagrams
from engine.store.models import ProcessDefinition
from tests.conftest import FIXTURES


def diagrams(world, case_id, actor):
    with world.uow() as uow:
        return case_diagrams(uow.session, case_id, actor, runner=world.runner)


def complete(world, case_id, name, actor, **data):
    task = next(t for t in world.open_tasks(case_id) if t.name == name)
    tasks.complete_task(task_id=task.id, data=data, actor=actor, **world.deps(runner=True))


def test_a_lead_after_its_initial_check_waits_at_filing_approval(world, staff):
    case_id = world.register(staff["handler1"], process_id="lead_intake", source="patrol")
    [before] = diagrams(world, case_id, staff["handler1"])
    assert "lead_check" in before["active"] and "lead_check" not in before["completed"]
    assert {"lead_registered", "start_filing_clock"} <= set(before["completed"])

    complete(world, case_id, "lead_check", staff["handler1"], findings="现场核实属实", recommendation="file")

    [diagram] = diagrams(world, case_id, staff["head1"])
    assert {"lead_registered", "start_filing_clock", "lead_check"} <= set(diagram["completed"])
    assert "filing_approval" in diagram["active"]
    assert "lead_check" not in diagram["active"] and "filing_approval" not in diagram["completed"]
    assert "complaint_acceptance" not in diagram["completed"] + diagram["active"]  # not a complaint: not taken
    assert len(diagram["completed"]) == len(set(diagram["completed"]))
    assert (diagram["process_id"], diagram["process_name"], diagram["version"], diagram["status"]) == \
        ("lead_intake", "案源登记与立案审查", 1, "waiting")
    assert diagram["bpmn_xml"].lstrip().startswith("<?xml") and 'id="filing_approval"' in diagram["bpmn_xml"]
    assert diagram["error_element"] is None
    assert None not in diagram["completed"] + diagram["active"]  # engine-internal specs have no element id


def test_waiting_timers_are_part_of_the_current_position(world, staff):
    case_id = world.register(staff["handler1"], process_id="lead_intake", source="patrol")
    [diagram] = diagrams(world, case_id, staff["handler1"])
    assert {"lead_check", "filing_warning", "filing_overdue"} <= set(diagram["active"])  # its boundary timers


def test_each_instance_shows_the_definition_version_it_runs_on(world, staff, tmp_path):
    first = world.register(staff["handler1"])
    world.deploy_file(_changed_copy(tmp_path, "case_lead"), comment="第二版")
    second = world.register(staff["handler1"])
    [old] = diagrams(world, first, staff["handler1"])
    [new] = diagrams(world, second, staff["handler1"])
    assert (old["version"], new["version"]) == (1, 2)
    assert "第二版图示" not in old["bpmn_xml"] and "第二版图示" in new["bpmn_xml"]
    with world.uow() as uow:
        stored = uow.session.scalar(select(ProcessDefinition.bpmn_xml).where(
            ProcessDefinition.process_id == "case_lead", ProcessDefinition.version == 1))
    assert old["bpmn_xml"] == stored


def test_a_cancelled_instance_has_no_current_position(world, staff):
    case_id = world.register(staff["handler1"])
    [diagram] = diagrams(world, case_id, staff["head1"])
    instances.cancel_instance(instance_id=diagram["instance_id"], reason="重复登记", actor=staff["admin1"],
                              **world.deps())
    [cancelled] = diagrams(world, case_id, staff["head1"])
    assert cancelled["status"] == "cancelled" and cancelled["active"] == []
    assert cancelled["completed"] == diagram["completed"]


def test_other_agencies_cannot_see_the_diagram(world, staff):
    case_id = world.register(staff["handler1"])
    outsider = world.user("xiwan1", "handler", agency_id=world.agency(code="xiwan", name="西湾街道综合行政执法队",
                                                                       prefix="西湾综执案"))
    with pytest.raises(NotAuthorized):
        diagrams(world, case_id, outsider)
    with pytest.raises(NotFound):
        diagrams(world, case_id + 100, staff["handler1"])


def _changed_copy(directory, process_id):
    source = (FIXTURES / f"{process_id}.bpmn").read_text(encoding="utf-8")
    assert "</bpmn:definitions>" in source
    path = directory / f"{process_id}.bpmn"
    path.write_text(source.replace("</bpmn:definitions>", "<!-- 第二版图示 --></bpmn:definitions>"), encoding="utf-8")
    return path
