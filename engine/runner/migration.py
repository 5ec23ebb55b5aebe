"""Moving a running workflow to a newer version of its process (SpiffWorkflow's diff_workflow and
migrate_workflow), and deciding beforehand whether that is safe.

What the library does (see the engine notes): the old task specs are aligned with the new ones by BPMN id;
READY and WAITING branches are reset and predicted again on the new spec, so the user task someone works on
keeps its id (and our task mirror its row), and a waiting timer is evaluated again. A statutory timer
(`deadline("key")`) reads the case's clock, so it lands on the same moment; any other timer starts over from
the moment of migration. What it cannot do is keep a task whose element was removed: an instance waiting at a
removed element cannot move, nor one that already passed a removed element (its history would point at an
element the new version does not have, and it could never be loaded again).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass
class MigrationCheck:
    can_migrate: bool
    reasons: list[str] = field(default_factory=list)  # why it cannot move
    warnings: list[str] = field(default_factory=list)  # what changes for it if it does
    current: list[str] = field(default_factory=list)  # where it stands now, by element name


def _name(spec) -> str:
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _visible(spec) -> bool:
    return bool(getattr(spec, "bpmn_id", None))


def _under_reset_branch(task) -> bool:
    parent = task.parent
    while parent is not None:
        if parent.has_state(TaskState.READY | TaskState.WAITING):
            return True
        parent = parent.parent
    return False


def check(registry, workflow, spec, subprocess_specs) -> MigrationCheck:
    result = MigrationCheck(can_migrate=True)
    top, subprocesses = diff_workflow(registry, workflow, spec, subprocess_specs)
    for task in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
        if _visible(task.task_spec):
            name = _name(task.task_spec)
            if name not in result.current:
                result.current.append(name)
    for task in top.removed:
        if not _visible(task.task_spec) and task.has_state(TaskState.COMPLETED):
            continue  # engine-internal specs (boundary splits) of a finished branch
        name = _name(task.task_spec)
        if task.has_state(ACTIVE):
            reason = f"当前所在的「{name}」在新版本中已删除"
        elif task.has_state(PREDICTED) and _under_reset_branch(task):
            continue  # not reached yet: predicted again on the new version
        else:
            reason = f"已经过的「{name}」在新版本中已删除，迁移后无法保留这段历史"
        if reason not in result.reasons:
            result.reasons.append(reason)
    for sub_id, sub_diff in subprocesses.items():
        if sub_diff is None:
            result.reasons.append(f"子流程 {workflow.subprocesses[sub_id].spec.name} 在新版本中已删除")
    for task in workflow.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) and "deadline" not in (definition.expression or ""):
            result.warnings.append(f"等待中的定时器「{_name(task.task_spec)}」将从迁移时刻重新计时")
    for task in workflow.get_tasks(state=TaskState.READY, manual=True, skip_subprocesses=True):
        split = f"{task.task_spec.name}.BoundaryEventSplit"
        if split in spec.task_specs and task.parent.task_spec.name != split:
            result.warnings.append(f"「{_name(task.task_spec)}」在新版本中新增的边界事件对本次办理不生效")
    result.can_migrate = not result.reasons
    return result


def migrate(registry, workflow, spec, subprocess_specs, *, advance: bool = True) -> None:
    """Move the workflow onto the new spec (caller binds the clock and the case, see WorkflowRunner.migrate).
    `advance` runs what became ready (a reset timer that is already due); never for a suspended instance."""
    top, subprocesses = diff_workflow(registry, workflow, spec, subprocess_specs)
    migrate_workflow(top, workflow, spec)
    for sub_id, sub_diff in subprocesses.items():
        sub = workflow.subprocesses[sub_id]
        migrate_workflow(sub_diff, sub, subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = subprocess_specs
    if advance:
        workflow.do_engine_steps()
