from __future__ import annotations

from flask import request

from engine.services import tasks as task_services
from engine.services.views import get_case_view, step_view, task_view, workable_tasks

from ..auth import current_actor
from ..context import engine_context
from . import api_blueprint, json_body, ok


@api_blueprint.get("/tasks")
def list_tasks():
    limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
    offset = max(request.args.get("offset", 0, type=int), 0)
    with engine_context().uow() as uow:
        return ok({"tasks": workable_tasks(uow.session, current_actor(), limit=limit, offset=offset)})


@api_blueprint.get("/tasks/<task_id>")
def get_task(task_id: str):
    with engine_context().uow() as uow:
        task = task_view(uow.session, task_id)
        if task is None:
            from engine.errors import NotFound
            raise NotFound("待办任务不存在。")
        get_case_view(uow.session, task["case_id"], current_actor())  # visibility check
        return ok(task)


@api_blueprint.post("/tasks/<task_id>/claim")
def claim(task_id: str):
    ctx = engine_context()
    task_services.claim_task(task_id=task_id, actor=current_actor(), **ctx.deps())
    return get_task(task_id)


@api_blueprint.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str):
    ctx = engine_context()
    task_services.unclaim_task(task_id=task_id, actor=current_actor(), **ctx.deps())
    return get_task(task_id)


@api_blueprint.post("/tasks/<task_id>/complete")
def complete(task_id: str):
    data = json_body()
    ctx = engine_context()
    case_id = task_services.complete_task(task_id=task_id, data=data, actor=current_actor(), **ctx.deps(runner=True))
    with ctx.uow() as uow:  # the caller could see the task, so it may see where its case went
        return ok(step_view(uow.session, case_id))
