"""Counts in the top navigation (我的待办 (n), 超期 (n)): one grouped query, only for logged-in users' pages."""
from __future__ import annotations

import logging

from flask import Flask, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from engine.services.inbox import InboxCounts, inbox_counts

from .context import engine_context
from .repeated_errors import RepeatedErrors

log = logging.getLogger(__name__)
_errors = RepeatedErrors(log, "navigation counts")


def remember_counts(counts: InboxCounts) -> None:
    """A view that already has the counts (the inbox) hands them over, so the page costs no second query."""
    g.nav_counts = counts


def nav_counts() -> InboxCounts | None:
    if not current_user.is_authenticated:
        return None
    counts = g.get("nav_counts")
    if counts is None:
        ctx = engine_context()
        try:
            with ctx.uow() as uow:
                counts = inbox_counts(uow.session, current_user.actor, now=ctx.clock.now())
        except SQLAlchemyError as error:  # the navigation must never take an error page down with it
            _errors.failed(error)  # in an outage: one traceback, then a count a minute
            return None
        _errors.succeeded()
        g.nav_counts = counts
    return counts


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_nav_counts():
        if not current_user.is_authenticated:
            return {}
        return {"nav_counts": nav_counts()}
