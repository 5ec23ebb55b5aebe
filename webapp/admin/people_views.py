"""人员与机关: users, roles, agencies and enforcement certificates (admins change, supervisors read)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.clock import CHINA_TZ
from engine.errors import DomainError, NotAuthorized, NotFound, ValidationFailed
from engine.roles import ROLE_TITLES
from engine.services import agency_settings, people
from engine.services.users import create_user
from engine.store.models import Agency, User

from ..auth import current_actor
from ..context import engine_context
from . import act, admin_blueprint, admin_only


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


def _agencies(session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.id)))


@admin_blueprint.get("/people")
def people_list():
    ctx = engine_context()
    agency_id = request.args.get("agency", type=int) or None
    role = request.args.get("role") if request.args.get("role") in ROLE_TITLES else None
    q = request.args.get("q", "").strip()[:64] or None
    with ctx.uow() as uow:
        users = people.list_people(uow.session, agency_id=agency_id, role=role, q=q)
        agencies = _agencies(uow.session)
    today = ctx.clock.now().astimezone(CHINA_TZ).date()
    return render_template("admin/people.html", users=users, agencies=agencies, agency_id=agency_id, role=role, q=q,
                           today=today)


@admin_blueprint.route("/people/new", methods=["GET", "POST"])
@admin_only
def new_person():
    ctx = engine_context()
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in
                  ("username", "display_name", "password", "agency_id", "certificate_number",
                   "certificate_valid_until")}
        values["roles"] = request.form.getlist("roles")
        try:
            user_id = create_user(username=values["username"], display_name=values["display_name"],
                                  password=values["password"], roles=values["roles"],
                                  agency_id=int(values["agency_id"] or 0),
                                  certificate_number=values["certificate_number"] or None,
                                  certificate_valid_until=_date("certificate_valid_until"),
                                  actor=current_actor(), **ctx.deps())
        except ValidationFailed as exc:
            errors, status = exc.fields or {"_schema": [exc.message]}, 422
        else:
            flash(f"已新增用户 {values['username']}。", "success")
            return redirect(url_for("admin.person", user_id=user_id))
    with ctx.uow() as uow:
        agencies = _agencies(uow.session)
    return render_template("admin/person_new.html", values=values, errors=errors, agencies=agencies), status


@admin_blueprint.route("/people/<int:user_id>", methods=["GET"])
def person(user_id: int, new_password: str | None = None, status: int = 200):
    ctx = engine_context()
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("用户不存在。")
        agencies = _agencies(uow.session)
    today = ctx.clock.now().astimezone(CHINA_TZ).date()
    return render_template("admin/person.html", user=user, agencies=agencies, today=today,
                           new_password=new_password), status


@admin_blueprint.post("/people/<int:user_id>/edit")
@admin_only
def edit_person(user_id: int):
    ctx = engine_context()
    return act(people.update_user, "已保存。", back=url_for("admin.person", user_id=user_id), user_id=user_id,
               display_name=request.form.get("display_name", ""), roles=request.form.getlist("roles"),
               agency_id=request.form.get("agency_id", type=int) or -1, actor=current_actor(), **ctx.deps())


@admin_blueprint.post("/people/<int:user_id>/active")
@admin_only
def set_person_active(user_id: int):
    ctx = engine_context()
    active = request.form.get("active") == "1"
    return act(people.set_active, lambda released: ("已启用。" if active else _("已停用，其登录和 API 令牌均已作废。"))
               + (f"其认领的 {released} 项待办已退回队列。" if released else ""),
               back=url_for("admin.person", user_id=user_id), user_id=user_id, active=active,
               reason=request.form.get("reason", ""), actor=current_actor(), **ctx.deps())


@admin_blueprint.post("/people/<int:user_id>/password")
@admin_only
def reset_person_password(user_id: int):
    """The new password is shown once, on this response, and never stored in a cookie or log."""
    ctx = engine_context()
    try:
        password = people.reset_password(user_id=user_id, password=request.form.get("password") or None,
                                         actor=current_actor(), **ctx.deps())
    except NotAuthorized:
        abort(403)
    except DomainError as exc:
        flash(exc.message + "".join("；".join(m) for m in (exc.fields or {}).values()), "error")
        return redirect(url_for("admin.person", user_id=user_id))
    return person(user_id, new_password=password)


@admin_blueprint.post("/people/<int:user_id>/certificates")
@admin_only
def add_certificate(user_id: int):
    ctx = engine_context()
    return act(people.add_certificate, "已登记行政执法证。", back=url_for("admin.person", user_id=user_id),
               user_id=user_id, number=request.form.get("number", ""), valid_until=_date("valid_until"),
               actor=current_actor(), **ctx.deps())


@admin_blueprint.post("/people/<int:user_id>/certificates/<int:certificate_id>")
@admin_only
def change_certificate(user_id: int, certificate_id: int):
    ctx = engine_context()
    valid_until = _date("valid_until")
    if valid_until is None:
        flash("请填写有效期。", "error")
        return redirect(url_for("admin.person", user_id=user_id))
    return act(people.change_certificate, "已变更执法证有效期。", back=url_for("admin.person", user_id=user_id),
               certificate_id=certificate_id, valid_until=valid_until, reason=request.form.get("reason", ""),
               actor=current_actor(), **ctx.deps())


@admin_blueprint.get("/agencies")
def agencies():
    with engine_context().uow() as uow:
        rows = _agencies(uow.session)
    return render_template("admin/agencies.html", agencies=rows, levels=people.AGENCY_LEVELS,
                           document_settings=agency_settings.DOCUMENT_SETTINGS)


@admin_blueprint.post("/agencies")
@admin_only
def save_agency():
    ctx = engine_context()
    agency_id = request.form.get("agency_id", type=int)
    return act(people.save_agency, "已保存机关信息。", back=url_for("admin.agencies"), agency_id=agency_id,
               code=request.form.get("code", "").strip(), name=request.form.get("name", ""),
               case_prefix=request.form.get("case_prefix", ""), level=request.form.get("level", ""),
               actor=current_actor(), **ctx.deps())


@admin_blueprint.post("/agencies/<int:agency_id>/document-settings")
@admin_only
def save_agency_document_settings(agency_id: int):
    ctx = engine_context()
    settings = {name: request.form.get(name, "") for name in agency_settings.DOCUMENT_SETTINGS}
    return act(agency_settings.save_document_settings, "已保存机关文书信息。", back=url_for("admin.agencies"),
               agency_id=agency_id, settings=settings, actor=current_actor(), **ctx.deps())
