from __future__ import annotations

from engine.services import tasks as task_services
from engine.services.views import get_case_view, step_view, task_view, workable_tasks

from ..auth import current_actor
from ..context import engine_context
from . import api_blueprint, ok, operation
from .schemas import AnyObject, Step, Task, TaskList, TaskListQuery


@api_blueprint.get("/tasks")
@operation("我可以办理的待办任务（已认领的和待认领的）", query=TaskListQuery, response=TaskList)
def list_tasks(query: dict):
    with engine_context().uow() as uow:
        return ok({"tasks": workable_tasks(uow.session, current_actor(), limit=query["limit"],
                                           offset=query["offset"])})


@api_blueprint.get("/tasks/<task_id>")
@operation("一项待办任务", response=Task)
def get_task(task_id: str):
    with engine_context().uow() as uow:
        task = task_view(uow.session, task_id)
        if task is None:
            from engine.errors import NotFound
            raise NotFound("待办任务不存在。")
        get_case_view(uow.session, task["case_id"], current_actor())  # visibility check
        return ok(task)


@api_blueprint.post("/tasks/<task_id>/claim")
@operation("认领任务", response=Task, errors=(401, 403, 404, 409))
def claim(task_id: str):
    ctx = engine_context()
    task_services.claim_task(task_id=task_id, actor=current_actor(), **ctx.deps())
    return get_task(task_id)


@api_blueprint.post("/tasks/<task_id>/unclaim")
@operation("退回认领", response=Task, errors=(401, 403, 404, 409))
def unclaim(task_id: str):
    ctx = engine_context()
    task_services.unclaim_task(task_id=task_id, actor=current_actor(), **ctx.deps())
    return get_task(task_id)


@api_blueprint.post("/tasks/<task_id>/complete")
@operation("提交任务表单并完成任务（字段见 GET /forms/{form_key}）", body=AnyObject, response=Step,
           errors=(401, 403, 404, 409, 422))
def complete(task_id: str, body: dict):
    data = body
    ctx = engine_context()
    case_id = task_services.complete_task(task_id=task_id, data=data, actor=current_actor(), **ctx.deps(runner=True))
    with ctx.uow() as uow:  # the caller could see the task, so it may see where its case went
        return ok(step_view(uow.session, case_id))
