"""Moving a case to another step (调整办理环节), by a system admin with a reason, where the engine allows it:

- skip the current step: the open task is completed as the system, with whatever form data the admin gives
  (checked field by field, none required) — no document is issued, no duty or certificate check runs;
- re-run a completed step: SpiffWorkflow's `reset_from_task_id` makes that task ready again and drops what
  came after it in this process (steps, waiting timers); what the step did outside the process stays (other
  processes it started, documents issued, clocks met) and is for the admin to undo.

Both run in one transaction and save through `save_workflow` inside `case_scope`, so the task mirror, the
instance's next due moment and the case's clocks stay consistent. If the process fails on the way, nothing is
saved and the instance is left as it was (never put in `error` by an admin's attempt).
"""
from __future__ import annotations

from uuid import UUID

from marshmallow import ValidationError
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete

import forms
from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import InvalidState, NotAuthorized, NotFound, TaskNotOpen, ValidationFailed
from engine.runner import StepFailed, WorkflowRunner
from engine.store.database import UnitOfWork
from engine.store.models import ProcessInstance, TaskDraft
from engine.store.statuses import InstanceStatus

from .stepping import ACTIVE_STATUSES, case_scope, get_instance, load_workflow, save_workflow
from .tasks import case_facts, open_task

MOVABLE = (*ACTIVE_STATUSES, InstanceStatus.ERROR)


def _require_admin(actor: Actor, reason: str | None) -> str:
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以调整案件的办理环节。")
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})
    return reason.strip()


def _movable(instance: ProcessInstance) -> None:
    if instance.status not in MOVABLE:
        raise InvalidState("只有办理中或出错的流程可以调整环节；已中止的请先恢复。")


def _clear_error(instance: ProcessInstance) -> None:
    if instance.status == InstanceStatus.ERROR:
        instance.status = InstanceStatus.WAITING
        instance.error_element = instance.error_message = instance.error_detail = None


def _failed(what: str, failure: StepFailed) -> InvalidState:
    where = f"「{failure.element_id}」" if failure.element_id else ""
    return InvalidState(f"{what}后流程在{where}出错：{failure.message}。未作任何更改；"
                        "请补充该步骤所需的数据后再试，或改用其他处理方式。")


def skip_task(*, task_id: str, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock, runner: WorkflowRunner,
              data: dict | None = None) -> int:
    """Complete an open task as the system (跳过). Returns the case id."""
    reason = _require_admin(actor, reason)
    with uow:
        session = uow.session
        task = open_task(session, task_id)
        instance = get_instance(session, task.instance_id, for_update=True)
        _movable(instance)
        form = forms.get(task.form_key)
        workflow = load_workflow(session, instance, runner)
        ready = runner.find_ready_task(workflow, task.spiff_task_id)
        if ready is None:
            raise TaskNotOpen(f"任务「{task.title}」在流程中已不是待办状态。")
        try:  # the dates an admin supplies are held to the case's chronology like anyone's
            context = {"party_kind": instance.case.party_kind, "now": clock.now(),
                       "data": case_facts(instance.case, dict(ready.data))}
            cleaned = form.validate(data or {}, context, partial=True) if form else {}
        except ValidationError as exc:
            raise ValidationFailed("填写的数据有误，请按提示修改。", fields=exc.normalized_messages()) from exc
        now = clock.now()
        session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id))
        task.status, task.completed_at, task.completed_by_id = "skipped", now, actor.user_id
        _clear_error(instance)
        audit.record(session, clock=clock, actor=actor, action="task_skipped", case_id=task.case_id,
                     instance_id=instance.id, task_id=task.id, task_title=task.title,
                     summary=f"跳过「{task.title}」：{reason}", data={"reason": reason, "data": cleaned})
        try:
            with case_scope(session, instance=instance, clock=clock, actor=actor):
                runner.complete_task(workflow, task.spiff_task_id, cleaned, clock)
                save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
        except StepFailed as failure:
            raise _failed(f"跳过「{task.title}」", failure) from failure
        uow.commit()
        return task.case_id


def rerunnable_steps(workflow) -> list[dict]:
    """The user tasks an instance has completed, oldest first: what may be re-run."""
    done = sorted(workflow.get_tasks(state=TaskState.COMPLETED, manual=True), key=lambda t: t.last_state_change)
    return [{"id": str(task.id), "name": task.task_spec.bpmn_id, "title": task.task_spec.bpmn_name or
             task.task_spec.bpmn_id, "lane": task.task_spec.lane} for task in done]


def rerun_step(*, instance_id: int, step_id: str, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock,
               runner: WorkflowRunner) -> int:
    """Make a completed user task of the instance ready again (重新办理). Returns the case id."""
    reason = _require_admin(actor, reason)
    with uow:
        session = uow.session
        instance = get_instance(session, instance_id, for_update=True)
        _movable(instance)
        workflow = load_workflow(session, instance, runner)
        step = next((s for s in rerunnable_steps(workflow) if s["id"] == step_id), None)
        if step is None:
            raise NotFound("该流程没有这个已办结的步骤。")
        _clear_error(instance)
        audit.record(session, clock=clock, actor=actor, action="step_rerun", case_id=instance.case_id,
                     instance_id=instance.id, task_title=step["title"],
                     summary=f"退回重新办理「{step['title']}」：{reason}", data={"reason": reason, "step": step["name"]})
        try:
            with case_scope(session, instance=instance, clock=clock, actor=actor):
                workflow.reset_from_task_id(UUID(step_id))
                runner.advance(workflow, clock)
                save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
        except StepFailed as failure:
            raise _failed(f"重新办理「{step['title']}」", failure) from failure
        uow.commit()
        return instance.case_id
