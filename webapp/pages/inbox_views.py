from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from engine.errors import DomainError
from engine.services import tasks as task_services
from engine.services.tasks import workable_tasks_query
from engine.services.views import task_view

from ..auth import current_actor
from ..context import engine_context
from . import pages_blueprint

PAGE_SIZE = 50


@pages_blueprint.get("/")
@login_required
def home():
    return redirect(url_for("pages.inbox"))


@pages_blueprint.get("/inbox")
@login_required
def inbox():
    page = max(request.args.get("page", 1, type=int), 1)
    ctx = engine_context()
    actor = current_actor()
    with ctx.uow() as uow:
        query = workable_tasks_query(actor)
        total = uow.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = [task_view(t) for t in uow.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))]
    return render_template("inbox/index.html", tasks=rows, total=total, page=page, page_size=PAGE_SIZE,
                           now=ctx.clock.now())


@pages_blueprint.post("/tasks/<task_id>/claim")
@login_required
def claim_task(task_id: str):
    return _task_action(task_services.claim_task, task_id, "已认领任务。")


@pages_blueprint.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim_task(task_id: str):
    return _task_action(task_services.unclaim_task, task_id, "已退回任务队列。")


def _task_action(service, task_id: str, success: str):
    ctx = engine_context()
    try:
        service(task_id=task_id, actor=current_actor(), **ctx.deps())
        flash(success, "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(request.form.get("next") or url_for("pages.inbox"))
