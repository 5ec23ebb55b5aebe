"""Running designer-written expressions and scripts: restricted built-ins, guards, and a time and step budget.

The time limit is enforced with `sys.settrace`, which works in any thread (the scheduler fires timers in worker
threads, where a SIGALRM-based timeout cannot be used) and costs nothing outside the sandbox: the tracer is
installed only while a script or expression runs, traces only frames of sandboxed code, and is switched off
while a trusted function the script calls (start_deadline, start_case_process …) runs. Every bytecode
instruction executed counts one step (lines are not enough: a one-line `while True: pass` emits no line
events); past `max_steps` or past `time_limit` seconds of the script's own time the tracer raises
SandboxViolation into the script. A script cannot catch it: `try` is refused when the script is compiled.
Time is the thread's CPU time (`time.thread_time`), not the wall clock: a busy machine that preempts the worker
never makes a correct script fail, while a runaway loop, which burns CPU, is stopped all the same.

A single operation can be slow or huge without executing many lines (`2 ** 10**9`, `"x" * 10**9`,
`range(10**12)`), so the operators and built-ins that can build huge values check the size first.
"""
from __future__ import annotations

import operator
import re
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from RestrictedPython.Guards import (
    full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .policy import SANDBOX_FILENAME, compile_code


class SandboxViolation(Exception):
    """A designer's script or expression broke a sandbox limit (time, steps, size)."""


@dataclass(frozen=True)
class Limits:
    time_limit: float = 1.0  # CPU seconds of the script's own thread (trusted functions not counted)
    max_steps: int = 2_000_000  # bytecode instructions executed (about a second when traced)
    max_size: int = 1_000_000  # items in a sequence, characters in a string built in one operation
    max_int_bits: int = 100_000  # bits of an integer built by ** or <<


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.thread_time() + limits.time_limit
        self.steps = 0

    def trace_calls(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename == SANDBOX_FILENAME:
            frame.f_trace_opcodes = True  # a one-line `while True: pass` emits no line events, only opcodes
            return self.trace_steps
        return None

    def trace_steps(self, frame, event, arg):
        if event == "opcode":
            self.steps += 1
            if self.steps > self.limits.max_steps:
                raise SandboxViolation(f"脚本执行超过 {self.limits.max_steps:,} 步的上限，已中止（是否有死循环？）")
            if not self.steps & 255 and time.thread_time() > self.deadline:
                raise SandboxViolation(f"脚本运行超过 {self.limits.time_limit:g} 秒的时间限制，已中止")
        return self.trace_steps


_budget: ContextVar[_Budget | None] = ContextVar("zhifa_sandbox_budget", default=None)


def _run(limits: Limits, action: Callable[[], Any]) -> Any:
    budget = _Budget(limits)
    token = _budget.set(budget)
    previous = sys.gettrace()
    sys.settrace(budget.trace_calls)
    try:
        return action()
    finally:
        sys.settrace(previous)
        _budget.reset(token)


def trusted(function: Callable) -> Callable:
    """A system function offered to scripts: it runs untraced and its time is not the script's."""
    @wraps(function)
    def call(*args, **kwargs):
        budget = _budget.get()
        if budget is None:
            return function(*args, **kwargs)
        tracer, started = sys.gettrace(), time.thread_time()
        sys.settrace(None)
        try:
            return function(*args, **kwargs)
        finally:
            sys.settrace(tracer)
            budget.deadline += time.thread_time() - started
    call.zhifa_trusted = True
    return call


# -- guards -------------------------------------------------------------------------------------------------

_SEQUENCES = (str, bytes, list, tuple)
_OPS = {"**": operator.pow, "*": operator.mul, "<<": operator.lshift, "+": operator.add, "%": operator.mod,
        "-": operator.sub, "/": operator.truediv, "//": operator.floordiv, ">>": operator.rshift,
        "&": operator.and_, "|": operator.or_, "^": operator.xor}
_PADDING = {"ljust", "rjust", "center", "zfill"}


def _guards(limits: Limits) -> dict[str, Any]:
    def too_big(what: str):
        return SandboxViolation(f"{what}过大（上限 {limits.max_size:,}），已中止")

    def check_size(value_size: int, what: str = "结果") -> None:
        if value_size > limits.max_size:
            raise too_big(what)

    def binop(symbol: str, left, right):
        if symbol == "**":
            if type(left) is int and type(right) is int and right > 0 and abs(left) > 1 \
                    and right * left.bit_length() > limits.max_int_bits:
                raise SandboxViolation(f"乘方结果过大（超过 {limits.max_int_bits:,} 位），已中止")
        elif symbol == "<<":
            if type(left) is int and type(right) is int and left.bit_length() + right > limits.max_int_bits:
                raise SandboxViolation(f"移位结果过大（超过 {limits.max_int_bits:,} 位），已中止")
        elif symbol == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, _SEQUENCES) and isinstance(count, int):
                    check_size(len(sequence) * max(count, 0))
        elif symbol == "+":
            if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
                check_size(len(left) + len(right))
        elif symbol == "%" and isinstance(left, str) and ("*" in left or any(
                int(width) > 1000 for width in _format_widths(left))):
            raise SandboxViolation("格式化宽度过大或使用了 *，已中止")
        return _OPS[symbol](left, right)

    def inplacevar(op: str, left, right):
        return binop(op[:-1], left, right)

    def getattr_(obj, name, default=None):
        value = safer_getattr(obj, name, default)
        if isinstance(obj, str) and name in _PADDING:
            def padded(width, *args):
                check_size(int(width))
                return value(width, *args)
            return padded
        if isinstance(obj, str) and name == "replace":
            def replace(old, new, *args):
                count = obj.count(old) if old else len(obj) + 1
                check_size(len(obj) + count * max(len(new) - len(old), 0))
                return value(old, new, *args)
            return replace
        if isinstance(obj, str) and name == "expandtabs":
            def expandtabs(tabsize=8):
                check_size(len(obj) * max(int(tabsize), 1))
                return value(tabsize)
            return expandtabs
        return value

    def limited_range(*args):
        result = range(*args)
        check_size(len(result), "range")
        return result

    def guarded_pow(base, exponent, modulo=None):
        if modulo is None:
            return binop("**", base, exponent)
        return pow(base, exponent, modulo)

    builtins = {name: value for name, value in {
        "abs": abs, "all": all, "any": any, "bool": bool, "chr": chr, "dict": dict, "divmod": divmod,
        "enumerate": enumerate, "filter": filter, "float": float, "frozenset": frozenset, "int": int,
        "isinstance": isinstance, "len": len, "list": list, "map": map, "max": max, "min": min, "ord": ord,
        "pow": guarded_pow, "range": limited_range, "repr": repr, "reversed": reversed, "round": round,
        "set": set, "sorted": sorted, "str": str, "sum": sum, "tuple": tuple, "zip": zip,
        "None": None, "True": True, "False": False,
        "Exception": Exception, "ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
        "IndexError": IndexError, "LookupError": LookupError, "ArithmeticError": ArithmeticError,
        "ZeroDivisionError": ZeroDivisionError, "RuntimeError": RuntimeError,
    }.items()}
    return {
        "__builtins__": builtins,
        "__name__": "zhifa_sandbox",
        "__metaclass__": type,
        "_getattr_": getattr_,
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": inplacevar,
        "_binop_": binop,
        "_apply_": lambda function, *args, **kwargs: function(*args, **kwargs),
    }


def _format_widths(text: str) -> list[str]:
    return re.findall(r"%[-+ #0]*(\d+)", text)


# -- the environment SpiffWorkflow's script engine runs with -----------------------------------------------

class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's TaskDataEnvironment semantics (task data are the script's variables, assignments land
    in the task data), but compiled with RestrictedPython and run under the sandbox's guards and budget."""

    def __init__(self, environment_globals: dict[str, Any] | None = None, limits: Limits | None = None):
        self.limits = limits or Limits()
        functions = {name: value if not callable(value) or getattr(value, "zhifa_trusted", False)
                     else trusted(value) for name, value in (environment_globals or {}).items()}
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
        try:
            _run(self.limits, lambda: exec(code, context))  # noqa: S102 - restricted code, guarded scope
        finally:
            self._remove_globals(context, external_context)
        return True

    def _remove_globals(self, context, external_context=None) -> None:
        for key in list(context):
            if key in self._guards or key in self.globals or (external_context and key in external_context) \
                    or callable(context[key]):
                context.pop(key)

    def _check_for_overwrite(self, context, external_context) -> None:
        clash = (set(self.globals) | set(external_context)) & set(context)
        if clash:
            raise ValueError(f"任务数据中的变量与系统函数重名，请改名：{', '.join(sorted(clash))}")
