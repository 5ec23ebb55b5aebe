from __future__ import annotations

from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from engine.errors import NotAuthorized, ValidationFailed
from engine.services.sessions import change_own_password, sign_in, sign_out

from ..auth import load_user
from ..context import engine_context
from . import pages_blueprint


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名。")])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码。")])


@pages_blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        ctx = engine_context()
        try:
            signed_in = sign_in(username=form.username.data.strip(), password=form.password.data, **ctx.deps())
        except NotAuthorized as exc:
            error = exc.message
        else:
            login_user(load_user(signed_in.session_key))
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@pages_blueprint.post("/logout")
def logout():
    """Ends the session on the server too: a copy of the cookie no longer signs anyone in."""
    if current_user.is_authenticated and current_user.get_id():
        sign_out(session_key=current_user.get_id(), **engine_context().deps())
    logout_user()
    return redirect(url_for("pages.login"))


class PasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired(message="请输入当前密码。")])
    new_password = PasswordField("新密码", validators=[DataRequired(message="请输入新密码。")])
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired(message="请再次输入新密码。"), EqualTo("new_password", message="两次输入的新密码不一致。")])


@pages_blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: every other browser and every API token of the user stop working; this browser stays signed in."""
    form = PasswordForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            key = change_own_password(session_key=current_user.get_id(), current_password=form.current_password.data,
                                      new_password=form.new_password.data, **engine_context().deps())
        except ValidationFailed as exc:
            errors = exc.fields or {}
        except NotAuthorized as exc:
            errors = {"current_password": [exc.message]}
        else:
            login_user(load_user(key))
            flash(_("密码已修改。其他设备上的登录和 API 令牌均已失效。"), "success")
            return redirect(url_for("pages.inbox"))
    for name, messages in form.errors.items():
        errors.setdefault(name, []).extend(messages)
    status = 400 if any(errors.values()) else 200
    return render_template("auth/password.html", form=form, errors=errors), status


def _safe_next(target: str | None) -> str:
    if target:
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("pages.inbox")
