from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

import forms
from engine.checks import certified_officers
from engine.clock import CHINA_TZ
from engine.errors import DomainError, EngineFailure, NotFound, ValidationFailed
from engine.services import cases as case_services
from engine.services import documents as document_services
from engine.services import instances as instance_services
from engine.services import tasks as task_services
from engine.services.attachments import list_attachments
from engine.services.drafts import load_draft, save_draft
from engine.services.views import completed_steps, get_case_view, task_view, timeline

from ..auth import current_actor, roles_required
from ..context import engine_context
from ..errors import status_for
from . import pages_blueprint
from .document_toolbar import with_screen_toolbar
from .task_failures import failed_completion_message


@pages_blueprint.route("/cases/new", methods=["GET", "POST"])
@roles_required(*case_services.REGISTERING_ROLES)
def new_case():
    form = forms.get("lead_registration")
    values, errors = {}, {}
    if request.method == "POST":
        values = form_values(form)
        ctx = engine_context()
        try:
            registered = case_services.register_lead(data=values, actor=current_actor(), **ctx.deps(runner=True))
        except ValidationFailed as exc:
            errors = exc.fields or {}
        else:
            flash("案源已登记。", "success")
            for warning in registered.warnings:
                flash(warning, "warning")
            return redirect(url_for("pages.show_case", case_id=registered.case_id))
    return render_template("cases/new.html", form=form, values=values, errors=errors), 422 if errors else 200


@pages_blueprint.get("/cases/<int:case_id>")
@login_required
def show_case(case_id: int):
    ctx = engine_context()
    with ctx.uow() as uow:
        case = get_case_view(uow.session, case_id, current_actor(), today=ctx.clock.now().astimezone(CHINA_TZ).date())
        records = timeline(uow.session, case_id)
    party_events = instance_services.registrable_messages(case_id=case_id, actor=current_actor(),
                                                          **ctx.deps(runner=True))
    return render_template("cases/show.html", case=case, records=records, party_events=party_events)


# A stored document is shown exactly as issued; it has no scripts, and the browser must not run or fetch any.
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src data:; base-uri 'none'; "
                "form-action 'none'")


@pages_blueprint.get("/cases/<int:case_id>/documents/<int:document_id>")
@login_required
def show_document(case_id: int, document_id: int):
    with engine_context().uow() as uow:
        document = document_services.get_document(uow.session, case_id, document_id, current_actor())
        html = document.html
    response = Response(with_screen_toolbar(html, case_id=case_id), mimetype="text/html")
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@pages_blueprint.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task_page(task_id: str):
    ctx = engine_context()
    actor = current_actor()
    with ctx.uow() as uow:
        task_info = task_view(uow.session, task_id)
        if task_info is None:
            raise NotFound("待办任务不存在。")
        case = get_case_view(uow.session, task_info["case_id"], actor,
                             today=ctx.clock.now().astimezone(CHINA_TZ).date())
        history = completed_steps(uow.session, task_info["case_id"])
        form = forms.get(task_info["form_key"])
        if form is None:
            abort(500)
        officer_choices = _officer_choices(uow.session, case, form, ctx.clock)
        attachments = list_attachments(uow.session, task_info["case_id"])
        draft = load_draft(uow.session, task_id=task_id, actor=actor)
        values = dict(draft.data) if draft is not None else {}
        draft_saved_at = draft.saved_at if draft is not None else None
    errors, status, failure = {}, 200, None
    if request.method == "POST" and request.form.get("action") == "draft":
        values = form_values(form)
        save_draft(task_id=task_id, data=values, actor=actor, **ctx.deps())
        flash("草稿已保存，下次打开时自动填入。", "success")
        return redirect(url_for("pages.task_page", task_id=task_id))
    if request.method == "POST":
        values = form_values(form)
        try:
            task_services.complete_task(task_id=task_id, data=values, actor=actor, **ctx.deps(runner=True))
        except ValidationFailed as exc:
            errors, status = exc.fields or {"_schema": [exc.message]}, 422
        except EngineFailure as exc:
            failure, status = failed_completion_message(task=task_info, values=values, error=exc, actor=actor,
                                                        ctx=ctx), 500
        except DomainError as exc:  # not allowed, no longer open, changed meanwhile: say so, keep the input
            errors, status = {"_schema": [exc.message]}, status_for(exc)
        except Exception as exc:  # a bug in the step: the typed work stays, the administrator is told
            failure, status = failed_completion_message(task=task_info, values=values, error=exc, actor=actor,
                                                        ctx=ctx), 500
        else:
            flash(f"「{task_info['title']}」已办结。", "success")
            return redirect(url_for("pages.show_case", case_id=case["id"]))
    return render_template("tasks/form.html", task=task_info, case=case, form=form, history=history,
                           fields=form.fields_for(set(actor.roles)), values=values, errors=errors,
                           officer_choices=officer_choices, attachments=attachments,
                           draft_saved_at=draft_saved_at, failure=failure), status


def _officer_choices(session, case: dict, form, clock) -> list[tuple[int, str]]:
    """Only officers holding a valid enforcement certificate can be chosen as investigators."""
    if not any(field.type in ("officers", "officer") for field in form.fields):
        return []
    today = clock.now().astimezone(CHINA_TZ).date()
    return [(user.id, f"{user.display_name}（执法证 {user.valid_certificate(today).number}）")
            for user in certified_officers(session, agency_id=case["agency"]["id"], on=today)]


def form_values(form) -> dict:
    """What the page posted for the form's fields, as the form takes it (a ticked box, a list of officers)."""
    values = {}
    for field in form.fields:
        if field.type == "boolean":
            values[field.name] = field.name in request.form
        elif field.type == "officers":
            values[field.name] = [value for value in request.form.getlist(field.name) if value.strip()]
        else:
            values[field.name] = request.form.get(field.name, "").strip()
    return values
