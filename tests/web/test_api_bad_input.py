"""A careless or hostile client gets a 4xx naming the field, never a 500: the eight causes the issue-14 fuzzing
found, each on SQLite and on PostgreSQL (where NUL bytes and integer overflow used to fail in the database)."""
from __future__ import annotations

import pytest

from tests.conftest import START

from .conftest import login

LEAD = {"source": "patrol", "summary": "巡查发现占道经营", "location": "人民路 88 号",
        "party": {"name": "周某某", "kind": "person", "id_number": "330102198503150010"},
        "discovered_at": "2026-03-01T10:00:00+08:00"}
TOO_BIG = 2**31  # one past PostgreSQL's INTEGER
HUGE = 10**20  # past any 64-bit integer


def refused(response, field: str, status: int = 422) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert field in error.get("fields", {}), error
    return error


@pytest.mark.parametrize("path, field", [
    (f"/api/v1/cases/{TOO_BIG}", "case_id"),
    (f"/api/v1/cases/{HUGE}/timeline", "case_id"),
    (f"/api/v1/cases/{HUGE}/documents", "case_id"),
    (f"/api/v1/process-drafts/{HUGE}", "draft_id"),
    (f"/api/v1/migration-jobs/{TOO_BIG}", "job_id"),
    (f"/api/v1/process-definitions/case_lead/versions/{HUGE}.bpmn", "version"),
    (f"/api/v1/tasks?limit=5&offset={HUGE}", "offset"),
    (f"/api/v1/tasks?limit={HUGE}", "limit"),
    (f"/api/v1/cases?offset={HUGE}", "offset"),
    (f"/api/v1/admin/cases?state=error&agency={HUGE}", "agency"),
    (f"/api/v1/admin/cases?state=stuck&offset={TOO_BIG}", "offset"),
    (f"/api/v1/process-definitions/case_lead/diff?from=1&to={HUGE}", "to"),
])
def test_integers_beyond_the_database_range_are_a_field_error(client, staff, token_for, path, field):
    refused(client.get(path, headers=token_for("admin1")), field)


def test_an_id_beyond_the_range_in_a_write_is_refused_before_anything_runs(client, staff, token_for):
    headers = token_for("admin1")
    refused(client.post(f"/api/v1/instances/{HUGE}/suspend", json={"reason": "x"}, headers=headers), "instance_id")
    refused(client.post("/api/v1/migration-jobs", json={"process_id": "case_lead", "instance_ids": [HUGE]},
                        headers=headers), "instance_ids.0")


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_refused(client, staff, token_for, depth):
    body = "[" * depth + "]" * depth
    nested = '{"findings": ' + body + "}"
    response = client.post("/api/v1/tasks/x/complete", data=nested, content_type="application/json",
                           headers=token_for("handler1"))
    error = refused(response, "findings" if depth < 1000 else "_schema")  # 100,000 deep: Python's own limit
    assert "嵌套" in str(error["fields"])


@pytest.mark.parametrize("action", ["suspend", "resume", "cancel"])
def test_a_reason_that_is_not_text_is_a_field_error(client, world, staff, token_for, action):
    case_id = world.register(staff["handler1"])
    instance_id = client.get(f"/api/v1/cases/{case_id}", headers=token_for("admin1")).json["instances"][0]["id"]
    response = client.post(f"/api/v1/instances/{instance_id}/{action}", json={"reason": 1},
                           headers=token_for("admin1"))
    assert refused(response, "reason")["fields"]["reason"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=token_for("admin1")).json["instances"][0]["status"] \
        != "cancelled"


def test_a_lone_surrogate_is_refused_wherever_it_is(client, staff, token_for):
    headers = token_for("handler1")
    raw = '{"source": "patrol", "summary": "\\ud800", "discovered_at": "2026-03-01T10:00:00+08:00", ' \
          '"party": {"name": "周某某", "kind": "person"}}'
    refused(client.post("/api/v1/cases", data=raw, content_type="application/json", headers=headers), "summary")
    refused(client.post("/api/v1/tasks/x/complete", data='{"findings": {"\\udfff": 1}}',
                        content_type="application/json", headers=headers), "findings")


def test_a_nul_byte_in_a_body_a_path_or_a_query_is_refused(client, staff, token_for):
    headers = token_for("handler1")
    refused(client.post("/api/v1/cases", json={**LEAD, "summary": "占道\x00经营"}, headers=headers), "summary")
    refused(client.post("/api/v1/cases", json={**LEAD, "party": {**LEAD["party"], "name": "周\x00"}},
                        headers=headers), "party.name")
    refused(client.get("/api/v1/forms/lead%00check", headers=headers), "form_key")
    refused(client.post("/api/v1/tasks/abc%00/claim", headers=headers), "task_id")
    refused(client.get("/api/v1/cases?q=%E5%91%A8%00", headers=headers), "q")
    refused(client.get("/api/v1/tasks?limit=5&offset=1%00", headers=headers), "offset")
    assert client.get("/api/v1/cases?q=%E5%91%A8", headers=headers).status_code == 200


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                                    "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_a_moment_in_year_9999_or_0001_is_a_field_error(client, staff, token_for, moment):
    response = client.post("/api/v1/cases", json={**LEAD, "discovered_at": moment}, headers=token_for("handler1"))
    refused(response, "discovered_at")


@pytest.mark.parametrize("query, field", [("from=0001-01-01", "from"), ("to=9999-12-31", "to"),
                                          ("from=0001-01-01&to=9999-12-31", "from")])
def test_case_list_dates_at_the_ends_of_the_calendar_are_a_field_error(client, staff, token_for, query, field):
    refused(client.get(f"/api/v1/cases?{query}", headers=token_for("head1")), field)


def test_a_boolean_target_version_is_a_field_error(client, world, token_for):
    world.user("designer1", "designer")
    headers = token_for("designer1")
    refused(client.post("/api/v1/migration-jobs", json={"process_id": "case_lead", "target_version": True},
                        headers=headers), "target_version")
    refused(client.post("/api/v1/process-definitions/case_lead/migration/dry-run", json={"target_version": False},
                        headers=headers), "target_version")
    refused(client.post("/api/v1/process-drafts", json={"process_id": "case_lead", "version": True},
                        headers=headers), "version")


def test_a_process_id_over_100_characters_is_a_field_error(client, world, token_for):
    world.user("designer1", "designer")
    headers, long_id = token_for("designer1"), "p" * 101
    refused(client.post("/api/v1/process-drafts", json={"process_id": long_id, "name": "x", "new": True},
                        headers=headers), "process_id")
    refused(client.post("/api/v1/migration-jobs", json={"process_id": long_id}, headers=headers), "process_id")
    refused(client.get(f"/api/v1/process-definitions/{long_id}", headers=headers), "process_id")
    refused(client.post(f"/api/v1/process-definitions/{long_id}/migration/dry-run", json={}, headers=headers),
            "process_id")


def test_the_inbox_search_with_a_nul_byte_is_a_search_not_a_500(client, world, staff):
    world.register(staff["handler1"], party_name="周某某")
    login(client, "handler1")
    page = client.get("/inbox?q=%E5%91%A8%00%E6%9F%90&stage=%00&page=" + str(HUGE))
    assert page.status_code == 200
    assert "周某某" in page.get_data(as_text=True)


def test_start_is_a_fixed_moment():
    assert START.year == 2026  # the dates above are relative to the suite's frozen clock, never to today
