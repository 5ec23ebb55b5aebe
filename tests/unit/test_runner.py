"""The runner on the real sample process: spec stored once, timers on the injected clock."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from engine.clock import FrozenClock
from engine.runner import WorkflowRunner
from engine.specs import parse_bpmn
from tests.conftest import PROCESSES


def make_runner():
    runner = WorkflowRunner()
    definition = parse_bpmn("case_lead.bpmn", (PROCESSES / "case_lead.bpmn").read_bytes())
    spec_json = runner.serializer.dump_spec(definition.spec, definition.subprocess_specs)
    reads = []

    def read():
        reads.append(1)
        return spec_json

    return runner, read, reads


def test_instance_state_does_not_carry_the_spec_and_the_spec_is_restored_once():
    runner, read, reads = make_runner()
    clock = FrozenClock(datetime(2026, 3, 2, 1, tzinfo=timezone.utc))
    workflow = runner.create(1, read, {"case_id": 7}, clock)
    state = runner.dump(workflow)
    assert "spec" not in json.loads(state) and "subprocess_specs" not in json.loads(state)
    for _ in range(5):
        loaded = runner.load(1, read, state)
        assert [t.name for t in runner.ready_user_tasks(loaded)] == ["lead_check"]
    assert len(reads) == 1


def test_timers_follow_the_injected_clock_not_the_wall_clock():
    runner, read, _ = make_runner()
    clock = FrozenClock(datetime(2030, 1, 1, tzinfo=timezone.utc))  # far from the wall clock
    workflow = runner.create(1, read, {}, clock)
    assert runner.next_due(workflow) == datetime(2030, 1, 11, tzinfo=timezone.utc)
    clock.advance(timedelta(days=10, seconds=1))
    runner.fire_timers(workflow, clock)
    assert workflow.get_tasks(spec_name="reminder_end")[0].data.get("lead_check_overdue") is True
    assert runner.next_due(workflow) is None


def test_completing_a_task_moves_to_the_next_lane():
    runner, read, _ = make_runner()
    clock = FrozenClock(datetime(2026, 3, 2, 1, tzinfo=timezone.utc))
    workflow = runner.create(1, read, {}, clock)
    task = runner.ready_user_tasks(workflow)[0]
    runner.complete_task(workflow, task.id, {"recommendation": "file", "findings": "x"}, clock)
    ready = runner.ready_user_tasks(workflow)
    assert [(t.name, t.lane, t.form_key) for t in ready] == [("filing_approval", "负责人", "filing_approval")]
