"""The designer through HTTP: deploy API (201 / 422 naming every problem / 403), drafts, import and export of
files from other tools, pages by role, and migration after a dry run with a job a scheduler tick works."""
from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from engine.scheduler import tick
from engine.specs.bpmn_xml import element_ids
from engine.store.models import ProcessDefinition
from tests.integration.test_designer import V1, with_site_visit
from tests.unit.test_bpmn_interop import FILES as MIWG_MODELS

from .conftest import csrf_from, login

BAD_UPLOADS = {
    "malformed_xml": (b"<bpmn:definitions><unclosed>", None, "XML"),
    "not_bpmn": (b"<note><to>x</to></note>", None, "不是 BPMN 2.0 文件"),
    "unsupported_element": (V1.replace('<bpmn:exclusiveGateway id="escalation_outcome" name="是否延长" default="flow_no_extension">',
                                       '<bpmn:complexGateway id="escalation_outcome" name="是否延长" default="flow_no_extension">')
                            .replace("</bpmn:exclusiveGateway>\n    <bpmn:scriptTask id=\"extend_decision_clock\"",
                                     "</bpmn:complexGateway>\n    <bpmn:scriptTask id=\"extend_decision_clock\"").encode(),
                            "escalation_outcome", "复杂网关"),
    "unquoted_timer": (V1.replace('<bpmn:timeDate>deadline_warning("filing_15wd")</bpmn:timeDate>',
                                  "<bpmn:timeDuration>P2D</bpmn:timeDuration>").encode(), "filing_warning", "没有加引号"),
    "condition_calls_import": (V1.replace('recommendation == "file"', "__import__('os').getcwd() == '/'").encode(),
                               "flow_recommend_file", "__import__"),
    "user_task_without_form": (V1.replace(' camunda:formKey="filing_approval"', "").encode(), "filing_approval",
                               "没有表单"),
}


@pytest.fixture
def designer_user(world):
    return world.user("designer1", "designer")


def versions(world, process_id="case_lead") -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count(ProcessDefinition.id)).where(
            ProcessDefinition.process_id == process_id))


def upload(client, headers, data: bytes, name="case_lead.bpmn", comment=None):
    form = {"file": (io.BytesIO(data), name)}
    if comment:
        form["comment"] = comment
    return client.post("/api/v1/process-definitions", data=form, headers=headers, content_type="multipart/form-data")


def test_deploy_api_answers_201_with_the_new_version(client, designer_user, token_for, world):
    headers = token_for("designer1")
    response = upload(client, headers, with_site_visit(V1).encode(), comment="增加现场核查")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["process_id"], body["version"]) == ("case_lead", 2) and isinstance(body["id"], int)
    listing = client.get("/api/v1/process-definitions", headers=headers).get_json()["processes"]
    case_lead = next(p for p in listing if p["process_id"] == "case_lead")
    assert [(v["version"], v["comment"], v["deployed_by"]) for v in case_lead["versions"]] == \
        [(2, "增加现场核查", "designer1"), (1, None, "系统（流程库加载）")]
    assert upload(client, headers, with_site_visit(V1).encode()).status_code == 200  # same content: no new version


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_422_naming_the_problem_and_nothing_is_deployed(client, designer_user, token_for, world, case):
    data, element_id, words = BAD_UPLOADS[case]
    before = versions(world)
    response = upload(client, token_for("designer1"), data)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_definition" and error["message"]
    assert any(words in problem["message"] and problem["element_id"] == element_id for problem in error["problems"]), \
        error["problems"]
    assert all(set(problem) >= {"element_id", "message"} for problem in error["problems"])
    assert versions(world) == before


def test_only_designers_and_admins_deploy(client, staff, designer_user, token_for, world):
    assert upload(client, token_for("handler1"), with_site_visit(V1).encode()).status_code == 403
    assert client.post("/api/v1/process-definitions").status_code == 401
    assert upload(client, token_for("admin1"), with_site_visit(V1).encode()).status_code == 201
    assert versions(world) == 2


def test_the_forms_list_feeds_the_designer(client, staff, token_for):
    forms = client.get("/api/v1/forms", headers=token_for("handler1")).get_json()["forms"]
    assert {"key": "lead_check", "title": "案源初查"}.items() <= next(f for f in forms if f["key"] == "lead_check").items()


def test_every_miwg_file_is_imported_and_exported_with_every_element_id(client, designer_user, token_for):
    headers = token_for("designer1")
    for path in MIWG_MODELS:  # tests/fixtures/miwg: the reference models of the OMG's BPMN MIWG test suite
        original = path.read_bytes()
        created = client.post("/api/v1/process-drafts", data={"file": (io.BytesIO(original), path.name)},
                              headers=headers, content_type="multipart/form-data")
        assert created.status_code == 201, (path.name, created.get_json())
        draft = created.get_json()
        exported = client.get(f"/api/v1/process-drafts/{draft['id']}/export", headers=headers)
        assert exported.status_code == 200 and exported.mimetype == "application/xml"
        assert element_ids(exported.data) == element_ids(original), path.name
        assert draft["problems"], path.name  # none of them is deployable here as it is; each says why


def test_draft_editing_through_the_api(client, designer_user, token_for, world):
    headers = token_for("designer1")
    draft = client.post("/api/v1/process-drafts", json={"process_id": "case_lead"}, headers=headers).get_json()
    assert draft["base_version"] == 1 and draft["bpmn_xml"].startswith("<?xml")
    saved = client.put(f"/api/v1/process-drafts/{draft['id']}", headers=headers,
                       json={"xml": with_site_visit(V1), "lock_version": draft["lock_version"]})
    assert saved.status_code == 200 and saved.get_json()["problems"] == []
    stale = client.put(f"/api/v1/process-drafts/{draft['id']}", headers=headers,
                       json={"xml": V1, "lock_version": draft["lock_version"]})
    assert stale.status_code == 409
    checked = client.post(f"/api/v1/process-drafts/{draft['id']}/validate", headers=headers,
                          json={"xml": V1.replace('isExecutable="true"', 'isExecutable="false"')}).get_json()
    assert checked["problems"][0]["element_id"] == "case_lead"
    no_comment = client.post(f"/api/v1/process-drafts/{draft['id']}/deploy", headers=headers, json={"comment": ""})
    assert no_comment.status_code == 422
    deployed = client.post(f"/api/v1/process-drafts/{draft['id']}/deploy", headers=headers,
                           json={"comment": "增加现场核查", "lock_version": saved.get_json()["lock_version"]})
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    assert client.get(f"/api/v1/process-drafts/{draft['id']}", headers=headers).status_code == 404
    diff = client.get("/api/v1/process-definitions/case_lead/diff?from=1&to=2", headers=headers).get_json()
    assert [e["id"] for e in diff["added"]] == ["site_visit", "flow_visited"]
    exported = client.get("/api/v1/process-definitions/case_lead/versions/2.bpmn", headers=headers)
    assert b'id="site_visit"' in exported.data


def test_designer_pages_by_role(client, staff, designer_user, world):
    login(client, "handler1")
    assert client.get("/designer/").status_code == 403
    client.post("/logout")
    login(client, "designer1")
    index = client.get("/designer/")
    assert index.status_code == 200 and "案源处理（示例流程）" in index.get_data(as_text=True)
    page = client.get("/inbox").get_data(as_text=True)
    assert 'href="/designer/"' in page
    opened = client.post("/designer/processes/case_lead/open", data={"csrf_token": csrf_from(index.get_data(as_text=True))})
    assert opened.status_code == 302 and "/designer/drafts/" in opened.headers["Location"]
    editor = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in editor and "designer-settings" in editor
    history = client.get("/designer/processes/case_lead")
    assert history.status_code == 200 and "版本历史" in history.get_data(as_text=True)


def test_import_of_a_file_that_is_not_bpmn_says_so(client, designer_user):
    login(client, "designer1")
    token = csrf_from(client.get("/designer/").get_data(as_text=True))
    response = client.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "x.bpmn")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "无法导入 x.bpmn" in response.get_data(as_text=True)


def test_migration_through_the_api_after_a_dry_run(client, staff, designer_user, token_for, world):
    case_id = world.register(staff["handler1"])
    headers = token_for("designer1")
    assert upload(client, headers, with_site_visit(V1).encode(), comment="v2").status_code == 201
    report = client.post("/api/v1/process-definitions/case_lead/migration/dry-run", json={}, headers=headers).get_json()
    [row] = report["instances"]
    assert row["case_id"] == case_id and row["can_migrate"] and report["target_version"] == 2
    assert client.post("/api/v1/migration-jobs", json={"process_id": "case_lead"},
                       headers=token_for("handler1")).status_code == 403
    started = client.post("/api/v1/migration-jobs", json={"process_id": "case_lead", "instance_ids": [row["instance_id"]]},
                          headers=headers)
    assert started.status_code == 202 and started.get_json()["status"] == "queued"
    job_id = started.get_json()["id"]
    time.sleep(0.3)  # the web process works no job: it waits on the queue for a worker's tick
    job = client.get(f"/api/v1/migration-jobs/{job_id}", headers=headers).get_json()
    assert (job["status"], job["done"]) == ("queued", 0)
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="worker-2")
    job = client.get(f"/api/v1/migration-jobs/{job_id}", headers=headers).get_json()
    assert (job["status"], job["migrated"], job["total"]) == ("done", 1, 1)
    assert [item["status"] for item in job["items"]] == ["migrated"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert [i["version"] for i in case["instances"]] == [2]


def test_an_older_version_can_be_opened_as_the_draft(client, designer_user, token_for, world):
    assert upload(client, token_for("designer1"), with_site_visit(V1).encode(), comment="v2").status_code == 201
    login(client, "designer1")
    history = client.get("/designer/processes/case_lead").get_data(as_text=True)
    assert "以此版为草稿" in history and "增加现场核查" not in history
    opened = client.post("/designer/processes/case_lead/open", data={"csrf_token": csrf_from(history), "version": "1"})
    draft_id = int(opened.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    draft = client.get(f"/api/v1/process-drafts/{draft_id}").get_json()
    assert (draft["base_version"], draft["latest_version"]) == (1, 2) and 'id="site_visit"' not in draft["bpmn_xml"]
    editor = client.get(f"/designer/drafts/{draft_id}").get_data(as_text=True)
    assert "已有更新的第 2 版" in editor
