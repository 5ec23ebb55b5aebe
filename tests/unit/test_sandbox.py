"""Designer-written Python runs in the sandbox: business logic works, escapes and runaway scripts are refused."""
from __future__ import annotations

import re
import threading
import time

import pytest

from engine.scripting import Limits, SandboxedEnvironment, SandboxViolation, ScriptRejected, check
from tests.conftest import FIXTURES, PROCESSES

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "__import__('os').system('id')",
    "[c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == 'Popen']",
    "open('/etc/passwd').read()",
    "eval('1 + 1')",
    "exec('x = 1')",
    "getattr((), '__class__')",
    "type(())",
    "globals()['__builtins__']",
    "(x for x in []).gi_frame.f_back.f_globals",
    "start_deadline.__globals__",
    "f'{start_deadline.__globals__}'",
    "'{0.__class__}'.format(1)",
    "vars()",
    "compile('1', 'x', 'eval')",
]


def environment(**limits) -> SandboxedEnvironment:
    calls = []

    def start_deadline(key, start=None):
        calls.append(key)
        return "2026-03-20T23:59:59+08:00"

    env = SandboxedEnvironment({"start_deadline": start_deadline}, Limits(**limits) if limits else None)
    env.calls = calls
    return env


@pytest.mark.parametrize("expression", ESCAPES)
def test_escapes_are_refused_before_or_while_running(expression):
    env = environment()
    with pytest.raises((ScriptRejected, SandboxViolation, NameError, AttributeError, NotImplementedError)):
        env.evaluate(expression, {})


@pytest.mark.parametrize("script", ["import os", "from os import path", "import subprocess\nsubprocess.run('id')",
                                    "class X: pass", "with x: pass", "try:\n    x = 1\nexcept Exception:\n    pass",
                                    "def g():\n    yield 1", "print(1)"])
def test_statements_that_reach_outside_are_refused_with_a_chinese_message(script):
    problems = check(script, "exec")
    assert problems and all(re.search(r"[\u4e00-\u9fff]", message) for message in problems), problems


def test_the_underscore_escape_names_itself():
    [message] = check("__import__('os')", "eval")
    assert "__import__" in message and "下划线" in message


def test_business_logic_of_the_process_library_runs():
    env = environment()
    data = {"source": "complaint", "urgent": "yes", "judgment_result": "revoked", "fine_amount": 500}
    env.execute('is_complaint = source in ("complaint", "report", "hotline_12345")\n'
                'if is_complaint:\n    start_deadline("complaint_acceptance_7wd")\n'
                'case_stage = "revoked" if judgment_result == "revoked" else "decided"\n'
                'total = sum([fine_amount, 100]) * 2\nnames = [k for k in sorted(["b", "a"])]\n'
                'label = f"{total:.2f}"\nparts = {"a": 1}\nparts["b"] = 2\n', data)
    assert data["is_complaint"] is True and data["case_stage"] == "revoked" and data["total"] == 1200
    assert data["names"] == ["a", "b"] and data["label"] == "1200.00" and data["parts"] == {"a": 1, "b": 2}
    assert env.calls == ["complaint_acceptance_7wd"]
    assert "start_deadline" not in data and not any(key.startswith("_") for key in data)
    assert env.evaluate('"referral_urgent_24h" if urgent == "yes" else "referral_3wd"', data) == "referral_urgent_24h"


def test_every_script_condition_and_timer_of_the_shipped_processes_compiles_in_the_sandbox():
    from lxml import etree

    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    count = 0
    for path in [*sorted(PROCESSES.glob("*.bpmn")), FIXTURES / "case_lead.bpmn"]:
        tree = etree.parse(str(path))
        for script in tree.xpath("//bpmn:script", namespaces=ns):
            assert check(script.text or "", "exec") == [], (path.name, script.text)
            count += 1
        for expression in tree.xpath("//bpmn:conditionExpression | //bpmn:timeDate | //bpmn:timeDuration",
                                     namespaces=ns):
            assert check(expression.text.strip(), "eval") == [], (path.name, expression.text)
            count += 1
    assert count > 100


def test_an_endless_loop_is_stopped_by_the_time_limit_in_a_worker_thread():
    env = environment(time_limit=0.2, max_steps=10**9)
    outcome = {}

    def run():
        started = time.monotonic()
        try:
            env.execute("n = 0\nwhile True:\n    n = n + 1\n", {})
        except SandboxViolation as exc:
            outcome["error"] = str(exc)
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert not worker.is_alive()
    assert "0.2 秒" in outcome["error"] and outcome["seconds"] < 2


def test_a_step_budget_stops_loops_in_comprehensions_and_one_line_loops():
    env = environment(max_steps=10_000)
    with pytest.raises(SandboxViolation, match="步"):
        env.evaluate("[a * b for a in range(1000) for b in range(1000)]", {})
    with pytest.raises(SandboxViolation):
        env.execute("while True: pass", {})


@pytest.mark.parametrize("expression", ["2 ** 10 ** 9", "'x' * 10 ** 9", "[0] * 10 ** 9", "1 << 10 ** 9",
                                        "range(10 ** 12)", "'x'.ljust(10 ** 9)", "pow(10, 10 ** 8)",
                                        "'%999999999d' % 1", "('ab' * 500000).replace('a', 'aaaa')"])
def test_single_operations_that_would_build_huge_values_are_refused(expression):
    started = time.monotonic()
    with pytest.raises(SandboxViolation):
        environment().evaluate(expression, {})
    assert time.monotonic() - started < 1


def test_doubling_a_string_in_a_short_loop_is_refused():
    with pytest.raises(SandboxViolation):
        environment().execute("s = 'x'\nfor i in range(40):\n    s = s + s\n", {})


def test_time_spent_in_system_functions_does_not_count_against_the_script():
    def slow_lookup():  # busy, not sleeping: the limit counts the thread's CPU time
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass
        return 1

    env = SandboxedEnvironment({"slow_lookup": slow_lookup}, Limits(time_limit=0.2))
    assert env.evaluate("slow_lookup() + slow_lookup()", {}) == 2


def test_task_data_cannot_replace_the_guards():
    env = environment()
    assert env.evaluate("a[0]", {"a": [1], "_getitem_": "evil", "__builtins__": {"open": "x"}}) == 1
    assert env.evaluate("len(a)", {"a": [1, 2], "__builtins__": {"len": "x"}}) == 2


def test_a_preempted_script_is_not_failed_by_the_wall_clock():
    env = SandboxedEnvironment({"pause": lambda: time.sleep(0.3)}, Limits(time_limit=0.2))
    assert env.evaluate("[pause() for i in range(2)] and 1", {}) == 1
