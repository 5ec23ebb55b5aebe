"""Who may open and do what: every role against every staff page and action, and other agencies kept out."""
from __future__ import annotations

import pytest

from .conftest import csrf_from, login

ROLES = ["handler", "reviewer", "head", "admin", "designer", "supervisor"]


@pytest.fixture
def people(world, staff):
    cast = {role: world.user(f"{role}_x", role) for role in ROLES}
    other = world.agency(code="xiwan", name="西湾街道综合行政执法队", prefix="西湾综执案")
    cast["outsider"] = world.user("outsider", "handler", "head", agency_id=other)
    return cast


@pytest.fixture
def lead(world, staff):
    case_id = world.register(staff["handler1"], process_id="lead_intake", source="patrol")
    return case_id, world.only_task(case_id)


def as_user(client, username):
    client.get("/logout")
    login(client, username)
    return csrf_from(client.get("/inbox").get_data(as_text=True))


@pytest.mark.parametrize("role, expected", [
    ("handler", 200), ("head", 200), ("reviewer", 403), ("admin", 403), ("designer", 403), ("supervisor", 403)])
def test_only_handlers_and_heads_register_leads(client, people, role, expected):
    as_user(client, f"{role}_x")
    assert client.get("/cases/new").status_code == expected


@pytest.mark.parametrize("role, expected", [(role, 200) for role in ROLES] + [("outsider", 403)])
def test_the_case_file_is_for_the_agency_and_for_supervisors(client, people, lead, role, expected):
    case_id, task = lead
    username = "outsider" if role == "outsider" else f"{role}_x"
    as_user(client, username)
    assert client.get(f"/cases/{case_id}").status_code == expected
    assert client.get(f"/cases/{case_id}/diagrams").status_code == expected
    assert client.get(f"/tasks/{task.id}").status_code == expected


@pytest.mark.parametrize("role", ["reviewer", "head", "admin", "designer", "supervisor", "outsider"])
def test_a_handlers_task_cannot_be_completed_by_another_role(client, world, people, lead, role):
    case_id, task = lead
    token = as_user(client, "outsider" if role == "outsider" else f"{role}_x")
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": "x", "recommendation": "file"})
    assert response.status_code == 403
    assert world.only_task(case_id).id == task.id  # still open, nothing changed


def test_claiming_is_refused_for_the_wrong_role_and_the_task_stays_in_the_queue(client, world, people, lead):
    case_id, task = lead
    token = as_user(client, "reviewer_x")
    page = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": token}, follow_redirects=True)
    assert "应由承办人办理" in page.get_data(as_text=True)
    assert world.only_task(case_id).assignee_id is None


def test_anonymous_visitors_see_only_the_login_and_the_public_pages(client, lead):
    case_id, task = lead
    for path in ("/inbox", "/cases/new", f"/cases/{case_id}", f"/tasks/{task.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert client.get(f"/cases/{case_id}/diagrams").status_code == 401
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get("/public/decisions").status_code == 200


def test_every_post_without_a_csrf_token_is_refused(client, people, lead):
    case_id, task = lead
    as_user(client, "handler_x")
    for path in (f"/tasks/{task.id}", f"/tasks/{task.id}/claim", f"/tasks/{task.id}/unclaim", "/cases/new",
                 "/logout"):
        assert client.post(path, data={"findings": "x"}).status_code == 400, path


def test_unknown_things_are_404(client, people):
    as_user(client, "handler_x")
    for path in ("/cases/999999", "/tasks/no-such-task", "/cases/999999/documents/1", "/public/decisions/999999"):
        assert client.get(path).status_code == 404, path
