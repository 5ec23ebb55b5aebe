"""Sessions (Flask-Login) for the pages, bearer tokens for the API, and role checks for both."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user

from engine.actors import Actor
from engine.services.sessions import user_for_session
from engine.services.users import user_for_token
from engine.store.models import User

from ..context import engine_context
from ..extensions import login_manager


class WebUser(UserMixin):
    """What a request knows about its user: a snapshot, detached from any database session. For a browser, its
    Flask-Login id is the session's key (not the user id), so ending that session on the server ends the cookie."""

    def __init__(self, user: User, session_key: str | None = None):
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.agency_name = user.agency.name
        self.actor = Actor.of(user)
        self.session_key = session_key

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def roles(self) -> frozenset[str]:
        return self.actor.roles

    def has_role(self, *roles: str) -> bool:
        return self.actor.has_role(*roles)


@login_manager.user_loader
def load_user(session_key: str):
    with engine_context().uow() as uow:
        user = user_for_session(uow.session, session_key)
        return WebUser(user, session_key) if user is not None else None


@login_manager.request_loader
def load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    with engine_context().uow() as uow:
        user = user_for_token(uow.session, header[len("Bearer "):].strip())
        if user is None:
            return None
        g.authenticated_by_token = True
        return WebUser(user)


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error={"code": "unauthorized", "message": "请先登录或提供有效的访问令牌。"}), 401
    return redirect(url_for("pages.login", next=request.full_path if request.args else request.path))


def current_actor() -> Actor:
    return current_user.actor


def roles_required(*roles: str):
    """Allow the view only to users holding one of the roles (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def init_app(app: Flask) -> None:
    login_manager.login_view = "pages.login"
    login_manager.login_message = None
    app.jinja_env.globals["_"] = _
