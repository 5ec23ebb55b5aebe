"""The runner on the real sample process: spec stored once, timers on the injected clock, re-arming."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from engine.clock import FrozenClock
from engine.runner import WorkflowRunner
from engine.specs import parse_bpmn
from tests.conftest import FIXTURES


class InMemoryClocks:
    """Stands in for the case's deadline records so the runner can be checked without a database."""

    def __init__(self):
        self.due = {}
        self.warned = []

    def functions(self):
        return {
            "start_deadline": lambda key, start=None: self.due.setdefault(key, "2030-01-20T00:00:00+08:00"),
            "deadline": lambda key: self.due[key],
            "deadline_warning": lambda key, days=None: (datetime.fromisoformat(self.due[key])
                                                        - timedelta(days=5)).isoformat(),
            "warn_deadline": lambda key: self.warned.append(key),
            "meet_deadline": lambda key: True,
        }


def make_runner(clocks=None):
    clocks = clocks or InMemoryClocks()
    runner = WorkflowRunner(script_globals=clocks.functions())
    definition = parse_bpmn("case_lead.bpmn", (FIXTURES / "case_lead.bpmn").read_bytes())
    spec_json = runner.serializer.dump_spec(definition.spec, definition.subprocess_specs)
    reads = []

    def read():
        reads.append(1)
        return spec_json

    return runner, read, reads


SEED = {"case_id": 7, "discovered_at": "2030-01-01T09:00:00+08:00"}


def test_instance_state_does_not_carry_the_spec_and_the_spec_is_restored_once():
    runner, read, reads = make_runner()
    clock = FrozenClock(datetime(2030, 1, 2, 1, tzinfo=timezone.utc))
    workflow = runner.create(1, read, SEED, clock)
    state = runner.dump(workflow)
    assert "spec" not in json.loads(state) and "subprocess_specs" not in json.loads(state)
    for _ in range(5):
        loaded = runner.load(1, read, state)
        assert [t.name for t in runner.ready_user_tasks(loaded)] == ["lead_check"]
    assert len(reads) == 1


def test_timers_follow_the_injected_clock_not_the_wall_clock():
    clocks = InMemoryClocks()
    runner, read, _ = make_runner(clocks)
    clock = FrozenClock(datetime(2030, 1, 2, tzinfo=timezone.utc))  # far from the wall clock
    workflow = runner.create(1, read, SEED, clock)
    warning_at = datetime(2030, 1, 15, tzinfo=timezone(timedelta(hours=8)))
    assert runner.next_due(workflow) == warning_at
    assert runner.ready_user_tasks(workflow)[0].due_at == warning_at  # only a warning is armed on lead_check
    clock.set(warning_at + timedelta(seconds=1))
    runner.fire_timers(workflow, clock)
    assert clocks.warned == ["filing_15wd"]
    assert runner.next_due(workflow) is None


def test_rearming_moves_a_waiting_timer_to_the_new_due_moment():
    clocks = InMemoryClocks()
    runner, read, _ = make_runner(clocks)
    clock = FrozenClock(datetime(2030, 1, 2, tzinfo=timezone.utc))
    workflow = runner.create(1, read, SEED, clock)
    clocks.due["filing_15wd"] = "2030-02-20T00:00:00+08:00"
    assert runner.rearm_timers(workflow, {"filing_15wd"}, clock) == 1
    assert runner.next_due(workflow) == datetime(2030, 2, 15, tzinfo=timezone(timedelta(hours=8)))
    assert runner.rearm_timers(workflow, {"decision_90d"}, clock) == 0


def test_completing_a_task_moves_to_the_next_lane():
    runner, read, _ = make_runner()
    clock = FrozenClock(datetime(2030, 1, 2, 1, tzinfo=timezone.utc))
    workflow = runner.create(1, read, SEED, clock)
    task = runner.ready_user_tasks(workflow)[0]
    runner.complete_task(workflow, task.id, {"recommendation": "file", "findings": "x"}, clock)
    ready = runner.ready_user_tasks(workflow)
    assert [(t.name, t.lane, t.form_key) for t in ready] == [("filing_approval", "负责人", "filing_approval")]
