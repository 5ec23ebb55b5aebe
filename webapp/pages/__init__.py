"""Staff pages: login, inbox, task forms, lead registration, case file."""
from __future__ import annotations

from flask import Blueprint

pages_blueprint = Blueprint("pages", __name__)

from . import (  # noqa: E402,F401
    attachment_views, auth_views, case_list_views, case_views, diagram_views, inbox_views, party_event_views,
)
