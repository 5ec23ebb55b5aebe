"""What designer-written Python may contain, checked before it is ever run.

Gateway conditions, timer expressions and script tasks are Python written in the designer. They are compiled
with RestrictedPython, whose policy already refuses names and attributes starting with `_` (so no
`().__class__.__base__.__subclasses__()`), frame and code attributes (`gi_frame`, `f_globals` …) and turns
attribute access, item access and iteration into calls of guard functions. On top of that we refuse, with a
Chinese message a designer can act on:

- imports, class definitions, `with`, `try`, `global`/`nonlocal`, generators and async code. `try` is refused
  because a script that could catch the sandbox's own violation (or run a `finally`) could keep running after
  its time was up;
- the built-ins that reach outside (open, eval, exec, getattr …): they are not in the sandbox's built-ins
  either, this only names the problem at design time instead of a NameError at run time;
- f-string format widths that would build huge strings.

`*`, `**`, `<<`, `+`, `-`, `%`, `|` and `^` are rewritten into calls of `_binop_`, f-strings into `_fstring_`
and `*x` unpacked into a list, tuple or call (and `**d` into a dict) into `_unpack_(x)`: each refuses a result
too large to build before it is built, and counts what it builds (see engine.scripting.sandbox).
"""
from __future__ import annotations

import ast
import re
from typing import Literal
from functools import lru_cache
from types import CodeType

from RestrictedPython import compile_restricted
from RestrictedPython.transformer import RestrictingNodeTransformer

SANDBOX_FILENAME = "<string>"  # SpiffWorkflow finds a script's error line by this file name

REFUSED_NODES: dict[type, str] = {
    ast.Import: "不允许导入模块（import）：流程脚本只能使用系统提供的函数",
    ast.ImportFrom: "不允许导入模块（from … import）：流程脚本只能使用系统提供的函数",
    ast.ClassDef: "不允许定义类",
    ast.With: "不允许使用 with 语句",
    ast.AsyncWith: "不允许使用异步代码",
    ast.AsyncFor: "不允许使用异步代码",
    ast.AsyncFunctionDef: "不允许使用异步代码",
    ast.Await: "不允许使用异步代码",
    ast.Yield: "不允许使用生成器（yield）",
    ast.YieldFrom: "不允许使用生成器（yield）",
    ast.Global: "不允许使用 global",
    ast.Nonlocal: "不允许使用 nonlocal",
    ast.Try: "不允许使用 try/except/finally：脚本出错时由系统记录并撤回本步骤",
}
if hasattr(ast, "TryStar"):
    REFUSED_NODES[ast.TryStar] = REFUSED_NODES[ast.Try]

REFUSED_NAMES: dict[str, str] = {
    "open": "不允许访问文件（open）",
    "eval": "不允许动态执行代码（eval）",
    "exec": "不允许动态执行代码（exec）",
    "compile": "不允许动态编译代码（compile）",
    "globals": "不允许访问解释器内部（globals）",
    "locals": "不允许访问解释器内部（locals）",
    "vars": "不允许访问解释器内部（vars）",
    "dir": "不允许访问解释器内部（dir）",
    "getattr": "不允许动态取属性（getattr）",
    "setattr": "不允许动态设属性（setattr）",
    "delattr": "不允许动态删属性（delattr）",
    "hasattr": "不允许动态取属性（hasattr）",
    "type": "不允许使用 type",
    "object": "不允许使用 object",
    "super": "不允许使用 super",
    "input": "不允许读取输入（input）",
    "print": "不允许使用 print：请把结果赋给变量",
    "breakpoint": "不允许使用 breakpoint",
    "memoryview": "不允许使用 memoryview",
    "help": "不允许使用 help",
    "exit": "不允许使用 exit",
    "quit": "不允许使用 quit",
    "BaseException": "不允许使用 BaseException",
}

GUARDED_OPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+", ast.Sub: "-", ast.Mod: "%",
               ast.BitOr: "|", ast.BitXor: "^"}
MAX_FORMAT_WIDTH = 1000


class ScriptRejected(ValueError):
    """The source may not run in the sandbox; `messages` say why (in Chinese), `line` where (if known)."""

    def __init__(self, messages: list[str], line: int | None = None):
        super().__init__("；".join(messages))
        self.messages = messages
        self.line = line


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size guards on the operators that can build huge values."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        symbol = GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_JoinedStr(self, node: ast.JoinedStr):
        """`f"a{x!r:>10}"` becomes `_fstring_(("a", (x, 114, ">10")))`: the parts are measured before they are
        joined. Format specs hold constants only (checked before, in _precheck)."""
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = "" if value.format_spec is None else "".join(
                    str(part.value) for part in getattr(value.format_spec, "values", [value.format_spec]))
                parts.append(ast.Tuple([self.visit(value.value), ast.Constant(value.conversion), ast.Constant(spec)],
                                       ast.Load()))
            else:
                parts.append(self.visit(value))
        call = ast.Call(func=ast.Name("_fstring_", ast.Load()), args=[ast.Tuple(parts, ast.Load())], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Dict(self, node: ast.Dict):
        node = self.node_contents_visit(node)
        for index, key in enumerate(node.keys):
            if key is None:  # `{**d}`: a copy of d, counted like any other
                value = node.values[index]
                node.values[index] = ast.fix_missing_locations(ast.copy_location(
                    ast.Call(func=ast.Name("_unpack_", ast.Load()), args=[value], keywords=[]), value))
        return node

    def visit_Starred(self, node: ast.Starred):
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):  # `[*a, *a]`, `f(*a)`: measured before it is unpacked
            node.value = ast.copy_location(ast.Call(func=ast.Name("_unpack_", ast.Load()), args=[node.value],
                                                    keywords=[]), node.value)
            ast.fix_missing_locations(node)
        return node


def _precheck(tree: ast.AST) -> list[tuple[int | None, str]]:
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        message = REFUSED_NODES.get(type(node))
        if message:
            found.append((line, message))
        elif isinstance(node, ast.Name) and node.id in REFUSED_NAMES:
            found.append((line, REFUSED_NAMES[node.id]))
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = node.format_spec
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            constants = [part for part in parts if isinstance(part, ast.Constant)]
            if len(constants) < len(parts):
                found.append((line, "格式说明中不允许使用变量"))
            elif any(int(width) > MAX_FORMAT_WIDTH for part in constants
                     for width in re.findall(r"\d+", str(part.value))):
                found.append((line, f"格式宽度不能超过 {MAX_FORMAT_WIDTH}"))
    return found


_UNDERSCORE = re.compile(r'Line (\d+): "([^"]+)" is an invalid (?:variable|attribute) name because it starts with "_"')


def _translate(error: str) -> tuple[int | None, str]:
    match = _UNDERSCORE.search(error)
    if match:
        return int(match.group(1)), f"不允许使用以下划线开头的名称「{match.group(2)}」（防止绕过沙箱）"
    match = re.search(r'Line (\d+): "([^"]+)" is a restricted name', error)
    if match:
        return int(match.group(1)), f"不允许访问解释器内部属性「{match.group(2)}」"
    match = re.match(r"Line (\d+): (.*)", error)
    if match:
        return int(match.group(1)), match.group(2)
    return None, error


@lru_cache(maxsize=4096)
def compile_code(source: str, mode: Literal["eval", "exec"]) -> CodeType:
    """Compile an expression (`mode="eval"`) or a script (`"exec"`) for the sandbox; raise ScriptRejected.

    Cached by source text: a process's scripts and conditions are compiled once per worker process."""
    if mode not in ("eval", "exec"):
        raise ValueError(mode)
    try:
        tree = ast.parse(source, SANDBOX_FILENAME, mode)
    except SyntaxError as exc:
        raise ScriptRejected([f"Python 语法错误：{exc.msg}（第 {exc.lineno} 行）"], exc.lineno) from None
    refused = _precheck(tree)
    if refused:
        raise ScriptRejected([message for _, message in refused], refused[0][0])
    try:
        return compile_restricted(source, SANDBOX_FILENAME, mode, policy=_Policy)
    except SyntaxError as exc:
        errors = exc.args[0] if exc.args and isinstance(exc.args[0], tuple) else (str(exc),)
        translated = [_translate(str(error)) for error in errors]
        raise ScriptRejected([message for _, message in translated], translated[0][0]) from None


def check(source: str, mode: str) -> list[str]:
    """The reasons this source would be refused by the sandbox (empty when it compiles)."""
    try:
        compile_code(source, mode)
    except ScriptRejected as exc:
        return exc.messages
    return []
