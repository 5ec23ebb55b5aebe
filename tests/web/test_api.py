"""The JSON API as integrations use it: bearer tokens, status codes, field errors."""
from __future__ import annotations

import pytest

from .conftest import csrf_from, login

LEAD = {"source": "patrol", "summary": "巡查发现夜间施工噪声扰民", "location": "滨河路",
        "party": {"name": "东城建工集团有限公司", "kind": "organisation", "id_number": "91330100MA27Q8R9XF",
                  "address": "东城县工业园区 3 号"},
        "discovered_at": "2026-03-01T22:00:00+08:00"}


def test_every_api_route_needs_a_login(client):
    for method, path in [("get", "/api/v1/tasks"), ("get", "/api/v1/cases/1"), ("post", "/api/v1/cases"),
                         ("post", "/api/v1/tasks/x/claim"), ("post", "/api/v1/tasks/x/complete")]:
        response = getattr(client, method)(path, json={})
        assert response.status_code == 401, path
        assert response.json["error"]["code"] == "unauthorized"


def test_a_bad_token_is_refused(client):
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_register_list_claim_and_complete_through_the_api(client, staff, token_for):
    handler = token_for("handler1")
    created = client.post("/api/v1/cases", json=LEAD, headers=handler)
    assert created.status_code == 201
    case = created.json
    assert case["number"].startswith("东城综执案〔2026〕") and case["status"] == "open"
    assert case["party"] == LEAD["party"]
    assert [t["name"] for t in case["tasks"]] == ["lead_check"]

    listed = client.get("/api/v1/tasks", headers=handler).json["tasks"]
    assert [(t["case_id"], t["title"], t["form_key"]) for t in listed] == [(case["id"], "案源初查", "lead_check")]
    task_id = listed[0]["id"]
    assert set(listed[0]) >= {"id", "case_id", "case_number", "name", "title", "form_key", "assignee",
                              "created_at", "due_at"}

    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=handler)
    assert claimed.status_code == 200 and claimed.json["assignee"] == "handler1"
    assert client.post(f"/api/v1/tasks/{task_id}/complete", json={"recommendation": "file"},
                       headers=token_for("handler2")).status_code == 403

    bad = client.post(f"/api/v1/tasks/{task_id}/complete", json={"recommendation": "file"}, headers=handler)
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"findings": ["此项为必填项。"]}

    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"findings": "属实", "recommendation": "file"},
                       headers=handler)
    assert done.status_code == 200
    assert [t["name"] for t in done.json["tasks"]] == ["filing_approval"]
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"findings": "属实", "recommendation": "file"},
                        headers=handler)
    assert again.status_code == 409 and again.json["error"]["code"] == "task_not_open"


@pytest.mark.parametrize("change, field", [
    ({"party": {"name": "张三", "kind": "person", "id_number": "330102198503150011"}}, "party.id_number"),
    ({"party": {"name": "张三", "kind": "alien"}}, "party.kind"),
    ({"source": "rumour"}, "source"),
    ({"discovered_at": "yesterday"}, "discovered_at"),
    ({"summary": ""}, "summary"),
])
def test_registration_errors_name_the_field(client, staff, token_for, change, field):
    response = client.post("/api/v1/cases", json={**LEAD, **change}, headers=token_for("handler1"))
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_missing_party_and_non_json_bodies_are_422(client, staff, token_for):
    headers = token_for("handler1")
    no_party = {key: value for key, value in LEAD.items() if key != "party"}
    assert client.post("/api/v1/cases", json=no_party, headers=headers).json["error"]["fields"] == {
        "party": ["应为包含 name、kind、id_number 的对象。"]}
    assert client.post("/api/v1/cases", data="not json", headers=headers).status_code == 422


def test_roles_and_agencies_are_enforced(client, world, staff, token_for):
    assert client.post("/api/v1/cases", json=LEAD, headers=token_for("reviewer1")).status_code == 403
    case_id = client.post("/api/v1/cases", json=LEAD, headers=token_for("handler1")).json["id"]
    other = world.agency(code="xiwan", name="西湾街道综合行政执法队", prefix="西湾综执案")
    world.user("xiwan1", "handler", agency_id=other)
    assert client.get(f"/api/v1/cases/{case_id}", headers=token_for("xiwan1")).status_code == 403
    assert client.get("/api/v1/cases/999999", headers=token_for("handler1")).status_code == 404
    assert client.post("/api/v1/tasks/no-such-task/claim", headers=token_for("handler1")).status_code == 404


def test_session_api_calls_need_the_csrf_header(client, staff):
    login(client, "handler1")
    refused = client.post("/api/v1/cases", json=LEAD)
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]["message"]
    token = csrf_from(client.get("/cases/new").get_data(as_text=True))
    assert client.post("/api/v1/cases", json=LEAD, headers={"X-CSRFToken": token}).status_code == 201


def test_form_definitions_are_served_as_json(client, staff, token_for):
    form = client.get("/api/v1/forms/lead_check", headers=token_for("handler1")).json
    assert form["key"] == "lead_check"
    recommendation = next(f for f in form["fields"] if f["name"] == "recommendation")
    assert recommendation["required"] is True
    assert recommendation["choices"][:2] == [{"value": "file", "label": "建议立案"},
                                             {"value": "not_file", "label": "建议不予立案"}]
    assert client.get("/api/v1/forms/nope", headers=token_for("handler1")).status_code == 404


def test_a_message_the_case_cannot_take_yet_is_refused_with_the_reason(client, staff, token_for):
    headers = token_for("handler1")
    case_id = client.post("/api/v1/cases", json=LEAD, headers=headers).json["id"]
    response = client.post(f"/api/v1/cases/{case_id}/messages/reconsideration_filed",
                           json={"received_on": "2026-03-02", "applicant": "东城建工集团有限公司"}, headers=headers)
    assert response.status_code == 409 and "尚未作出行政处罚决定" in response.json["error"]["message"]
    unknown = client.post(f"/api/v1/cases/{case_id}/messages/nobody_waits", json={}, headers=headers)
    assert unknown.status_code == 403 and "只有系统管理员" in unknown.json["error"]["message"]
