"""Parse BPMN files into process specs, with problems that name the file and the element.

One process per file (the file stem is the process id by convention). A broken file is reported and skipped;
it never stops the other processes from loading.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import DefinitionProblem
from engine.roles import role_for_lane

from .bpmn_xml import NotBpmn, as_utf8_text, executable_processes, parse_document
from .lint import lint


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


def parse_bpmn(source_name: str, xml: bytes, *, form_exists: Callable[[str], bool] | None = None,
               product: bool = True) -> ParsedDefinition:
    """Parse and check one BPMN document; raise DefinitionProblem listing every problem found.

    `product=False` checks only what the engine needs to run the file (for files from other tools that do not
    know this product's lanes, forms and deadlines yet)."""
    def problem(element_id: str | None, message: str) -> dict:
        return {"file": source_name, "element_id": element_id, "message": message}

    try:
        root = parse_document(xml)
    except NotBpmn as exc:
        raise DefinitionProblem(f"{source_name}: {exc.message}", problems=[problem(None, exc.message)]) from None
    text = as_utf8_text(xml)
    problems = [problem(p["element_id"], p["message"]) for p in lint(root, form_exists=form_exists, product=product)]
    if any(p["message"].startswith("没有可执行的流程") or "只能有一个可执行流程" in p["message"]
           or p["message"].startswith("文件中没有流程") for p in problems):
        raise DefinitionProblem(f"{source_name}: {problems[0]['message']}", problems=problems)

    spec: Any = None
    subprocess_specs: Any = None
    engine_problem: dict | None
    try:
        parser = CamundaParser()
        parser.add_bpmn_xml(root, filename=source_name)
        process_id = executable_processes(root)[0].get("id")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        engine_problem = _from_validation(source_name, exc)
    except SpiffWorkflowException as exc:
        engine_problem = problem(getattr(exc, "id", None), str(exc))
    except Exception as exc:  # the parser trips over some constructs with a bare KeyError or TypeError
        engine_problem = None if problems else problem(None, f"流程引擎无法解析此文件：{type(exc).__name__}: {exc}")
    else:
        engine_problem = None
    if engine_problem is not None and engine_problem not in problems:
        problems.append(engine_problem)
    if problems:
        raise DefinitionProblem(f"{source_name}: {problems[0]['message']}", problems=problems)

    user_tasks = []
    for task_spec in _all_task_specs(spec, subprocess_specs):
        if isinstance(task_spec, UserTask):
            user_tasks.append({"name": task_spec.bpmn_id, "title": task_spec.bpmn_name,
                               "role": role_for_lane(task_spec.lane),
                               "form_key": getattr(getattr(task_spec, "form", None), "key", None)})
    return ParsedDefinition(
        process_id=process_id, name=spec.description or process_id, source_name=source_name,
        bpmn_xml=text, content_hash=content_hash(text.encode("utf-8")), spec=spec,
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


def _from_validation(source_name: str, exc: ValidationException) -> dict:
    element_id = getattr(exc, "id", None) or None
    message = (getattr(exc, "message", None) or str(exc)).strip().rstrip(".").strip()
    line = getattr(exc, "line_number", None)
    return {"file": source_name, "element_id": element_id,
            "message": f"流程引擎无法解析：{message}" + (f"（第 {line} 行）" if line else "")}
