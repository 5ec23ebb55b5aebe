"""Parse BPMN files into process specs, with problems that name the file and the element.

One process per file (the file stem is the process id by convention). A broken file is reported and skipped;
it never stops the other processes from loading.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import DefinitionProblem
from engine.roles import ROLE_TITLES, role_for_lane


@dataclass
class ParsedDefinition:
    process_id: str
    name: str
    source_name: str
    bpmn_xml: str
    content_hash: str
    spec: object
    subprocess_specs: dict
    user_tasks: list[dict] = field(default_factory=list)


def content_hash(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def parse_bpmn(source_name: str, xml: bytes, *, form_exists: Callable[[str], bool] | None = None) -> ParsedDefinition:
    """Parse and check one BPMN document; raise DefinitionProblem listing every problem found."""
    problems: list[dict] = []

    def problem(element_id: str | None, message: str) -> None:
        problems.append({"file": source_name, "element_id": element_id, "message": message})

    parser = CamundaParser()
    try:
        parser.add_bpmn_xml(etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)),
                            filename=source_name)
        process_ids = parser.get_process_ids()
    except etree.XMLSyntaxError as exc:
        raise DefinitionProblem(f"{source_name}: 不是有效的 XML（第 {exc.lineno} 行）：{exc.msg}",
                                problems=[{"file": source_name, "element_id": None,
                                           "message": f"XML 语法错误，第 {exc.lineno} 行：{exc.msg}"}]) from exc
    except ValidationException as exc:
        raise _from_validation(source_name, exc) from exc
    except Exception as exc:
        raise DefinitionProblem(f"{source_name}: 无法解析：{exc}",
                                problems=[{"file": source_name, "element_id": None, "message": str(exc)}]) from exc

    executable = [pid for pid in process_ids if parser.process_parsers[pid].process_executable]
    if len(executable) != 1:
        problem(None, f"每个文件应恰好包含一个可执行流程，实际为 {len(executable)} 个：{', '.join(executable) or '无'}")
        raise DefinitionProblem(f"{source_name}: 可执行流程数量不对", problems=problems)
    process_id = executable[0]
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise _from_validation(source_name, exc) from exc
    except SpiffWorkflowException as exc:
        raise DefinitionProblem(f"{source_name}: {exc}", problems=[
            {"file": source_name, "element_id": getattr(exc, "id", None), "message": str(exc)}]) from exc

    user_tasks = []
    for task_spec in _all_task_specs(spec, subprocess_specs):
        if not isinstance(task_spec, UserTask):
            continue
        role = role_for_lane(task_spec.lane)
        form_key = getattr(getattr(task_spec, "form", None), "key", None)
        if role is None:
            problem(task_spec.bpmn_id, f"用户任务「{task_spec.bpmn_name or task_spec.bpmn_id}」不在代表角色的泳道中"
                    f"（泳道：{task_spec.lane or '无'}；可用：{'、'.join(ROLE_TITLES.values())}）")
        if not form_key:
            problem(task_spec.bpmn_id, f"用户任务「{task_spec.bpmn_name or task_spec.bpmn_id}」没有表单（camunda:formKey）")
        elif form_exists is not None and not form_exists(form_key):
            problem(task_spec.bpmn_id, f"用户任务「{task_spec.bpmn_name or task_spec.bpmn_id}」的表单 {form_key} 不存在")
        user_tasks.append({"name": task_spec.bpmn_id, "title": task_spec.bpmn_name, "role": role,
                           "form_key": form_key})
    if problems:
        raise DefinitionProblem(f"{source_name}: {problems[0]['message']}", problems=problems)
    return ParsedDefinition(
        process_id=process_id, name=spec.description or process_id, source_name=source_name,
        bpmn_xml=xml.decode("utf-8"), content_hash=content_hash(xml), spec=spec,
        subprocess_specs=subprocess_specs, user_tasks=user_tasks)


def load_directory(directory: Path, *, form_exists: Callable[[str], bool] | None = None
                   ) -> tuple[list[ParsedDefinition], list[dict]]:
    """Parse every `*.bpmn` in a directory; return the good ones and the problems of the bad ones."""
    parsed, problems = [], []
    for path in sorted(Path(directory).glob("*.bpmn")):
        try:
            parsed.append(parse_bpmn(path.name, path.read_bytes(), form_exists=form_exists))
        except DefinitionProblem as exc:
            problems.extend(exc.problems)
    return parsed, problems


def _all_task_specs(spec, subprocess_specs):
    yield from spec.task_specs.values()
    for sub in subprocess_specs.values():
        yield from sub.task_specs.values()


def _from_validation(source_name: str, exc: ValidationException) -> DefinitionProblem:
    element_id = getattr(exc, "id", None) or None
    message = getattr(exc, "message", None) or str(exc)
    line = getattr(exc, "line_number", None)
    where = f"（元素 {element_id}" + (f"，第 {line} 行" if line else "") + "）" if element_id else ""
    return DefinitionProblem(f"{source_name}: {message}{where}",
                             problems=[{"file": source_name, "element_id": element_id, "message": message}])
