"""Lint rules a BPMN document must pass before it is deployable. Each problem names the element it is about
(`element_id`), so the designer can mark it on the diagram.

Engine rules (what SpiffWorkflow can run, and what would fail at run time rather than at parse time):
one executable process; no element the engine cannot run; no dangling flows; timers that evaluate to a date,
duration or cycle (an unquoted `PT1H` is Python and never fires); conditions and scripts that compile in
the sandbox. Product rules on top: every user task sits in a role's lane and names an existing form; timers
use the deadline catalog or a quoted ISO-8601 value; task properties use the known vocabulary.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from datetime import datetime
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.deadlines.catalog import is_known
from engine.roles import ROLE_TITLES, role_for_lane
from engine.scripting import check as sandbox_check

from .bpmn_xml import (
    BPMN, CAMUNDA, CONTAINERS, FLOW_NODES, executable_processes, is_bpmn, label, local, type_title,
)
from .vocabulary import task_properties

ENGINE_UNSUPPORTED = {
    "complexGateway": "复杂网关无法执行：请改用排他、包容或并行网关",
    "businessRuleTask": "业务规则任务（DMN 决策表）本系统不执行：请改用网关条件或脚本任务",
    "dataStoreReference": "数据存储本系统不支持：案件数据保存在任务数据中",
}
PRODUCT_UNSUPPORTED = {
    "serviceTask": "服务任务本系统不调用外部服务：请改用脚本任务（系统函数）或用户任务",
    "callActivity": "调用活动不支持：请在脚本任务中用 start_case_process(\"流程编号\") 启动同一案件的另一个流程",
    "adHocSubProcess": "自由子流程不支持",
    "task": "无类型任务会像待办一样停住等待，却没有办理角色和表单：请改为用户任务或脚本任务",
    "manualTask": "手工任务会像待办一样停住等待，却没有表单：请改为用户任务",
}
DEADLINE_FUNCTIONS = ("deadline", "deadline_warning")
NO_INCOMING_OK = ("startEvent", "boundaryEvent")
UNQUOTED_ISO = re.compile(r"^(R\d*/)?P[0-9YMWDTHS.,]+$|^\d{4}-\d{2}-\d{2}(T[0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$", re.I)
NO_OUTGOING_OK = ("endEvent",)


class _Problems(list):
    def add(self, element, message: str) -> None:
        element_id = element.get("id") if element is not None else None
        item = {"element_id": element_id, "message": message}
        if item not in self:
            self.append(item)


def lint(root: etree._Element, *, form_exists: Callable[[str], bool] | None = None,
         product: bool = True) -> list[dict]:
    """Every problem of the document as `{"element_id", "message"}`, in document order."""
    problems = _Problems()
    _duplicate_ids(root, problems)
    for store in root.iter(f"{{{BPMN}}}dataStore"):
        problems.add(store, f"数据存储{label(store)}：{ENGINE_UNSUPPORTED['dataStoreReference']}")
    executable = executable_processes(root)
    if len(executable) != 1:
        processes = root.findall(f"{{{BPMN}}}process")
        if not executable:
            problems.add(processes[0] if processes else None,
                         "没有可执行的流程：请在流程属性中勾选「可执行」（isExecutable=\"true\"）" if processes
                         else "文件中没有流程（bpmn:process）")
        else:
            for process in executable[1:]:
                problems.add(process, f"每个文件只能有一个可执行流程，还有：{', '.join(p.get('id') for p in executable)}")
        return problems
    process = executable[0]
    if not process.get("id"):
        problems.add(None, "可执行流程没有编号（id）")
    lanes = _lane_of_each_node(process)
    for container in [process, *process.iter(*(f"{{{BPMN}}}{name}" for name in CONTAINERS))]:
        _flows(container, problems)
    _elements(process, lanes, problems, form_exists=form_exists, product=product)
    return problems


def _duplicate_ids(root, problems) -> None:
    counts = Counter(e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
    for element_id, count in counts.items():
        if count > 1:
            problems.append({"element_id": element_id, "message": f"编号 {element_id} 被 {count} 个元素重复使用"})


def _lane_of_each_node(process) -> dict[str, str]:
    """Node id → name of the innermost lane listing it."""
    lanes = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""  # nested lanes come later: innermost wins
    return lanes


def _children(container, *names):
    return [child for child in container if is_bpmn(child, *names)]


def _flows(container, problems) -> None:
    """Sequence flows join nodes of the same (sub)process; every node is reached and leads on."""
    nodes = {node.get("id"): node for node in _children(container, *FLOW_NODES)}
    incoming: Counter[str] = Counter()
    outgoing: Counter[str] = Counter()
    for flow in _children(container, "sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        for end, ref in (("起点", source), ("终点", target)):
            if not ref:
                problems.add(flow, f"连线{label(flow)}没有{end}")
            elif ref not in nodes:
                problems.add(flow, f"连线{label(flow)}的{end} {ref} 不存在（或不在同一个流程/子流程中）")
        outgoing[source] += 1
        incoming[target] += 1
    for node_id, node in nodes.items():
        kind = local(node)
        definitions = {local(d) for d in node if local(d).endswith("EventDefinition")}
        compensation = node.get("isForCompensation") == "true" or "compensateEventDefinition" in definitions
        link = "linkEventDefinition" in definitions
        in_event_subprocess = container.get("triggeredByEvent") == "true"
        if node.get("triggeredByEvent") == "true":
            continue  # an event subprocess starts by its event, never by a flow
        if kind == "startEvent" and incoming[node_id]:
            problems.add(node, f"开始事件{label(node)}不能有进入的连线")
        if kind == "endEvent" and outgoing[node_id]:
            problems.add(node, f"结束事件{label(node)}不能有出去的连线")
        if not incoming[node_id] and kind not in NO_INCOMING_OK and not compensation and not link \
                and not in_event_subprocess:
            problems.add(node, f"{type_title(node)}{label(node)}没有进入的连线，流程永远走不到这里")
        if not outgoing[node_id] and kind not in NO_OUTGOING_OK and not compensation and not link:
            problems.add(node, f"{type_title(node)}{label(node)}没有出去的连线，流程会停在这里")
        if kind not in ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                        "complexGateway") and outgoing[node_id] > 1:
            problems.add(node, f"{type_title(node)}{label(node)}有 {outgoing[node_id]} 条出去的连线：分支请用网关")


def _elements(process, lanes, problems, *, form_exists, product) -> None:
    flows = {flow.get("id"): flow for flow in process.iter(f"{{{BPMN}}}sequenceFlow")}
    nodes = {node.get("id"): node for node in process.iter() if isinstance(node.tag, str) and node.get("id")}
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        kind = local(element) if is_bpmn(element) else None
        if kind in ENGINE_UNSUPPORTED:
            problems.add(element, f"{type_title(element)}{label(element)}：{ENGINE_UNSUPPORTED[kind]}")
        elif product and kind in PRODUCT_UNSUPPORTED:
            problems.add(element, f"{type_title(element)}{label(element)}：{PRODUCT_UNSUPPORTED[kind]}")
        if kind == "userTask" and product:
            _user_task(element, lanes, problems, form_exists)
        elif kind == "scriptTask":
            _script_task(element, problems)
        elif kind == "timerEventDefinition":
            _timer(element, problems, product=product)
        elif kind in ("exclusiveGateway", "inclusiveGateway"):
            _gateway(element, flows, problems)
        elif kind == "sequenceFlow":
            _condition(element, nodes, problems)
        if kind in ("userTask", "scriptTask", "sendTask", "receiveTask") and product:
            _properties(element, problems)


def _user_task(task, lanes, problems, form_exists) -> None:
    name = (task.get("name") or task.get("id") or "").replace("\n", " ")
    lane = lanes.get(task.get("id"))
    if role_for_lane(lane) is None:
        problems.add(task, f"用户任务「{name}」不在代表角色的泳道中"
                           f"（泳道：{lane or '无'}；可用：{'、'.join(ROLE_TITLES.values())}）")
    form_key = task.get(f"{{{CAMUNDA}}}formKey")
    if not form_key:
        problems.add(task, f"用户任务「{name}」没有表单（camunda:formKey）")
    elif form_exists is not None and not form_exists(form_key):
        problems.add(task, f"用户任务「{name}」的表单 {form_key} 不存在")


def _script_task(task, problems) -> None:
    script_format = (task.get("scriptFormat") or "python").strip().lower()
    if script_format not in ("python", "python3", "text/x-python"):
        problems.add(task, f"脚本任务{label(task)}的脚本语言是 {script_format}：只支持 Python")
    script = task.find(f"{{{BPMN}}}script")
    if script is None or not (script.text or "").strip():
        problems.add(task, f"脚本任务{label(task)}没有脚本")
        return
    for message in sandbox_check(script.text, "exec"):
        problems.add(task, f"脚本任务{label(task)}：{message}")


def _owner(element):
    """The flow node an event definition belongs to (the timer's event)."""
    parent = element.getparent()
    return parent if parent is not None else element


def _timer(definition, problems, *, product: bool) -> None:
    event = _owner(definition)
    values = [child for child in definition if is_bpmn(child, "timeDate", "timeDuration", "timeCycle")]
    if len(values) != 1 or not (values[0].text or "").strip():
        problems.add(event, f"定时事件{label(event)}应设置且只设置一个时间（timeDate、timeDuration 或 timeCycle）")
        return
    kind, text = local(values[0]), values[0].text.strip()
    if UNQUOTED_ISO.match(text):
        problems.add(event, f"定时事件{label(event)}的时间 {text} 没有加引号：定时器表达式是 Python，"
                            f"ISO-8601 值须写成 \"{text}\"（不加引号的定时器永远不会触发）")
        return
    for message in sandbox_check(text, "eval"):
        problems.add(event, f"定时事件{label(event)}：{message}")
        return
    tree = ast.parse(text, mode="eval").body
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in DEADLINE_FUNCTIONS]
    if calls:
        if kind != "timeDate":
            problems.add(event, f"定时事件{label(event)}：deadline()/deadline_warning() 给出到期时刻，只能用在 timeDate")
        for call in calls:
            keys = _constant_strings(call.args[0]) if call.args else None
            name = call.func.id if isinstance(call.func, ast.Name) else ""
            if not keys:
                problems.add(event, f"定时事件{label(event)}：{name}() 的第一个参数须直接写明期限目录的键，"
                                    f"如 {name}(\"decision_90d\")")
                continue
            for key in keys:
                if not is_known(key):
                    problems.add(event, f"定时事件{label(event)}：期限目录中没有 {key}")
        return
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str):
        error = _iso_problem(kind, tree.value)
        if error:
            problems.add(event, f"定时事件{label(event)}：{error}")
    elif product:
        problems.add(event, f"定时事件{label(event)}应使用期限目录 deadline(\"键\") / deadline_warning(\"键\")，"
                            f"或加引号的 ISO-8601 值（如 \"P2D\"）")


def _constant_strings(node) -> list[str] | None:
    """The keys an argument can take: a string, or `"a" if cond else "b"` of strings; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _constant_strings(node.body), _constant_strings(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def _iso_problem(kind: str, value: str) -> str | None:
    try:
        if kind == "timeDate":
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                return f"时刻 {value} 没有时区：请写明，如 {value}+08:00"
        elif kind == "timeDuration":
            if not value.upper().startswith("P"):
                raise ValueError(value)
            TimerEventDefinition.parse_iso_duration(value)
        else:
            if not value.upper().startswith("R"):
                raise ValueError(value)
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # SpiffWorkflow's parsers raise bare Exception
        examples = {"timeDate": "\"2026-05-01T09:00:00+08:00\"", "timeDuration": "\"P2D\"、\"PT4H\"",
                    "timeCycle": "\"R3/PT24H\""}
        return f"{value} 不是有效的 ISO-8601 {kind}（如 {examples[kind]}）"
    return None


def _gateway(gateway, flows, problems) -> None:
    outgoing = [flow for flow in flows.values() if flow.get("sourceRef") == gateway.get("id")]
    default = gateway.get("default")
    if default and default not in {flow.get("id") for flow in outgoing}:
        problems.add(gateway, f"{type_title(gateway)}{label(gateway)}的默认分支 {default} 不是它出去的连线")
    if len(outgoing) > 1:
        for flow in outgoing:
            condition = flow.find(f"{{{BPMN}}}conditionExpression")
            if flow.get("id") != default and (condition is None or not (condition.text or "").strip()):
                problems.add(flow, f"连线{label(flow)}从{type_title(gateway)}{label(gateway)}出去，"
                                   f"既没有条件也不是默认分支")


def _condition(flow, nodes, problems) -> None:
    condition = flow.find(f"{{{BPMN}}}conditionExpression")
    if condition is None or not (condition.text or "").strip():
        return
    language = (condition.get("language") or "").lower()
    if language and "python" not in language:
        problems.add(flow, f"连线{label(flow)}的条件语言是 {language}：只支持 Python 表达式")
        return
    text = condition.text.strip()
    if text.startswith(("${", "#{")):
        problems.add(flow, f"连线{label(flow)}的条件 {text} 是 JUEL 表达式：本系统的条件是 Python 表达式，"
                           f"如 approval == \"approve\"")
        return
    for message in sandbox_check(text, "eval"):
        problems.add(flow, f"连线{label(flow)}的条件：{message}")
    source = nodes.get(flow.get("sourceRef"))
    if source is not None and not is_bpmn(source, "exclusiveGateway", "inclusiveGateway"):
        problems.add(flow, f"连线{label(flow)}有条件，但它不是从排他或包容网关出去的：条件不会被计算")


def _properties(task, problems) -> None:
    vocabulary = task_properties()
    for prop in task.iter(f"{{{CAMUNDA}}}property"):
        name, value = prop.get("name"), (prop.get("value") or "").strip()
        if name not in vocabulary:
            continue
        values = [v.strip() for v in value.split(",")] if name == "document" else [value]
        for item in values:
            if item not in vocabulary[name]:
                problems.add(task, f"{type_title(task)}{label(task)}的属性 {name} 的值 {item} 不认识"
                                   f"（可用：{', '.join(vocabulary[name])}）")
