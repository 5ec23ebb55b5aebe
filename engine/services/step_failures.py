"""When completing a task fails: what the handler is told, and what the administrator finds in the console.

An engine failure (a script or expression raised) is already recorded on the instance by `run_step`. An
unexpected exception elsewhere in the step (a bug, not the process) is recorded here the same way, so the
administrator finds it among the engine errors of the console instead of only in a log file.
"""
from __future__ import annotations

import traceback

from engine.actors import Actor
from engine.clock import Clock
from engine.runner import StepFailed, WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import HumanTask, ProcessInstance

from .stepping import record_failure, spec_reader


def report_unexpected_failure(*, task_id: str, error: BaseException, actor: Actor, uow: UnitOfWork,
                              clock: Clock) -> None:
    """Put the task's instance in `error` with the exception, as an engine failure would be."""
    with uow:
        task = uow.session.get(HumanTask, task_id)
        instance_id, element_id = (task.instance_id, task.name) if task is not None else (None, None)
    if instance_id is None:
        return
    failure = StepFailed(f"{type(error).__name__}: {error}", element_id=element_id,
                         detail="".join(traceback.format_exception(error)))
    record_failure(uow, instance_id=instance_id, failure=failure, clock=clock, actor=actor)


def step_title(*, instance_id: int | None, element_id: str | None, uow: UnitOfWork,
               runner: WorkflowRunner) -> str | None:
    """The name a person knows a process element by (「计算罚款」 rather than `compute_fine`)."""
    if instance_id is None or not element_id:
        return None
    with uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        if instance is None:
            return None
        spec, _ = runner.spec_for(instance.definition_id, spec_reader(uow.session, instance.definition_id))
        element = spec.task_specs.get(element_id)
        return (getattr(element, "bpmn_name", None) or None) if element is not None else None
