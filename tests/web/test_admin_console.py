"""The admin and supervision console in the browser's place (Flask client): who may see and do what, the
dashboard and the API finding each kind of trouble, and the fixes made from the pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.scheduler import tick
from engine.services import bulk
from engine.services.views import timeline
from engine.store.models import Certificate, ProcessInstance
from tests.trouble import open_task_named, troubled_world

from .conftest import csrf_from, login

OTHER_ROLES = ["handler", "reviewer", "head", "designer"]


@pytest.fixture
def setting(world, staff):
    staff["supervisor1"] = world.user("supervisor1", "supervisor")
    for role in OTHER_ROLES:
        staff[f"{role}_x"] = world.user(f"{role}_x", role)
    trouble = troubled_world(world, staff)
    operation = bulk.create_bulk(action="retry", targets=[str(trouble.failing_instance)], reason="准备",
                                 actor=staff["admin1"], **world.deps())
    with world.uow() as uow:
        certificate = uow.session.scalar(select(Certificate.id).order_by(Certificate.id).limit(1))
    task = open_task_named(world, trouble.quiet, "lead_check")
    return {"trouble": trouble, "operation": operation, "certificate": certificate, "task": task.id}


def as_user(client, username: str) -> str:
    client.get("/logout")
    login(client, username)
    return csrf_from(client.get("/inbox").get_data(as_text=True))


def get_routes(s, staff) -> list[str]:
    t = s["trouble"]
    return ["/admin/", "/admin/cases?state=error", "/admin/cases?state=stuck", f"/admin/cases/{t.quiet}",
            "/admin/bulk", f"/admin/bulk/{s['operation']}", f"/admin/bulk/{s['operation']}.json", "/admin/people",
            f"/admin/people/{staff['handler1'].user_id}", "/admin/agencies", "/admin/calendar", "/admin/reviews",
            f"/admin/reviews/{t.quiet}", "/admin/statistics", "/admin/statistics/report.xlsx?year=2026",
            "/admin/statistics/report.csv?year=2026", "/admin/audit"]


ADMIN_ONLY_PAGES = ["/admin/people/new", "/admin/tasks/{task}/skip"]


def post_routes(s, staff) -> list[str]:
    t, user = s["trouble"], staff["handler1"].user_id
    return [f"/admin/instances/{t.failing_instance}/retry", f"/admin/instances/{t.quiet_instance}/suspend",
            f"/admin/instances/{t.quiet_instance}/fire", f"/admin/instances/{t.quiet_instance}/rerun",
            f"/admin/tasks/{s['task']}/reassign", f"/admin/tasks/{s['task']}/skip",
            f"/admin/cases/{t.quiet}/deadlines/filing_15wd/extend", "/admin/bulk",
            f"/admin/bulk/{s['operation']}/cancel", "/admin/people/new", f"/admin/people/{user}/edit",
            f"/admin/people/{user}/active", f"/admin/people/{user}/password", f"/admin/people/{user}/certificates",
            f"/admin/people/{user}/certificates/{s['certificate']}", "/admin/agencies", "/admin/calendar",
            "/admin/calendar/2027/confirm"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_everyone_else_gets_403_on_every_console_route(client, staff, setting, role):
    token = as_user(client, f"{role}_x")
    pages = get_routes(setting, staff) + [p.format(task=setting["task"]) for p in ADMIN_ONLY_PAGES] + [
        "/api/v1/admin/cases?state=error", "/metrics"]
    for path in pages:
        assert client.get(path).status_code == 403, path
    for path in post_routes(setting, staff) + [f"/admin/reviews/{setting['trouble'].quiet}", "/admin/audit/verify"]:
        assert client.post(path, data={"csrf_token": token, "reason": "x"}).status_code == 403, path
    assert "管理与监督" not in client.get("/inbox").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login(client, staff, setting):
    for path in get_routes(setting, staff):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert client.get("/api/v1/admin/cases?state=error").status_code == 401
    assert client.get("/metrics").status_code == 401


def test_supervisors_read_everything_and_change_nothing_but_reviews(client, world, staff, setting):
    token = as_user(client, "supervisor1")
    for path in get_routes(setting, staff):
        assert client.get(path).status_code == 200, path
    for path in ADMIN_ONLY_PAGES:
        assert client.get(path.format(task=setting["task"])).status_code == 403
    before = len(timeline_of(world, setting["trouble"].failing))
    for path in post_routes(setting, staff):
        assert client.post(path, data={"csrf_token": token, "reason": "x", "action": "retry",
                                       "target": "1"}).status_code == 403, path
    assert len(timeline_of(world, setting["trouble"].failing)) == before
    assert "管理与监督" in client.get("/inbox").get_data(as_text=True)
    page = client.get(f"/admin/cases/{setting['trouble'].failing}").get_data(as_text=True)
    assert "division by zero" in page and "/retry" not in page  # sees the error, no action forms


def timeline_of(world, case_id):
    with world.uow() as uow:
        return timeline(uow.session, case_id)


def test_the_dashboard_shows_each_kind_of_trouble(client, world, staff, setting):
    t = setting["trouble"]
    as_user(client, "admin1")
    page = client.get("/admin/").get_data(as_text=True)
    numbers = case_numbers(world, t)
    errors = section(page, "errors")
    assert numbers["failing"] in errors and "compute" in errors and "ZeroDivisionError" in errors
    assert numbers["quiet"] in section(page, "overdue")
    stuck = section(page, "stuck")
    for name in ("quiet", "referred"):
        assert numbers[name] in stuck
    assert "反馈期限" in stuck and "没有任何调度器在运行" in section(page, "scheduler")
    assert 'id="chart-data"' in page and "vendor/echarts/echarts.common.min.js" in page
    listing = client.get("/admin/cases?state=stuck&kind=referral_unanswered").get_data(as_text=True)
    assert numbers["referred"] in listing and numbers["quiet"] not in listing


def case_numbers(world, t) -> dict[str, str]:
    from engine.store.models import Case

    with world.uow() as uow:
        return {name: uow.session.get(Case, getattr(t, name)).number for name in ("quiet", "failing", "referred")}


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section class="card" id="{anchor}">(.*?)</section>', page, re.S)
    assert match, anchor
    return match.group(1)


def test_the_api_lists_troubled_cases_for_integrations(client, world, staff, setting, token_for):
    t = setting["trouble"]
    headers = token_for("supervisor1")
    errors = client.get("/api/v1/admin/cases?state=error", headers=headers).get_json()
    [item] = errors["items"]
    assert item["kind"] == "error" and item["case"]["id"] == t.failing and item["element"] == "compute"
    assert errors["totals"] == {"error": 1}
    stuck = client.get("/api/v1/admin/cases?state=stuck", headers=headers).get_json()
    assert set(stuck["totals"]) == {"no_progress", "timer_unfired", "referral_unanswered", "task_unclaimed"}
    assert {i["case"]["id"] for i in stuck["items"] if i["kind"] == "referral_unanswered"} == {t.referred}
    overdue = client.get("/api/v1/admin/cases?state=overdue&limit=1", headers=headers).get_json()
    assert len(overdue["items"]) == 1 and overdue["totals"]["overdue"] >= 2
    assert client.get("/api/v1/admin/cases?state=due_soon", headers=headers).status_code == 200
    bad = client.get("/api/v1/admin/cases?state=everything", headers=headers)
    assert bad.status_code == 422 and "state" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/admin/cases?state=error", headers=token_for("head1")).status_code == 403


def test_fixes_from_the_pages_need_a_reason_and_are_recorded(client, world, staff, setting):
    t = setting["trouble"]
    token = as_user(client, "admin1")
    refused = client.post(f"/admin/instances/{t.failing_instance}/retry",
                          data={"csrf_token": token, "case_id": t.failing, "reason": " "}, follow_redirects=True)
    assert "请填写理由" in refused.get_data(as_text=True)
    assert status_of(world, t.failing_instance) == "error"
    done = client.post(f"/admin/instances/{t.failing_instance}/retry",
                       data={"csrf_token": token, "case_id": t.failing, "reason": "脚本已修复"}, follow_redirects=True)
    assert "已重试出错的流程" in done.get_data(as_text=True) and status_of(world, t.failing_instance) == "waiting"
    client.post(f"/admin/instances/{t.quiet_instance}/fire", data={"csrf_token": token, "reason": "补触发"})
    client.post(f"/admin/tasks/{setting['task']}/reassign",
                data={"csrf_token": token, "assignee_id": staff["handler2"].user_id, "reason": "调整承办人"})
    client.post(f"/admin/cases/{t.quiet}/deadlines/filing_15wd/extend",
                data={"csrf_token": token, "period": "10", "approver_id": staff["head1"].user_id,
                      "approval_ref": "延期审批表 2026-03-25", "reason": "需要鉴定"})
    actions = [r["action"] for r in timeline_of(world, t.quiet)]
    for action in ("timers_fired_manually", "task_assigned", "deadline_extended"):
        assert action in actions
    api = client.get("/api/v1/admin/cases?state=stuck").get_json()
    assert t.quiet not in {i["case"]["id"] for i in api["items"] if i["kind"] in ("timer_unfired", "task_unclaimed")}


def status_of(world, instance_id):
    with world.uow() as uow:
        return uow.session.get(ProcessInstance, instance_id).status


def test_skipping_a_step_from_its_page(client, world, staff, setting):
    t = setting["trouble"]
    task = open_task_named(world, t.failing, "lead_check")
    token = as_user(client, "admin1")
    form = client.get(f"/admin/tasks/{task.id}/skip").get_data(as_text=True)
    assert 'name="recommendation"' in form and 'name="reason"' in form
    failed = client.post(f"/admin/tasks/{task.id}/skip", data={"csrf_token": token, "reason": "跳过",
                                                               "recommendation": "file"})
    assert failed.status_code == 409 and "未作任何更改" in failed.get_data(as_text=True)
    invalid = client.post(f"/admin/tasks/{task.id}/skip", data={"csrf_token": token, "reason": "跳过",
                                                                "recommendation": "nonsense"})
    assert invalid.status_code == 422
    done = client.post(f"/admin/tasks/{task.id}/skip", data={"csrf_token": token, "reason": "线索不实",
                                                             "recommendation": "not_file", "not_file_reason": "不实"})
    assert done.status_code == 302 and world.only_task(t.failing).name == "investigation_report"


def test_a_bulk_action_from_a_list_shows_its_progress(client, world, staff, setting):
    t = setting["trouble"]
    token = as_user(client, "admin1")
    created = client.post("/admin/bulk", data={"csrf_token": token, "action": "suspend", "reason": "集中送检鉴定",
                                               "target": [str(t.quiet_instance), str(t.referral_instance)]})
    assert created.status_code == 302
    page_url = created.headers["Location"]
    operation_id = int(page_url.rsplit("/", 1)[1])
    page = client.get(page_url).get_data(as_text=True)
    assert "data-progress-url" in page and "待处理" in page and "没有调度器在运行" in page
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="w1")
    progress = client.get(f"/admin/bulk/{operation_id}.json").get_json()
    assert progress["status"] == "done" and progress["ok"] == 2 and progress["percent"] == 100
    assert [status_of(world, i) for i in (t.quiet_instance, t.referral_instance)] == ["suspended", "suspended"]
    missing = client.post("/admin/bulk", data={"csrf_token": token, "action": "resume", "reason": "x"},
                          follow_redirects=True)
    assert "请至少选择一项" in missing.get_data(as_text=True)


def test_the_console_speaks_english_on_request(client, staff, setting):
    as_user(client, "admin1")
    client.get("/language/en?next=/admin/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Monitor" in page and "Engine errors" in page and "Troubled cases" in page and "运行监控" not in page
    assert "Annual enforcement statistics report" in client.get("/admin/statistics").get_data(as_text=True)
