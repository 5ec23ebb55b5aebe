"""The workflow runner: the only place that touches SpiffWorkflow objects."""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock

from engine.case_functions import CASE_FUNCTIONS, TaskAwareEnvironment, running
from engine.deadlines.extensions import ExtensionRefused
from engine.deadlines.scope import SCRIPT_FUNCTIONS
from engine.scripting import Limits, step

from . import migration
from .clock_binding import bound_clock
from .serializer import InstanceSerializer

TIMER_EVENT_TYPES = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition")


@dataclass(frozen=True)
class ReadyTask:
    """What the task mirror needs to know about a READY user task."""

    id: str
    name: str
    title: str
    lane: str | None
    form_key: str | None
    due_at: datetime | None
    deadline_keys: tuple[str, ...] = ()  # statutory clocks its boundary timers watch
    properties: tuple[tuple[str, str], ...] = ()  # camunda:properties of the task (duty, document, check)

    def property(self, name: str) -> str | None:
        return dict(self.properties).get(name)

    def mirrored(self) -> tuple:
        """What the task's mirror row is made of. A task watched by statutory clocks takes its due moment from
        them, not from its boundary timers, so a warning timer firing on its edge changes nothing mirrored."""
        return (self.id, self.name, self.title, self.lane, self.form_key, self.deadline_keys, self.properties,
                None if self.deadline_keys else self.due_at)


class StepFailed(Exception):
    """A script, condition or expression raised inside the engine; the caller rolls the step back."""

    def __init__(self, message: str, *, element_id: str | None, detail: str, refusal: ExtensionRefused | None = None):
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.detail = detail
        # the law said no to what the person completing the step asked (an extension beyond it): they are told
        # so, rather than the step being recorded as a failure of the process
        self.refusal = refusal


class WorkflowRunner:
    """Loads, advances and saves workflows; specs are restored once per definition version and shared."""

    def __init__(self, *, script_globals: dict[str, Any] | None = None, script_limits: Limits | None = None):
        self.serializer = InstanceSerializer()
        functions = dict(SCRIPT_FUNCTIONS)
        functions.update(CASE_FUNCTIONS)
        functions.update(script_globals or {})
        # designer-written scripts and expressions run in the sandbox, with a time and step budget
        self.script_engine = PythonScriptEngine(environment=TaskAwareEnvironment(functions, script_limits))
        self._specs: dict[int, tuple] = {}

    # -- specs ---------------------------------------------------------------------------------------------
    def spec_for(self, definition_id: int, read_spec_json: Callable[[], str]):
        """The restored spec of a definition version; its JSON is read and restored once per process."""
        cached = self._specs.get(definition_id)
        if cached is None:
            cached = self._specs[definition_id] = self.serializer.load_spec(read_spec_json())
        return cached

    # -- instances -----------------------------------------------------------------------------------------
    def create(self, definition_id: int, read_spec_json: Callable[[], str], data: dict, clock: Clock) -> BpmnWorkflow:
        spec, subprocess_specs = self.spec_for(definition_id, read_spec_json)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(data)
        self._guarded(workflow, clock, workflow.do_engine_steps)
        return workflow

    def load(self, definition_id: int, read_spec_json: Callable[[], str], state_json: str) -> BpmnWorkflow:
        spec, subprocess_specs = self.spec_for(definition_id, read_spec_json)
        workflow = self.serializer.load_instance(state_json, spec, subprocess_specs, self.script_engine)
        # what the task mirror already holds: a step that leaves it unchanged need not touch the mirror
        workflow.zhifa_ready_when_loaded = tuple(task.mirrored() for task in self.ready_user_tasks(workflow))
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        return self.serializer.dump_instance(workflow)

    # -- actions -------------------------------------------------------------------------------------------
    def complete_task(self, workflow: BpmnWorkflow, task_id: str, data: dict, clock: Clock) -> None:
        task = self.find_ready_task(workflow, task_id)
        if task is None:
            raise LookupError(task_id)

        def run():
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()

        self._guarded(workflow, clock, run, element_id=task.task_spec.bpmn_id)

    def fire_timers(self, workflow: BpmnWorkflow, clock: Clock) -> None:
        def run():
            workflow.refresh_timers()
            workflow.do_engine_steps()

        self._guarded(workflow, clock, run)

    def deliver_message(self, workflow: BpmnWorkflow, name: str, payload: dict, clock: Clock) -> bool:
        """Deliver a message; False when nothing in the instance is waiting for it."""
        if name not in self.waiting_message_names(workflow):
            return False

        def run():
            # Camunda-style messages carry the payload and the variable it lands in (named after the message).
            event = BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": name})
            workflow.send_event(event)
            workflow.do_engine_steps()

        self._guarded(workflow, clock, run)
        return True

    def rearm_timers(self, workflow: BpmnWorkflow, keys: set[str], clock: Clock) -> int:
        """Re-evaluate waiting timers whose expression names one of these deadline keys (after tolling or an
        extension moved the due date). Returns how many timers were re-armed."""
        rearmed = 0

        def run():
            nonlocal rearmed
            for task in workflow.get_tasks(state=TaskState.WAITING):
                definition = getattr(task.task_spec, "event_definition", None)
                if not isinstance(definition, TimeDateEventDefinition):
                    continue
                if not any(f'"{key}"' in definition.expression or f"'{key}'" in definition.expression
                           for key in keys):
                    continue
                value = workflow.script_engine.evaluate(task, definition.expression)
                task._set_internal_data(event_value=value, event_fired=False)
                rearmed += 1

        self._guarded(workflow, clock, run)
        return rearmed

    def check_migration(self, workflow: BpmnWorkflow, definition_id: int, read_spec_json: Callable[[], str]):
        """Whether this workflow can move to another definition version, why not, and what would change."""
        spec, subprocess_specs = self.spec_for(definition_id, read_spec_json)
        return migration.check(self.serializer.registry, workflow, spec, subprocess_specs)

    def migrate(self, workflow: BpmnWorkflow, definition_id: int, read_spec_json: Callable[[], str],
                clock: Clock, *, advance: bool = True) -> None:
        """Move the workflow onto another definition version (check_migration first)."""
        spec, subprocess_specs = self.spec_for(definition_id, read_spec_json)
        self._guarded(workflow, clock, lambda: migration.migrate(self.serializer.registry, workflow, spec,
                                                                 subprocess_specs, advance=advance))

    def advance(self, workflow: BpmnWorkflow, clock: Clock) -> None:
        self._guarded(workflow, clock, workflow.do_engine_steps)

    def start_message_names(self, definition_id: int, read_spec_json: Callable[[], str]) -> set[str]:
        """Messages that start this process (e.g. `reconsideration_filed` on a decided case)."""
        spec, _ = self.spec_for(definition_id, read_spec_json)
        start = spec.task_specs.get("Start")
        names = set()
        for candidate in (start.outputs if start is not None else []):
            definition = getattr(candidate, "event_definition", None)
            if definition is not None and type(definition).__name__ == "MessageEventDefinition":
                names.add(definition.name)
        return names

    def _guarded(self, workflow: BpmnWorkflow, clock: Clock, action: Callable[[], None], element_id=None):
        # step(): the scripts run by one action (and by the processes they start) share its start quotas
        with bound_clock(clock), running(self), step():
            try:
                action()
            except SpiffWorkflowException as exc:
                raise StepFailed(_describe(exc), element_id=_element_of(exc) or element_id,
                                 detail=traceback.format_exc(), refusal=_refusal_in(exc)) from exc
            except Exception as exc:  # a designer's script may raise anything
                raise StepFailed(f"{type(exc).__name__}: {exc}", element_id=element_id,
                                 detail=traceback.format_exc(), refusal=_refusal_in(exc)) from exc

    # -- inspection ----------------------------------------------------------------------------------------
    @staticmethod
    def find_ready_task(workflow: BpmnWorkflow, task_id: str):
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            if str(task.id) == task_id:
                return task
        return None

    def ready_user_tasks(self, workflow: BpmnWorkflow) -> list[ReadyTask]:
        ready = []
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            spec = task.task_spec
            form = getattr(spec, "form", None)
            ready.append(ReadyTask(
                id=str(task.id), name=spec.bpmn_id, title=spec.bpmn_name or spec.bpmn_id, lane=spec.lane,
                form_key=getattr(form, "key", None), due_at=_boundary_timer_due(task),
                deadline_keys=_boundary_deadline_keys(task),
                properties=tuple(sorted((k, str(v)) for k, v in (spec.extensions or {}).items()
                                        if isinstance(v, str)))))
        return ready

    @staticmethod
    def next_due(workflow: BpmnWorkflow) -> datetime | None:
        moments = [TimerEventDefinition.get_datetime(event.value) for event in workflow.waiting_events()
                   if event.event_type in TIMER_EVENT_TYPES and isinstance(event.value, str)
                   and not event.value.startswith("9999-")]
        for event in workflow.waiting_events():
            if event.event_type == "CycleTimerEventDefinition" and isinstance(event.value, dict):
                moments.append(TimerEventDefinition.get_datetime(event.value["next"]))
        return min(moments) if moments else None

    @staticmethod
    def waiting_message_names(workflow: BpmnWorkflow) -> set[str]:
        return {event.name for event in workflow.waiting_events() if event.event_type == "MessageEventDefinition"}

    @staticmethod
    def data(workflow: BpmnWorkflow) -> dict:
        """The case data as the process sees it now: the last completed task's data, else the root's."""
        if workflow.completed:
            return dict(workflow.data)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if ready:
            return dict(ready[0].data)
        return dict((workflow.last_task or workflow.task_tree).data)


def _boundary_timer_due(task) -> datetime | None:
    """A user task's due moment: the earliest waiting timer on its boundary that is not a mere warning."""
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith("BoundaryEventSplit"):
        return None
    deadlines: list[datetime] = []
    warnings: list[datetime] = []
    for sibling in parent.children:
        value = sibling.internal_data.get("event_value") if sibling.has_state(TaskState.WAITING) else None
        if not isinstance(value, str) or value.startswith("9999-"):
            continue
        expression = getattr(getattr(sibling.task_spec, "event_definition", None), "expression", "") or ""
        (warnings if "deadline_warning" in expression else deadlines).append(TimerEventDefinition.get_datetime(value))
    moments = deadlines or warnings
    return min(moments) if moments else None


DEADLINE_CALL = re.compile(r"""deadline(?:_warning)?\(\s*["']([A-Za-z0-9_]+)["']""")


def _boundary_deadline_keys(task) -> tuple[str, ...]:
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith("BoundaryEventSplit"):
        return ()
    keys = []
    for sibling in parent.children:
        expression = getattr(getattr(sibling.task_spec, "event_definition", None), "expression", "") or ""
        keys += [key for key in DEADLINE_CALL.findall(expression) if key not in keys]
    return tuple(keys)


def _refusal_in(exc: BaseException) -> ExtensionRefused | None:
    """The engine's own refusal a script function raised (an extension beyond the law), found through
    SpiffWorkflow's wrapping (`exception`) and the exception chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ExtensionRefused):
            return current
        todo += [getattr(current, "exception", None), current.__cause__, current.__context__]
    return None


def _element_of(exc: Exception) -> str | None:
    spec = getattr(exc, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


def _describe(exc: Exception) -> str:
    if isinstance(exc, WorkflowException):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
