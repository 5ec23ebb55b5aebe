"""行政执法公示: the public disclosure page of penalty decisions. No login, read-only.

It shows publication rows only — the party's name and identity number as masked when the decision was published,
never anything read from the case — and a withdrawn publication is gone: out of the list, its page a 404
(行政处罚决定被撤销后三日内撤回公示).
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, request

from engine.errors import NotFound
from engine.services.publication import PUBLIC_QUERY_MAX, public_publication, public_publications

from .context import engine_context

public_blueprint = Blueprint("public", __name__, url_prefix="/public")

# no scripts, nothing from elsewhere; the page may be shown to the internet
PUBLIC_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
              "frame-ancestors 'none'")


@public_blueprint.get("/decisions")
def decisions():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = request.args.get("q", "", type=str).strip()[:PUBLIC_QUERY_MAX]
    with engine_context().uow() as uow:
        listing = public_publications(uow.session, query=query, page=page)
    return render_template("public/decisions.html", listing=listing, query=query)


@public_blueprint.get("/decisions/<int:publication_id>")
def decision(publication_id: int):
    try:
        with engine_context().uow() as uow:
            item = public_publication(uow.session, publication_id)
    except NotFound as exc:
        return render_template("public/not_found.html", message=exc.message), 404
    return render_template("public/decision.html", item=item)


@public_blueprint.after_request
def public_headers(response):
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    # shared caches may keep it a few minutes (a withdrawal shows within them), but never with someone's cookie
    response.headers["Cache-Control"] = "private, no-store" if "Set-Cookie" in response.headers \
        else "public, max-age=300"
    return response


def yuan(amount) -> str:
    """¥1,234.50 for a fine; — when there is none."""
    if amount is None or amount == "":
        return "—"
    return f"¥{Decimal(str(amount)):,.2f}"


@public_blueprint.app_template_filter("yuan")
def _yuan_filter(amount) -> str:
    return yuan(amount)
