"""Every response says what the browser may load and run, that no other site may frame it, and how much of its
address to pass on; the favicon is the app's own."""
from __future__ import annotations

import pytest

from .conftest import login


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response.headers["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_hardened(response):
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert policy_of(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", ["/login", "/inbox", "/static/app.css", "/favicon.ico", "/no-such-page"])
def test_pages_static_files_and_errors_allow_only_the_apps_own_scripts(client, staff, path):
    login(client, "handler1")
    response = client.get(path)
    assert_hardened(response)
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and "style-src-attr" not in policy  # no inline style at all
    assert policy["object-src"] == ["'none'"]


def test_the_designer_alone_allows_style_attributes_for_the_bpmn_modeler(client, staff, world):
    world.user("designer1", "designer")
    login(client, "designer1")
    response = client.get("/designer/")
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert_hardened(response)


def test_an_api_answer_carries_the_headers_too(client, staff, token_for):
    response = client.get("/api/v1/deadline-catalog", headers=token_for("handler1"))
    assert response.status_code == 200
    assert_hardened(response)
    refused = client.get("/api/v1/cases")  # no token, no session
    assert refused.status_code == 401
    assert_hardened(refused)


def test_a_page_with_its_own_policy_keeps_it_and_still_cannot_be_framed(client, staff):
    response = client.get("/public/decisions")
    assert response.status_code == 200
    assert policy_of(response)["default-src"] == ["'none'"]  # the public pages' stricter policy
    assert_hardened(response)


def test_the_favicon_is_a_small_icon_served_by_the_app(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00" and len(response.data) < 4096
