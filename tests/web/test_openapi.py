"""/api/v1/openapi.json describes every API route from the schemas that validate it; /api/v1/reference shows it
with Swagger UI served by the app itself."""
from __future__ import annotations

import re

import schemathesis

from .conftest import login


def test_the_document_lists_every_api_route_with_its_bodies_and_errors(client, app):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.json["openapi"].startswith("3.")
    spec = document.json
    routes = {(method.lower(), re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    routes -= {("get", "/api/v1/openapi.json"), ("get", "/api/v1/reference")}
    documented = {(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert routes == documented

    register = spec["paths"]["/api/v1/cases"]["post"]
    body = spec["components"]["schemas"]["RegisterCaseBody"]
    assert register["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/RegisterCaseBody")
    assert set(body["required"]) == {"source", "summary", "discovered_at", "party"}
    assert register["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Case")
    assert register["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    error = spec["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "message", "fields"} <= set(error)

    suspend = spec["paths"]["/api/v1/instances/{instance_id}/{action}"]
    instance_id = next(p for p in suspend["parameters"] if p["name"] == "instance_id")
    assert instance_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    deploy = spec["paths"]["/api/v1/process-drafts/{draft_id}/deploy"]["post"]["responses"]
    assert {"200", "201", "409"} <= set(deploy)  # 200: that content is deployed already; 409: a stale lock_version
    tasks = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    assert tasks["limit"]["maximum"] == 1000


def test_what_the_document_says_is_what_the_route_checks(client, staff, token_for):
    """The schema that documents `period` is the one that refuses a text where a number belongs."""
    spec = client.get("/api/v1/openapi.json").json
    period = spec["components"]["schemas"]["ExtendDeadlineBody"]["properties"]["period"]
    assert period["type"] == "integer"
    refused = client.post("/api/v1/cases/1/deadlines/decision_90d/extend", json={"period": "30", "reason": "x"},
                          headers=token_for("head1"))
    assert refused.status_code == 422 and refused.json["error"]["fields"]["period"] == ["应为整数。"]


def test_the_reference_page_is_served_from_the_app_and_linked_from_the_console(client, staff):
    page = client.get("/api/v1/reference")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "接口文档" in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/static/' in attributes for attributes in scripts)  # no inline script
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from a CDN
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset

    login(client, "admin1")
    console = client.get("/admin/").get_data(as_text=True)
    assert 'href="/api/v1/reference"' in console


def test_a_designers_answers_match_the_document(client, app, world, staff, token_for):
    """Drafts and migration jobs, as the designer page uses them, answer what the document says (the fuzzer's
    roles rarely get this far)."""
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    world.user("designer1", "designer")
    world.register(staff["handler1"])  # a running instance to migrate
    headers = token_for("designer1")

    def answer(method: str, path: str, template: str, status: int, **request):
        response = getattr(client, method)(path, headers=headers, **request)
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        document[template][method.upper()].validate_response(response)
        return response.get_json()

    draft = answer("post", "/api/v1/process-drafts", "/api/v1/process-drafts", 201, json={"process_id": "case_lead"})
    one = "/api/v1/process-drafts/{draft_id}"
    answer("get", f"/api/v1/process-drafts/{draft['id']}", one, 200)
    saved = answer("put", f"/api/v1/process-drafts/{draft['id']}", one, 200,
                   json={"xml": draft["bpmn_xml"].replace("案源初查", "案源核查"), "lock_version": draft["lock_version"]})
    answer("post", f"/api/v1/process-drafts/{draft['id']}/deploy", one + "/deploy", 201,
           json={"lock_version": saved["lock_version"], "comment": "改名"})
    job = answer("post", "/api/v1/migration-jobs", "/api/v1/migration-jobs", 202, json={"process_id": "case_lead"})
    answer("get", f"/api/v1/migration-jobs/{job['id']}", "/api/v1/migration-jobs/{job_id}", 200)
