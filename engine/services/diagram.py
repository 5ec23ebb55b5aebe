"""Read model for the case page's process diagrams: each instance's BPMN as deployed, with the elements it has
passed and the ones where it waits now.

Unlike the other read models this one deserializes workflows (one per instance of the case). A case has few
instances, so that is fine on a case page; never call it for lists.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from SpiffWorkflow.util.task import TaskState

from engine.actors import Actor
from engine.runner import WorkflowRunner
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.store.statuses import InstanceStatus

from .cases import get_case_for
from .stepping import load_workflow

ENDED_STATUSES = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
# where an instance can be said to stand: a user task waiting for someone, a timer or message being waited for,
# a (sub)process or gateway started and not yet finished
ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def case_diagrams(session: Session, case_id: int, actor: Actor, *, runner: WorkflowRunner | None = None) -> list[dict]:
    """For every process instance of the case, oldest first: the BPMN XML of the definition version it runs on,
    `completed` (ids of the BPMN elements already passed) and `active` (ids of the elements it waits at now).

    Pass the app's runner to reuse its cache of restored specs; a fresh one is made otherwise."""
    get_case_for(session, case_id, actor)  # NotFound, NotAuthorized
    runner = runner or WorkflowRunner()
    instances = session.scalars(
        select(ProcessInstance).where(ProcessInstance.case_id == case_id).order_by(ProcessInstance.id)).all()
    definitions = {row.id: row for row in session.scalars(
        select(ProcessDefinition).options(undefer(ProcessDefinition.bpmn_xml))
        .where(ProcessDefinition.id.in_({instance.definition_id for instance in instances})))}
    return [_diagram(session, instance, definitions[instance.definition_id], runner) for instance in instances]


def _diagram(session: Session, instance: ProcessInstance, definition: ProcessDefinition, runner: WorkflowRunner) -> dict:
    completed, active = element_positions(load_workflow(session, instance, runner))
    if instance.status in ENDED_STATUSES:
        active = []  # a cancelled instance keeps its last state, but nothing waits there any more
    return {
        "instance_id": instance.id,
        "process_id": definition.process_id,
        "process_name": definition.name,
        "version": definition.version,
        "status": instance.status,
        "error_element": instance.error_element if instance.status == InstanceStatus.ERROR else None,
        "bpmn_xml": definition.bpmn_xml,
        "completed": completed,
        "active": active,
    }


def element_positions(workflow) -> tuple[list[str], list[str]]:
    """(completed, active) BPMN element ids of a workflow, each once, in task-tree order. An element passed
    before and waited at again (a loop back) is in both."""
    completed: dict[str, None] = {}
    active: dict[str, None] = {}
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:  # engine-internal specs: Start, End, boundary-event splits and joins
            continue
        if task.has_state(TaskState.COMPLETED):
            completed.setdefault(bpmn_id)
        elif task.has_state(ACTIVE_STATES):
            active.setdefault(bpmn_id)
    return list(completed), list(active)
