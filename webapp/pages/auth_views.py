from __future__ import annotations

from urllib.parse import urlparse

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from engine.errors import NotAuthorized
from engine.services.sessions import sign_in, sign_out

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


def _safe_next(target: str | None) -> str:
    if target:
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("pages.inbox")
