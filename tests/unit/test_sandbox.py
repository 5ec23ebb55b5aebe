"""Designer-written Python runs in the sandbox: business logic works, escapes and runaway scripts are refused."""
from __future__ import annotations

import re
import threading
import time

import pytest

from engine.scripting import Limits, SandboxedEnvironment, SandboxViolation, ScriptRejected, check, step
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


def test_task_data_cannot_replace_the_guards():
    env = environment()
    assert env.evaluate("a[0]", {"a": [1], "_getitem_": "evil", "__builtins__": {"open": "x"}}) == 1
    assert env.evaluate("len(a)", {"a": [1, 2], "__builtins__": {"len": "x"}}) == 2


S = "s = 'x' * 99999\n"  # about the largest string a script may build in one operation
L = "l = [0] * 999999\n"

# each builds more than a gigabyte, or runs for tens of seconds in one C call, unless checked before it runs
HUGE_IN_ONE_CALL = {
    "power": "t = 2 ** 10 ** 9", "string repeat": "t = 'x' * 10 ** 9", "list repeat": "t = [0] * 10 ** 9",
    "shift": "t = 1 << 10 ** 9", "range": "t = range(10 ** 12)", "padding": "t = 'x'.ljust(10 ** 9)",
    "pow()": "t = pow(10, 10 ** 8)", "%-format width": "t = '%999999999d' % 1",
    "replace": "t = ('ab' * 25000).replace('a', 'aaaa')",
    "doubling a string": "s = 'x'\nfor i in range(40):\n    s = s + s\n",
    "join of 4000 megabyte strings": "t = ''.join(['x' * 999999] * 4000)",
    "join of a list built in a loop": S + "t = ''.join([s for i in range(4000)])",
    "join through the type": S + "t = str.join('', [s, s])",
    "2**49999 squared 14 times": "a = 2 ** 49999\nfor i in range(14):\n    a = a * a\n",
    "in-place squaring": "a = 2 ** 49999\na *= a\na *= a\n",
    "growing an integer by addition": "a = 1 << 99999\na = a + a\n",
    "f-string of three": S + "t = f'{s}{s}{s}'",
    "f-string repr": L + "t = f'{[l, l, l, l]!r}'",
    "%-format of a tuple": S + "t = '%s%s' % (s, s)",
    "%-format of one name many times": S + "t = ('%(a)s' * 1000) % {'a': s}",
    "%-format precision": "t = '%.999999999f' % 1.0",
    "str of a shared list": L + "t = str([l, l, l, l])",
    "repr of a shared list": L + "t = repr([l, l, l, l])",
    "str of a shared view": "d = dict.fromkeys(range(99999))\nt = str([d.keys()] * 10)",
    "str of each copy": L + "t = list(map(str, [l, l]))",
    "unpacking twice": L + "for i in range(30):\n    l = [*l, *l]\n",
    "unpacking into a call": L + "for i in range(30):\n    l = (lambda *a: a)(*l, *l)\n",
    "extending a list by itself": L + "for i in range(30):\n    l.extend(l)\n",
    "slice assignment": L + "for i in range(30):\n    l[len(l):] = l\n",
    "repeating references to a large list": L + "t = [l] * 1000",
    "sum of lists": L + "t = sum([l for i in range(1000)], [])",
    "zip of a thousand": L + "t = list(zip(*[l for i in range(1000)]))",
    "copies kept in a loop": "keep = []\nfor i in range(1000):\n    keep.append('x' * 99999)\n",
    "dict copies by unpacking": "d = dict.fromkeys(range(999999))\nkeep = []\nfor i in range(100):\n"
                                "    keep.append({**d})\n",
    "set copies by union": "a = set(range(999999))\nkeep = []\nfor i in range(100):\n    keep.append(a | a)\n",
    "list copies by map": L + "t = list(map(list, [l for i in range(1000)]))",
    "round to ten million places": "t = round(5, -10 ** 7)",
    "int to a gigabyte of bytes": "t = (5).to_bytes(10 ** 9, 'big')",
    "modular power of huge numbers": "t = pow(3, 1 << 90000, (1 << 90000) + 1)",
    "translate into long strings": S + "t = s.translate({120: s})",
    "comparing many references to equal large strings": "a = 'x' * 99999\nb = 'x' * 99999\n"
                                                        "same = [a] * 999999 == [b] * 999999",
}


@pytest.mark.parametrize("script", HUGE_IN_ONE_CALL.values(), ids=HUGE_IN_ONE_CALL.keys())
def test_operations_that_would_build_huge_values_are_refused_before_they_run(script):
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match="过大|过多|位数不能超过"):
        environment().execute(script, {})
    assert time.monotonic() - started < 1.5


def test_a_script_cannot_write_more_task_data_than_one_value_may_hold():
    data = {"findings": "属实"}
    with pytest.raises(SandboxViolation, match="写入任务数据的内容过大"):
        environment().execute("a = ['x' * 99999] * 6\nb = ['y' * 99999] * 6\n", data)
    environment().execute("a = ['x' * 99999] * 6\n", data)
    assert len(data["a"]) == 6


def test_the_format_method_is_refused_outright():
    with pytest.raises(NotImplementedError):
        environment().evaluate("'{:>999999999}'.format(1)", {})


def test_ordinary_formatting_joining_and_arithmetic_still_work():
    data = {"fine_amount": 1234.5, "names": ["张三", "李四"], "days": 15}
    environment().execute(
        'label = f"罚款 {fine_amount:,.2f} 元，{days!r} 日"\nwho = "、".join(names)\n'
        'line = "%s 等 %d 人" % (who, len(names))\nbig = 2 ** 64 * 3 + 1\nparts = [*names, *names]\n'
        'copy = list(names)\ncopy.extend(names)\ntext = str(copy) + repr(days)\n'
        'typed = isinstance(who, str) and isinstance(copy, (list, tuple))\nupper = str.upper("ab")\n', data)
    assert data["label"] == "罚款 1,234.50 元，15 日" and data["who"] == "张三、李四"
    assert data["line"] == "张三、李四 等 2 人" and data["big"] == 3 * 2 ** 64 + 1
    assert data["parts"] == data["copy"] == ["张三", "李四", "张三", "李四"]
    assert data["text"] == "['张三', '李四', '张三', '李四']15" and data["typed"] is True and data["upper"] == "AB"


def busy(seconds: float):
    def lookup():  # burns CPU, as a query being planned and run would
        end = time.thread_time() + seconds
        while time.thread_time() < end:
            pass
        return 1
    return lookup


def test_a_loop_calling_a_system_function_is_stopped_at_the_budget():
    env = SandboxedEnvironment({"lookup": busy(0.05)}, Limits(time_limit=0.3))
    started = time.monotonic()
    with pytest.raises(SandboxViolation, match="0.3 秒.*系统函数"):
        env.execute("n = 0\nwhile True:\n    n = n + lookup()\n", {})
    assert time.monotonic() - started < 1


def test_time_waiting_inside_system_functions_is_bounded_too():
    calls = []

    def wait_for_lock():  # sleeping, as a write waiting for the database's lock does
        calls.append(1)
        time.sleep(0.15)

    env = SandboxedEnvironment({"wait_for_lock": wait_for_lock}, Limits(wait_limit=0.2))
    with pytest.raises(SandboxViolation, match="等待超过 0.2 秒"):
        env.execute("for i in range(100):\n    wait_for_lock()\n", {})
    assert len(calls) == 2


def starters():
    started = {"start_case_process": [], "start_deadline": [], "notify_case": []}

    def recorder(name):
        def record(*args):
            started[name].append(args)
        record.__name__ = name
        return record
    return started, {name: recorder(name) for name in started}


@pytest.mark.parametrize("name, calls, kind", [("start_case_process", 200, "流程"),
                                               ("start_deadline", 2000, "期限"), ("notify_case", 50, "消息")])
def test_a_step_starts_at_most_twenty_processes_clocks_and_messages(name, calls, kind):
    started, functions = starters()
    env = SandboxedEnvironment(functions)
    with pytest.raises(SandboxViolation, match=f"启动的{kind}超过 20 个.*{name}"):
        env.execute(f"for i in range({calls}):\n    {name}('x')\n", {})
    assert len(started[name]) == 20


def test_the_scripts_of_one_step_share_its_twenty_starts():
    started, functions = starters()
    env = SandboxedEnvironment(functions)
    with step():
        env.execute("for i in range(15):\n    start_deadline('x')\n", {})
        with pytest.raises(SandboxViolation, match="期限超过 20 个"):
            env.execute("for i in range(15):\n    start_deadline('x')\n", {})
    assert len(started["start_deadline"]) == 20
    env.execute("for i in range(15):\n    start_deadline('x')\n", {})  # a new step starts counting afresh


def test_another_step_completes_while_a_hostile_script_is_being_stopped():
    hostile = SandboxedEnvironment({"lookup": busy(0.01)}, Limits(time_limit=0.6))
    outcome = {}

    def attack():
        try:
            hostile.execute("while True:\n    lookup()\n", {})
        except SandboxViolation as exc:
            outcome["refused"] = str(exc)
        outcome["attack_seconds"] = time.monotonic() - started

    started = time.monotonic()
    attacker = threading.Thread(target=attack)
    attacker.start()
    time.sleep(0.05)
    data = {"fine_amount": 500}
    environment().execute("total = fine_amount * 2\nstart_deadline('payment_15d')\n", data)
    other_seconds = time.monotonic() - started
    still_attacking = attacker.is_alive()
    attacker.join(5)
    assert data["total"] == 1000 and still_attacking and other_seconds < 0.5
    assert "时间限制" in outcome["refused"] and outcome["attack_seconds"] < 2


def test_a_preempted_script_is_not_failed_by_the_wall_clock():
    env = SandboxedEnvironment({"pause": lambda: time.sleep(0.3)}, Limits(time_limit=0.2))
    assert env.evaluate("[pause() for i in range(2)] and 1", {}) == 1
