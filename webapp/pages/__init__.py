"""Staff pages: login, inbox, task forms, lead registration, case file."""
from __future__ import annotations

from flask import Blueprint

pages_blueprint = Blueprint("pages", __name__)

from . import auth_views, case_views, inbox_views  # noqa: E402,F401
