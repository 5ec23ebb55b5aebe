"""Running designer-written expressions and scripts: restricted built-ins, guards, and a time, size and step budget.

The time limit is enforced with `sys.settrace`, which works in any thread (the scheduler fires timers in worker
threads, where a SIGALRM-based timeout cannot be used) and costs nothing outside the sandbox: the tracer is
installed only while a script or expression runs, traces only frames of sandboxed code, and is switched off
while a system function the script calls (start_deadline, start_case_process …) runs. Every bytecode
instruction executed counts one step (lines are not enough: a one-line `while True: pass` emits no line
events); past `max_steps` or past `time_limit` seconds the tracer raises SandboxViolation into the script. A
script cannot catch it: `try` is refused when the script is compiled.

What counts against `time_limit` is the thread's CPU time (`time.thread_time`), the script's own and that of the
system functions it calls alike, so a loop calling a system function is stopped like any other; CPU time rather
than the wall clock, so a busy machine that preempts the worker never makes a correct script fail. What a system
function spends waiting besides (for the database's lock, for I/O: its wall time less its CPU time) counts
against `wait_limit`, so a script cannot hold the database by waiting either. Both are looked at again as each
system function returns.

A single operation can be slow or huge without executing many instructions (`2 ** 10**9`, `"x" * 10**9`,
`"".join([s] * 4000)`, `a * a` on a huge integer), and the tracer cannot interrupt one C call, so the operators,
f-strings, `%`, the built-ins and the methods of strings and lists that can build huge values check the size of
the result before they build it (`max_text` characters, `max_size` items, `max_int_bits` bits), and everything
they build in one run is added up (`max_built`), so a loop keeping many large values is stopped too.

One step may start at most `max_starts` processes, clocks and messages each: the system functions that start
them are named by `quotas` (DEFAULT_QUOTAS). A step is everything run inside `step()`, which the runner opens
for each action (a process started by a script runs its scripts within the same step), else one script run.
"""
from __future__ import annotations

import math
import operator
import re
import sys
import time
from collections import Counter
from collections.abc import ItemsView, KeysView, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, Iterator

from RestrictedPython.Guards import (
    full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .policy import SANDBOX_FILENAME, compile_code


class SandboxViolation(Exception):
    """A designer's script or expression broke a sandbox limit (time, steps, size, starts per step)."""


@dataclass(frozen=True)
class Limits:
    time_limit: float = 1.0  # CPU seconds of the script's thread, in the script and in the system functions it calls
    # seconds its system functions spent waiting (wall time less CPU time), all together: as long as the database's
    # own lock timeout, so a loaded machine (threads waiting for the GIL, a contended row) never fails a correct
    # step — a statutory timer above all — while no script holds the database longer than a lock wait could
    wait_limit: float = 30.0
    max_steps: int = 2_000_000  # bytecode instructions executed (about a second when traced)
    max_size: int = 1_000_000  # items in a list, tuple or dict built in one operation; task data one script writes
    max_text: int = 100_000  # characters in a string (bytes in bytes) built in one operation
    max_int_bits: int = 100_000  # bits of an integer built by **, *, << …
    max_built: int = 10_000_000  # items and characters built by checked operations in one run, all together
    max_starts: int = 20  # processes, clocks and messages one engine step may start, each


QUOTA_NAMES = {"process": "流程", "clock": "期限", "message": "消息"}
# the system functions that start something (engine.case_functions, engine.deadlines.scope), by what they start
DEFAULT_QUOTAS = {"start_case_process": "process", "start_deadline": "clock", "notify_case": "message"}
LOOK_EVERY = 0.005  # seconds of wall time between looks at the thread's CPU clock (a syscall)


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.thread_time() + limits.time_limit
        self.waiting = 0.0
        self.steps = 0
        self.built = 0
        self.next_look = time.monotonic() + LOOK_EVERY
        self.max_steps = limits.max_steps
        self.tracer = self.trace_steps

    def trace_calls(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename == SANDBOX_FILENAME:
            frame.f_trace_opcodes = True  # a one-line `while True: pass` emits no line events, only opcodes
            return self.tracer
        return None

    def trace_steps(self, frame, event, arg, monotonic=time.monotonic):
        if event == "opcode":
            self.steps += 1
            if self.steps > self.max_steps:
                raise SandboxViolation(f"脚本执行超过 {self.max_steps:,} 步的上限，已中止（是否有死循环？）")
            if monotonic() >= self.next_look:  # cheap; the CPU clock (a syscall) is looked at every LOOK_EVERY,
                self.look()  # so right after any step that took long
        return self.tracer

    def look(self) -> None:
        self.next_look = time.monotonic() + LOOK_EVERY
        self.check_time()

    def check_time(self) -> None:
        if time.thread_time() > self.deadline:
            raise SandboxViolation(f"脚本运行超过 {self.limits.time_limit:g} 秒的时间限制（含调用系统函数的时间），已中止")

    def waited(self, wall: float, cpu: float) -> None:
        """A system function ran `wall` seconds, `cpu` of them on this thread's CPU (counted by check_time)."""
        self.waiting += max(0.0, wall - cpu)
        if self.waiting > self.limits.wait_limit:
            raise SandboxViolation(f"脚本调用的系统函数累计等待超过 {self.limits.wait_limit:g} 秒（数据库繁忙？），已中止")

    def build(self, size: int) -> None:
        self.built += size
        if self.built > self.limits.max_built:
            raise SandboxViolation(f"脚本累计生成的数据过多（上限 {self.limits.max_built:,} 个字符或元素），已中止")


class _Step:
    """What one engine step started through the scripts it ran (processes, clocks, messages)."""

    def __init__(self) -> None:
        self.started: Counter[str] = Counter()


_budget: ContextVar[_Budget | None] = ContextVar("zhifa_sandbox_budget", default=None)
_step: ContextVar[_Step | None] = ContextVar("zhifa_sandbox_step", default=None)


@contextmanager
def step() -> Iterator[None]:
    """One engine step: the starts counted by `quotas` add up across all the scripts it runs (the outermost
    step wins: a process started by a script runs its own scripts within the same step)."""
    if _step.get() is not None:
        yield
        return
    token = _step.set(_Step())
    try:
        yield
    finally:
        _step.reset(token)


def _run(limits: Limits, action: Callable[[], Any]) -> Any:
    budget = _Budget(limits)
    with step():
        token = _budget.set(budget)
        previous = sys.gettrace()
        sys.settrace(budget.trace_calls)
        try:
            return action()
        finally:
            sys.settrace(previous)
            _budget.reset(token)


def trusted(function: Callable, quota: str | None = None) -> Callable:
    """A system function offered to scripts: it runs untraced, and its time counts against the script's budget.
    With a `quota` ("process", "clock", "message") each call counts as one start of that kind in the step."""
    @wraps(function)
    def call(*args, **kwargs):
        budget = _budget.get()
        if budget is None:
            return function(*args, **kwargs)
        budget.check_time()
        if quota is not None:
            _count_start(quota, budget.limits.max_starts, function.__name__)
        tracer, wall, cpu = sys.gettrace(), time.monotonic(), time.thread_time()
        sys.settrace(None)
        try:
            result = function(*args, **kwargs)
        finally:
            sys.settrace(tracer)
            budget.waited(time.monotonic() - wall, time.thread_time() - cpu)
        budget.check_time()
        return result
    setattr(call, "zhifa_trusted", True)  # what the sandbox's environment looks for
    setattr(call, "zhifa_quota", quota)
    return call


def _count_start(kind: str, most: int, name: str) -> None:
    current = _step.get()
    if current is None:
        return
    current.started[kind] += 1
    if current.started[kind] > most:
        raise SandboxViolation(f"本步骤启动的{QUOTA_NAMES.get(kind, kind)}超过 {most} 个的上限（{name}），已中止")


# -- guards -------------------------------------------------------------------------------------------------

_SEQUENCES = (str, bytes, list, tuple)
_CONTAINERS = (str, bytes, list, tuple, dict, set, frozenset)
_OPS = {"**": operator.pow, "*": operator.mul, "<<": operator.lshift, "+": operator.add, "%": operator.mod,
        "-": operator.sub, "/": operator.truediv, "//": operator.floordiv, ">>": operator.rshift,
        "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul}
_CONVERSIONS: dict[int, Callable | None] = {-1: None, 115: str, 114: repr, 97: ascii}
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d*)(?:\.(\*|\d*))?[a-zA-Z%]")
MAX_FORMAT_WIDTH = 1000
MAX_ROUND_DIGITS = 1000
_NUMBERS = (int, float, bool)
_VIEWS = (KeysView, ValuesView, ItemsView)


def _sized(value) -> int:
    return len(value) if isinstance(value, _CONTAINERS) else 0


@contextmanager
def _untraced() -> Iterator[None]:
    """Guard code looping over a large value: each Python call it makes would otherwise call the tracer too."""
    tracer = sys.gettrace()
    sys.settrace(None)
    try:
        yield
    finally:
        sys.settrace(tracer)


def _contents(sequence) -> int:
    """The lengths of the strings and containers in a sequence, added up (not looking deeper)."""
    with _untraced():
        return sum(len(item) for item in sequence if isinstance(item, _CONTAINERS))


def _text_size(value, limit: int) -> int:
    """An upper estimate of len(str(value)) and len(repr(value)), computed without building either; counting
    stops soon after `limit`. A container shared many times counts every time it would be printed."""
    seen: dict[int, int] = {}

    def size(item) -> int:
        kind = type(item)
        if kind is str:
            return len(item) + 2 if item.isprintable() else 10 * len(item) + 2
        if kind is bytes:
            return 4 * len(item) + 3
        if kind is int:
            return math.ceil(item.bit_length() * 0.30103) + 2
        if kind in (bool, float, type(None)):
            return 32
        key = id(item)
        if key in seen:
            return seen[key]
        seen[key] = 8  # a container inside itself prints as [...]
        if kind in (list, tuple, set, frozenset, dict) or isinstance(item, _VIEWS):
            total = 32
            for element in (item.items() if kind is dict else item):
                total += 2 + (size(element[0]) + 2 + size(element[1]) if kind is dict else size(element))
                if total > limit:
                    break
        else:
            total = len(repr(item))  # the small values system functions return (dates, ranges, iterators)
        seen[key] = total
        return total

    with _untraced():
        return size(value)


class _CheckedType(type):
    """A built-in type offered to scripts (`str`, `list` …): calling it is checked and what it builds is counted;
    `isinstance(x, str)` and `str.upper` behave as with the type itself."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.wrapped)

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, cls.wrapped)

    def __call__(cls, *args, **kwargs):
        return cls.make(*args, **kwargs)

    def __getattr__(cls, name):
        return getattr(cls.wrapped, name)

    def __repr__(cls):
        return repr(cls.wrapped)


def _guards(limits: Limits) -> dict[str, Any]:
    def check_size(size: int, what: str = "结果", limit: int = limits.max_size) -> None:
        if size > limit:
            unit = "个字符" if limit == limits.max_text else "个元素"
            raise SandboxViolation(f"{what}过大（上限 {limit:,} {unit}），已中止")

    def check_text(size: int, what: str = "文字") -> None:
        check_size(size, what, limits.max_text)

    def built(size: int) -> None:
        budget = _budget.get()
        if budget is not None and size:
            budget.build(size)

    def measured(size: int, what: str = "结果", limit: int = limits.max_size) -> None:
        check_size(size, what, limit)
        built(size)

    def measured_like(size: int, value) -> None:
        """A result of the same kind as `value`: a string's limit is in characters, a list's in items."""
        if isinstance(value, (str, bytes)):
            measured(size, "文字", limits.max_text)
        else:
            measured(size)

    def check_bits(bits: int, what: str) -> None:
        if bits > limits.max_int_bits:
            raise SandboxViolation(f"{what}结果过大（超过 {limits.max_int_bits:,} 位），已中止")

    def text(value) -> None:
        if type(value) is not str:
            measured(_text_size(value, limits.max_text), "转成的文字", limits.max_text)

    def integers(symbol: str, left: int, right: int) -> None:
        if symbol == "**":
            if right > 0 and abs(left) > 1:
                check_bits(right * left.bit_length(), "乘方")
        elif symbol == "*":
            check_bits(left.bit_length() + right.bit_length(), "乘法")
        elif symbol == "<<":
            if right > 0:
                check_bits(left.bit_length() + right, "移位")
        elif symbol in ("+", "-"):
            check_bits(max(left.bit_length(), right.bit_length()) + 1, "加减")

    def formatted_size(template, values) -> int:
        pattern = template.decode("latin-1") if isinstance(template, bytes) else template
        specs = _PERCENT.findall(pattern)
        numbers = [int(number) for spec in specs for number in spec if number and number != "*"]
        if any(number == "*" for spec in specs for number in spec) or any(n > MAX_FORMAT_WIDTH for n in numbers):
            raise SandboxViolation(f"格式化宽度过大（上限 {MAX_FORMAT_WIDTH}）或使用了 *，已中止")
        if isinstance(values, tuple):
            inserted = sum(_text_size(value, limits.max_text) for value in values)
        elif isinstance(values, dict):  # `%(name)s` may be used many times: each could be the largest value
            inserted = len(specs) * max((_text_size(value, limits.max_text) for value in values.values()), default=0)
        else:
            inserted = _text_size(values, limits.max_text)
        return len(pattern) + sum(numbers) + inserted

    small = limits.max_int_bits // 2

    def binop(symbol: str, left, right):
        if isinstance(left, int) and isinstance(right, int):
            if (symbol == "+" or symbol == "-") and left.bit_length() < small and right.bit_length() < small:
                return left + right if symbol == "+" else left - right  # the common case, without another call
            integers(symbol, left, right)
        elif symbol == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, _SEQUENCES) and isinstance(count, int):
                    measured_like(len(sequence) * max(count, 0), sequence)
                    if count > 1 and isinstance(sequence, (list, tuple)):  # `[s] * n`: n references to one large
                        check_size(_contents(sequence) * count, "重复的内容")  # value, as slow as n copies to compare
        elif symbol == "+":
            if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
                measured_like(len(left) + len(right), left)
        elif symbol == "%" and isinstance(left, (str, bytes)):
            measured(formatted_size(left, right), "文字", limits.max_text)
        result = _OPS[symbol](left, right)
        if type(result) in (dict, set, frozenset):  # `d | e`, `s - t`: a new one, as large as its parts
            built(len(result))
        return result

    def inplacevar(op: str, left, right):
        return binop(op[:-1], left, right)

    def fstring(parts: tuple):
        size = 0
        for part in parts:
            if type(part) is str:
                size += len(part)
            else:
                value, _, spec = part
                size += _text_size(value, limits.max_text) + sum(int(n) for n in re.findall(r"\d+", spec))
        measured(size, "文字", limits.max_text)
        pieces = []
        for part in parts:
            if type(part) is str:
                pieces.append(part)
            else:
                value, conversion, spec = part
                convert = _CONVERSIONS[conversion]
                pieces.append(format(convert(value) if convert else value, spec))
        return "".join(pieces)

    def unpack(value):
        if not isinstance(value, (*_CONTAINERS, range)):
            value = list(value)
        measured(len(value))
        return value

    # methods whose result can be much larger than the value they are called on: checked before they run
    def join(obj, iterable):
        items = list(iterable)
        check_text(sum(len(item) for item in items if isinstance(item, (str, bytes)))
                   + len(obj) * max(len(items) - 1, 0))
        return (items,)

    def padded(obj, width, *rest):
        check_text(int(width))
        return (width, *rest)

    def replace(obj, old, new, *rest):
        count = obj.count(old) if old else len(obj) + 1
        check_text(len(obj) + count * max(len(new) - len(old), 0))
        return (old, new, *rest)

    def expandtabs(obj, tabsize=8):
        check_text(len(obj) * max(int(tabsize), 1))
        return (tabsize,)

    def translate(obj, table):
        if isinstance(table, dict):
            check_text(len(obj) * max([1, *(len(v) for v in table.values() if isinstance(v, (str, bytes)))]))
        return (table,)

    def extend(obj, iterable):
        items = iterable if isinstance(iterable, (*_CONTAINERS, range)) else list(iterable)
        check_size(len(obj) + len(items))
        return (items,)

    def to_bytes(obj, length=1, *rest, **kwargs):
        check_text(int(length))
        return (length, *rest)

    prechecks: dict[str, Callable] = {
        "join": join, "ljust": padded, "rjust": padded, "center": padded, "zfill": padded, "replace": replace,
        "expandtabs": expandtabs, "translate": translate, "extend": extend, "to_bytes": to_bytes}

    def getattr_(obj, name, default=None):
        if isinstance(obj, type) and name in prechecks:  # `str.join(sep, parts)`: as `sep.join(parts)`
            return lambda first, *args, **kwargs: getattr_(first, name)(*args, **kwargs)
        value = safer_getattr(obj.wrapped if isinstance(obj, _CheckedType) else obj, name, default)
        if not callable(value) or not isinstance(obj, (*_CONTAINERS, int, _CheckedType)):
            return value
        check = prechecks.get(name)

        def method(*args, **kwargs):
            if check is not None:
                args = check(obj, *args, **kwargs)
            result = value(*args, **kwargs)
            if result is not obj:
                built(_sized(result))
            return result
        return method

    def getitem(obj, key):
        result = obj[key]
        if type(key) is slice:
            built(_sized(result))
        return result

    def write(obj):
        return _ListWriter(obj, check_size) if type(obj) is list else full_write_guard(obj)

    def counted(kind: type, check: Callable | None = None) -> _CheckedType:
        def make(*args, **kwargs):
            if check is not None:
                check(*args, **kwargs)
            result = kind(*args, **kwargs)
            built(_sized(result))
            return result
        return _CheckedType(kind.__name__, (), {"wrapped": kind, "make": staticmethod(make)})

    def to_text(value=None, *rest, **kwargs):
        if not rest and not kwargs:
            text(value)

    def limited_range(*args):
        result = range(*args)
        check_size(len(result), "range")
        return result

    def guarded_pow(base, exponent, modulo=None):
        if modulo is None:
            return binop("**", base, exponent)
        if isinstance(exponent, int) and isinstance(modulo, int) \
                and abs(exponent).bit_length() * abs(modulo).bit_length() > 10 * limits.max_int_bits:
            raise SandboxViolation("带模乘方的数过大，已中止")
        return pow(base, exponent, modulo)

    def guarded_round(number, ndigits=None):
        if ndigits is not None and abs(int(ndigits)) > MAX_ROUND_DIGITS:
            raise SandboxViolation(f"round 的位数不能超过 {MAX_ROUND_DIGITS}，已中止")
        return round(number, ndigits)

    def guarded_repr(value):
        text(value)
        return repr(value)

    def guarded_sum(iterable, start=0):
        if isinstance(start, _NUMBERS):
            return sum(iterable, start)
        items = list(iterable)
        measured(_sized(start) + sum(_sized(item) for item in items))
        return sum(items, start)

    def guarded_sorted(iterable, **kwargs):
        result = sorted(iterable, **kwargs)
        built(len(result))
        return result

    def guarded_zip(*iterables, **kwargs):
        if len(iterables) > 2:  # every item is a tuple as long as the number of iterables
            iterables = tuple(it if isinstance(it, (*_CONTAINERS, range)) else list(it) for it in iterables)
            measured(len(iterables) * min(len(it) for it in iterables))
        return zip(*iterables, **kwargs)

    builtins = {
        "abs": abs, "all": all, "any": any, "bool": bool, "chr": chr, "divmod": divmod,
        "enumerate": enumerate, "filter": filter, "float": float, "int": int,
        "isinstance": isinstance, "len": len, "map": map, "max": max, "min": min, "ord": ord,
        "pow": guarded_pow, "range": limited_range, "repr": guarded_repr, "reversed": reversed,
        "round": guarded_round, "sorted": guarded_sorted, "sum": guarded_sum, "zip": guarded_zip,
        "str": counted(str, to_text), "list": counted(list), "tuple": counted(tuple), "dict": counted(dict),
        "set": counted(set), "frozenset": counted(frozenset),
        "None": None, "True": True, "False": False,
        "Exception": Exception, "ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
        "IndexError": IndexError, "LookupError": LookupError, "ArithmeticError": ArithmeticError,
        "ZeroDivisionError": ZeroDivisionError, "RuntimeError": RuntimeError,
    }
    return {
        "__builtins__": builtins,
        "__name__": "zhifa_sandbox",
        "__metaclass__": type,
        "_getattr_": getattr_,
        "_getitem_": getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": write,
        "_inplacevar_": inplacevar,
        "_binop_": binop,
        "_fstring_": fstring,
        "_unpack_": unpack,
        "_apply_": lambda function, *args, **kwargs: function(*args, **kwargs),
    }


class _ListWriter:
    """What `l[i] = v`, `l[a:b] = v` and `del l[i]` write through: a slice assignment may not grow the list
    past the size limit (`l[len(l):] = l` doubles it)."""

    __slots__ = ("target", "check_size")

    def __init__(self, target: list, check_size: Callable[[int], None]):
        self.target, self.check_size = target, check_size

    def __setitem__(self, key, value):
        if isinstance(key, slice):
            value = value if isinstance(value, (*_CONTAINERS, range)) else list(value)
            self.check_size(len(self.target) + len(value))
        self.target[key] = value

    def __delitem__(self, key):
        del self.target[key]


# -- the environment SpiffWorkflow's script engine runs with -----------------------------------------------

class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's TaskDataEnvironment semantics (task data are the script's variables, assignments land
    in the task data), but compiled with RestrictedPython and run under the sandbox's guards and budget."""

    def __init__(self, environment_globals: dict[str, Any] | None = None, limits: Limits | None = None,
                 quotas: dict[str, str] | None = None):
        """`quotas` names the system functions that start something, and what (DEFAULT_QUOTAS if not given)."""
        self.limits = limits or Limits()
        quotas = DEFAULT_QUOTAS if quotas is None else quotas
        functions = {name: value if not callable(value) or (getattr(value, "zhifa_trusted", False)
                                                            and name not in quotas)
                     else trusted(value, quotas.get(name)) for name, value in (environment_globals or {}).items()}
        super().__init__(functions)
        self._guards = _guards(self.limits)

    def evaluate(self, expression, context, external_context=None):
        code = compile_code(expression.strip(), "eval")
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(self._guards)  # last: task data can never replace a guard
        return _run(self.limits, lambda: eval(code, scope))  # noqa: S307 - restricted code, guarded scope

    def execute(self, script, context, external_context=None):
        code = compile_code(script, "exec")
        self._check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        context.update(self._guards)
        before = {key: id(value) for key, value in context.items()}
        try:
            _run(self.limits, lambda: exec(code, context))  # noqa: S102 - restricted code, guarded scope
        finally:
            self._remove_globals(context, external_context)
        self._check_written(context, before)
        return True

    def _check_written(self, context, before: dict[str, int]) -> None:
        """The task data a script set is saved with the instance and copied to every later task: it may not be
        larger than one value a script may build."""
        written = sum(_text_size(value, self.limits.max_size) for key, value in context.items()
                      if before.get(key) != id(value))
        if written > self.limits.max_size:
            raise SandboxViolation(f"脚本写入任务数据的内容过大（上限 {self.limits.max_size:,} 个字符），已中止")

    def _remove_globals(self, context, external_context=None) -> None:
        for key in list(context):
            if key in self._guards or key in self.globals or (external_context and key in external_context) \
                    or callable(context[key]):
                context.pop(key)

    def _check_for_overwrite(self, context, external_context) -> None:
        clash = (set(self.globals) | set(external_context)) & set(context)
        if clash:
            raise ValueError(f"任务数据中的变量与系统函数重名，请改名：{', '.join(sorted(clash))}")
