"""A case in the console: its processes, tasks and clocks, and the actions that fix it (each with a reason)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

import forms
from engine.errors import DomainError, NotAuthorized, ValidationFailed
from engine.services import instances as instance_services
from engine.services import moves
from engine.services.case_admin import admin_case, reassign_task
from engine.services.deadlines import record_approved_extension
from engine.services.retry_report import retry_and_report
from engine.services.tasks import open_task
from engine.services.timers import fire_now
from engine.services.views import timeline

from ..auth import current_actor
from ..context import engine_context
from ..pages.auth_views import _safe_next
from ..pages.case_views import form_values
from . import act, admin_blueprint, admin_only
from .retry_messages import retry_message

INSTANCE_ACTIONS = {
    "suspend": (instance_services.suspend_instance, "已中止流程，本机关的法定期限暂停计算。"),
    "resume": (instance_services.resume_instance, "已恢复流程，期限顺延中止的时间。"),
    "cancel": (instance_services.cancel_instance, "已撤销流程。"),
    "fire": (fire_now, "已触发到期的定时器。"),
}


def _case_url(case_id: int) -> str:
    return url_for("admin.case_page", case_id=case_id)


@admin_blueprint.get("/cases/<int:case_id>")
def case_page(case_id: int):
    ctx = engine_context()
    with ctx.uow() as uow:
        view = admin_case(uow.session, case_id=case_id, actor=current_actor(), runner=ctx.runner)
        records = timeline(uow.session, case_id)[-30:]
    return render_template("admin/case.html", view=view, case=view["case"], records=records,
                           can_act=current_actor().has_role("admin"), view_now=ctx.clock.now())


@admin_blueprint.post("/instances/<int:instance_id>/<action>")
@admin_only
def instance_action(instance_id: int, action: str):
    if action not in INSTANCE_ACTIONS:
        abort(404)
    service, success = INSTANCE_ACTIONS[action]
    ctx = engine_context()
    case_id = request.form.get("case_id", type=int)
    return act(service, success, back=_case_url(case_id) if case_id else url_for("admin.dashboard"),
               instance_id=instance_id, reason=request.form.get("reason", ""), actor=current_actor(),
               **ctx.deps(runner=action != "cancel"))


@admin_blueprint.post("/instances/<int:instance_id>/retry")
@admin_only
def retry(instance_id: int):
    """重试, reported honestly: what ran again, and whether it failed again with the same error."""
    ctx = engine_context()
    case_id = request.form.get("case_id", type=int)
    back = _safe_next(request.form.get("next")) if request.form.get("next") else (
        _case_url(case_id) if case_id else url_for("admin.dashboard"))
    try:
        outcome = retry_and_report(instance_id=instance_id, reason=request.form.get("reason", ""),
                                   actor=current_actor(), **ctx.deps(runner=True))
    except NotAuthorized:
        abort(403)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(*retry_message(outcome))
    return redirect(back)


@admin_blueprint.post("/instances/<int:instance_id>/rerun")
@admin_only
def rerun_step(instance_id: int):
    ctx = engine_context()
    case_id = request.form.get("case_id", type=int)
    return act(moves.rerun_step, "已退回该步骤重新办理，待办已重新生成。",
               back=_case_url(case_id) if case_id else url_for("admin.dashboard"), instance_id=instance_id,
               step_id=request.form.get("step_id", ""), reason=request.form.get("reason", ""),
               actor=current_actor(), **ctx.deps(runner=True))


@admin_blueprint.post("/tasks/<task_id>/reassign")
@admin_only
def reassign(task_id: str):
    ctx = engine_context()
    case_id = request.form.get("case_id", type=int)
    assignee_id = request.form.get("assignee_id", type=int)
    return act(reassign_task, "已改派待办。", back=_case_url(case_id) if case_id else url_for("admin.dashboard"),
               task_id=task_id, assignee_id=assignee_id if assignee_id is not None else -1,
               reason=request.form.get("reason", ""), change_lead=request.form.get("change_lead") == "1",
               actor=current_actor(), **ctx.deps())


@admin_blueprint.route("/tasks/<task_id>/skip", methods=["GET", "POST"])
@admin_only
def skip_task(task_id: str):
    """Skip an open step: its form's fields may be filled (none required) for what later steps need."""
    ctx = engine_context()
    with ctx.uow() as uow:
        task = open_task(uow.session, task_id)
        info = {"id": task.id, "title": task.title, "case_id": task.case_id, "case_number": task.case.number,
                "form_key": task.form_key, "instance_id": task.instance_id}
    form = forms.get(info["form_key"])
    values, errors, reason, status = {}, {}, "", 200
    if request.method == "POST":
        values = form_values(form) if form else {}
        reason = request.form.get("reason", "").strip()
        try:
            moves.skip_task(task_id=task_id, data=values, reason=reason, actor=current_actor(),
                            **ctx.deps(runner=True))
        except NotAuthorized:
            abort(403)
        except ValidationFailed as exc:
            errors, status = exc.fields or {"_schema": [exc.message]}, 422
        except DomainError as exc:
            errors, status = {"_schema": [exc.message]}, 409
        else:
            flash(f"已跳过「{info['title']}」。", "success")
            return redirect(_case_url(info["case_id"]))
    return render_template("admin/skip.html", task=info, form=form, values=values, errors=errors, reason=reason,
                           fields=form.fields if form else ()), status


@admin_blueprint.post("/cases/<int:case_id>/deadlines/<key>/extend")
@admin_only
def extend_deadline(case_id: int, key: str):
    ctx = engine_context()
    return act(record_approved_extension, "已登记负责人批准的延期，相关定时器已随之调整。", back=_case_url(case_id),
               case_id=case_id, key=key, period=request.form.get("period", type=int) or -1,
               reason=request.form.get("reason", ""), approver_id=request.form.get("approver_id", type=int) or -1,
               approval_ref=request.form.get("approval_ref", ""),
               collective_discussion=request.form.get("collective_discussion") or None, actor=current_actor(),
               **ctx.deps(runner=True))
