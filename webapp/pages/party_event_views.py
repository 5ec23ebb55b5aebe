"""Registering what the party did outside the agency (当事人事项): a reconsideration applied for, a lawsuit filed,
a request to pay later. Each is a message to the case's processes; engine.message_rules says who may register
which, when and how often, and the service refuses what it forbids."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

import forms
from engine import message_rules
from engine.clock import CHINA_TZ
from engine.errors import DomainError, NotFound, ValidationFailed
from engine.services import instances as instance_services
from engine.services.views import get_case_view

from ..auth import current_actor
from ..context import engine_context
from ..errors import status_for
from . import pages_blueprint
from .case_views import form_values


@pages_blueprint.route("/cases/<int:case_id>/events/<name>", methods=["GET", "POST"])
@login_required
def register_party_event(case_id: int, name: str):
    rule = message_rules.rule_for(name)
    form = forms.get(rule.form) if rule is not None and rule.form else None
    if form is None:
        raise NotFound("没有这种可以登记的当事人事项。")
    ctx = engine_context()
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = form_values(form)
        try:
            instance_services.deliver_message(case_id=case_id, name=name, payload=values, actor=current_actor(),
                                              **ctx.deps(runner=True))
        except ValidationFailed as exc:
            errors, status = exc.fields or {"_schema": [exc.message]}, 422
        except DomainError as exc:  # not allowed now, or changed meanwhile: say why and keep what was typed
            errors, status = {"_schema": [exc.message]}, status_for(exc)
        else:
            flash(f"已{rule.title}。", "success")
            return redirect(url_for("pages.show_case", case_id=case_id))
    with ctx.uow() as uow:  # the page's heading; only when the page is shown (a registration redirects)
        case = get_case_view(uow.session, case_id, current_actor(), today=ctx.clock.now().astimezone(CHINA_TZ).date())
    return render_template("cases/party_event.html", case=case, rule=rule, form=form, values=values,
                           errors=errors), status
