"""Dates out of the case's chronology are refused on the pages and by the API as field errors, with the typed
values kept and nothing saved; a late registration is accepted with a warning the user sees."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.services import tasks
from engine.store.models import Case, HumanTask

from .conftest import csrf_from, login

LEAD = {"source": "patrol", "summary": "巡查发现占道经营", "party_name": "周某某", "party_kind": "person",
        "party_id_number": "330102198503150010", "location": "人民路"}
DECISION = {"decision": "penalty", "penalty_kind": "warning", "decision_text": "警告"}


def cases_saved(world) -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count(Case.id)))


def register_on_page(client, discovered_at: str):
    token = csrf_from(client.get("/cases/new").get_data(as_text=True))
    return client.post("/cases/new", data={**LEAD, "discovered_at": discovered_at, "csrf_token": token})


def decision_task(world, staff) -> str:
    """A case (discovered 2026-03-01 10:00) waiting for its decision, on the engine-test process."""
    case_id = world.register(staff["handler1"])
    for username, data in (("handler1", {"findings": "属实", "recommendation": "file"}),
                           ("head1", {"approval": "approve", "approval_opinion": "同意"}),
                           ("handler2", {"facts": "占道经营", "evidence_summary": "照片", "legal_basis": "条例",
                                         "proposed_penalty": "warning"})):
        tasks.complete_task(task_id=world.only_task(case_id).id, data=data, actor=staff[username],
                            **world.deps(runner=True))
    return world.only_task(case_id).id


def test_a_future_discovery_is_refused_on_the_page_with_the_typed_values_kept(client, world, staff):
    login(client, "handler1")
    response = register_on_page(client, "2030-01-01T10:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "发现（收到）时间 2030-01-01 10:00 晚于当前时间 2026-03-02 09:00" in html
    assert 'value="2030-01-01T10:00"' in html and "巡查发现占道经营" in html  # what was typed stays
    assert cases_saved(world) == 0


def test_a_future_discovery_is_refused_by_the_api(client, world, staff, token_for):
    body = {**{k: v for k, v in LEAD.items() if not k.startswith("party_")},
            "party": {"name": "周某某", "kind": "person"}, "discovered_at": "2030-01-01T10:00:00+08:00"}
    response = client.post("/api/v1/cases", json=body, headers=token_for("handler1"))
    assert response.status_code == 422
    assert "晚于当前时间" in response.json["error"]["fields"]["discovered_at"][0]
    assert cases_saved(world) == 0


def test_a_late_registration_is_accepted_with_a_warning_shown_to_the_user(client, world, staff):
    login(client, "handler1")
    response = register_on_page(client, "2026-02-02T10:00")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "案源已登记" in page
    assert 'class="flash warning"' in page and "立案审查期限已于 2026-02-28 届满" in page
    assert page.count("距今已超过15个工作日") == 2  # the message, and the full-process record on the case page


def test_the_api_says_when_a_registration_is_late(client, world, staff, token_for):
    body = {"source": "patrol", "summary": "s", "party": {"name": "周某某", "kind": "person"},
            "discovered_at": "2026-02-02T10:00:00+08:00"}
    created = client.post("/api/v1/cases", json=body, headers=token_for("handler1"))
    assert created.status_code == 201 and "2026-02-28 届满" in created.json["warnings"][0]
    on_time = client.post("/api/v1/cases", json={**body, "discovered_at": "2026-03-01T10:00:00+08:00"},
                          headers=token_for("handler1"))
    assert on_time.status_code == 201 and on_time.json["warnings"] == []


def test_a_decision_before_the_discovery_is_refused_inline_and_nothing_is_saved(client, world, staff):
    task_id = decision_task(world, staff)
    login(client, "head1")
    token = csrf_from(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    response = client.post(f"/tasks/{task_id}", data={**DECISION, "decision_date": "2026-02-27",
                                                      "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "决定日期 2026-02-27 早于发现（收到）时间 2026-03-01 10:00" in html
    assert 'value="2026-02-27"' in html  # what was typed stays in the field
    assert world.only_task(_case_of(world, task_id)).id == task_id  # still open: nothing was saved


def test_a_date_in_year_9999_is_a_422_field_error_not_a_server_error(client, world, staff, token_for):
    task_id = decision_task(world, staff)
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={**DECISION, "decision_date": "9999-01-01"},
                           headers=token_for("head1"))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"decision_date": ["日期应在 1900 年至 2100 年之间，请核对年份。"]}
    money = client.post(f"/api/v1/tasks/{task_id}/complete", headers=token_for("head1"), json={
        **DECISION, "penalty_kind": "fine", "fine_amount": 150.555, "decision_date": "2026-03-02"})
    assert money.status_code == 422
    assert money.json["error"]["fields"] == {"fine_amount": ["金额最多保留两位小数（分）。"]}


def _case_of(world, task_id: str) -> int:
    with world.uow() as uow:
        return uow.session.get(HumanTask, task_id).case_id


def test_a_message_dated_9999_is_a_422_field_error(client, world, staff, token_for):
    case_id = world.register(staff["handler1"])
    response = client.post(f"/api/v1/cases/{case_id}/messages/reconsideration_filed", headers=token_for("handler1"),
                           json={"received_on": "9999-01-01", "applicant": "周某某"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"received_on": ["日期应在 1900 年至 2100 年之间，请核对年份。"]}
