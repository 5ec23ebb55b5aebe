"""People and the holiday table in the console, case-file review and statistics pages, the audit page, and
the operations endpoints (/healthz, /metrics, JSON logs)."""
from __future__ import annotations

import io
import json
import logging
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.audit_anchors import database_key, write_anchor
from engine.checks import certified_officers
from engine.scheduler import tick
from engine.services.views import timeline
from engine.store.models import Agency, ApiToken, Certificate, HumanTask, User
from webapp.config import audit_anchor_file
from webapp.logs import JsonFormatter

from .conftest import csrf_from, login


@pytest.fixture
def supervisor(world):
    return world.user("supervisor1", "supervisor")


def as_user(client, username: str) -> str:
    client.get("/logout")
    login(client, username)
    return csrf_from(client.get("/inbox").get_data(as_text=True))


def user_named(world, username: str) -> User:
    with world.uow() as uow:
        return uow.session.scalar(select(User).where(User.username == username))


def audit_actions(world) -> list[str]:
    from engine.store.models import AuditRecord

    with world.uow() as uow:
        return list(uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def test_an_admin_adds_a_user_edits_roles_and_resets_the_password(client, world, staff):
    token = as_user(client, "admin1")
    bad = client.post("/admin/people/new", data={"csrf_token": token, "username": "bad name", "display_name": "x",
                                                 "password": "short", "agency_id": str(world.agency_id)})
    assert bad.status_code == 422 and "密码至少 8 位" in bad.get_data(as_text=True)
    created = client.post("/admin/people/new", data={
        "csrf_token": token, "username": "inspector9", "display_name": "钱九", "password": "first-pass-9",
        "agency_id": str(world.agency_id), "roles": ["handler"], "certificate_number": "ZJ-0099",
        "certificate_valid_until": "2027-12-31"})
    assert created.status_code == 302
    user = user_named(world, "inspector9")
    assert user.role_ids == {"handler"} and user.certificates[0].number == "ZJ-0099"
    client.post(f"/admin/people/{user.id}/edit", data={"csrf_token": token, "display_name": "钱九（主办）",
                                                       "roles": ["handler", "reviewer"], "agency_id": str(world.agency_id)})
    assert user_named(world, "inspector9").role_ids == {"handler", "reviewer"}
    reset = client.post(f"/admin/people/{user.id}/password", data={"csrf_token": token})
    password = reset.get_data(as_text=True).split('<code class="password">')[1].split("</code>")[0]
    assert len(password) >= 8
    self_demotion = client.post(f"/admin/people/{staff['admin1'].user_id}/edit", follow_redirects=True, data={
        "csrf_token": token, "display_name": "admin1", "roles": ["handler"], "agency_id": str(world.agency_id)})
    assert "不能取消自己的系统管理员角色" in self_demotion.get_data(as_text=True)
    assert login(client, "inspector9", password).status_code == 302
    assert {"user_created", "user_updated", "password_reset"} <= set(audit_actions(world))


def test_deactivating_someone_returns_their_tasks_and_revokes_their_tokens(app, client, world, staff, token_for):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    from engine.services import tasks
    tasks.claim_task(task_id=task.id, actor=staff["handler2"], **world.deps())
    headers = token_for("handler2")
    token = as_user(client, "admin1")
    refused = client.post(f"/admin/people/{staff['handler2'].user_id}/active", data={"csrf_token": token,
                                                                                     "active": "0", "reason": ""},
                          follow_redirects=True)
    assert "请填写理由" in refused.get_data(as_text=True)
    done = client.post(f"/admin/people/{staff['handler2'].user_id}/active",
                       data={"csrf_token": token, "active": "0", "reason": "调离"}, follow_redirects=True)
    assert "1 项待办已退回队列" in done.get_data(as_text=True)
    with world.uow() as uow:
        assert uow.session.get(HumanTask, task.id).assignee_id is None
        assert uow.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == staff["handler2"].user_id))
    assert app.test_client().get("/api/v1/tasks", headers=headers).status_code == 401


def test_an_expired_certificate_takes_the_officer_off_the_investigators(client, world, staff):
    token = as_user(client, "admin1")
    today = date(2026, 3, 2)
    with world.uow() as uow:
        assert {u.username for u in certified_officers(uow.session, agency_id=world.agency_id, on=today)} == {
            "handler1", "handler2"}
        certificate = uow.session.scalar(select(Certificate).where(Certificate.number == "C-0002"))
    client.post(f"/admin/people/{staff['handler2'].user_id}/certificates/{certificate.id}",
                data={"csrf_token": token, "valid_until": "2026-03-01", "reason": "调离执法岗位，收回执法证"})
    with world.uow() as uow:
        assert {u.username for u in certified_officers(uow.session, agency_id=world.agency_id, on=today)} == {
            "handler1"}
    page = client.get("/admin/").get_data(as_text=True)
    assert "已过期，不能被指派调查" in page and "C-0002" in page
    client.post(f"/admin/people/{staff['handler1'].user_id}/certificates",
                data={"csrf_token": token, "number": "C-0101", "valid_until": "2026-03-20"})
    assert "还有 18 天" in client.get("/admin/").get_data(as_text=True)  # expiring within 30 days
    assert "certificate_changed" in audit_actions(world) and "certificate_added" in audit_actions(world)


def test_agencies_are_added_and_renamed(client, world, staff):
    token = as_user(client, "admin1")
    client.post("/admin/agencies", data={"csrf_token": token, "code": "xiwan", "name": "西湾街道综合行政执法队",
                                         "case_prefix": "西湾综执案", "level": "township"})
    duplicate = client.post("/admin/agencies", follow_redirects=True, data={
        "csrf_token": token, "code": "xiwan", "name": "重复", "case_prefix": "x", "level": "township"})
    assert "机关代码已存在" in duplicate.get_data(as_text=True)
    with world.uow() as uow:
        agency = uow.session.scalar(select(Agency).where(Agency.code == "xiwan"))
    client.post("/admin/agencies", data={"csrf_token": token, "agency_id": agency.id, "name": "西湾街道执法队",
                                         "case_prefix": "西湾案", "level": "township"})
    assert "西湾街道执法队" in client.get("/admin/agencies").get_data(as_text=True)


def test_next_years_holidays_are_entered_and_confirmed(client, world, staff, supervisor):
    token = as_user(client, "admin1")
    early = client.post("/admin/calendar/2027/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "尚未录入任何节假日安排" in early.get_data(as_text=True)
    bad = client.post("/admin/calendar", data={"csrf_token": token, "year": "2027", "days": "2027-13-01,holiday"},
                      follow_redirects=True)
    assert "格式" in bad.get_data(as_text=True)
    client.post("/admin/calendar", data={"csrf_token": token, "year": "2027", "source": "国办发明电〔2026〕7号",
                                         "days": "2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休上班"})
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "已录入、尚未确认" in page and "2027-02-06" in page and "调休上班" in page
    client.post("/admin/calendar/2027/confirm", data={"csrf_token": token})
    assert "已确认" in client.get("/admin/calendar?year=2027").get_data(as_text=True)
    as_user(client, "supervisor1")
    read_only = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "2027-01-01" in read_only and 'name="days"' not in read_only


def test_statistics_page_and_the_annual_report_downloads(client, world, staff, supervisor):
    case_id = world.register(staff["handler1"])
    from tests.trouble import do
    do(world, case_id, "lead_check", staff["handler1"], findings="属实", recommendation="file")
    do(world, case_id, "filing_approval", staff["head1"], approval="approve", approval_opinion="同意")
    do(world, case_id, "investigation_report", staff["handler2"], facts="占道经营", evidence_summary="照片",
       legal_basis="《城市市容和环境卫生管理条例》第十七条", proposed_penalty="fine", proposed_fine=500)
    do(world, case_id, "case_decision", staff["head1"], decision="penalty", penalty_kind="fine", fine_amount=500,
       decision_text="罚款伍佰元", decision_date="2026-03-02")
    as_user(client, "supervisor1")
    page = client.get("/admin/statistics?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "《城市市容和环境卫生管理条例》" in page and "500.0" in page and 'data-chart="by_month"' in page
    workbook = client.get("/admin/statistics/report.xlsx?year=2026")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(workbook.data))["按执法机关"]
    assert sheet["A1"].value == "2026年度行政执法统计年报"
    csv = client.get("/admin/statistics/report.csv?year=2026&table=by_kind")
    assert csv.mimetype == "text/csv" and csv.data.decode("utf-8").startswith("\ufeff处罚种类,件数")
    assert client.get("/admin/statistics/report.pdf?year=2026").status_code == 404
    assert client.get("/admin/statistics/report.csv?table=nothing").status_code == 404
    review = client.get(f"/admin/reviews/{case_id}").get_data(as_text=True)
    assert "评查表" in review and "执法主体与人员" in review
    token = csrf_from(review)
    refused = client.post(f"/admin/reviews/{case_id}", data={"csrf_token": token, "competence": "8"})
    assert refused.status_code == 422 and "扣分的，请写明扣分理由" in refused.get_data(as_text=True)
    scores = {"competence": "10", "filing": "10", "facts_evidence": "18", "facts_evidence_note": "证据偏少",
              "law_discretion": "15", "procedure": "20", "documents": "15", "execution_archive": "10"}
    saved = client.post(f"/admin/reviews/{case_id}", data={"csrf_token": token, **scores}, follow_redirects=True)
    assert "已保存评查结果：98 分" in saved.get_data(as_text=True)
    assert "98" in client.get("/admin/reviews?show=done").get_data(as_text=True)


def test_the_audit_page_finds_console_actions_and_checks_the_chain(client, world, staff):
    token = as_user(client, "admin1")
    client.post("/admin/agencies", data={"csrf_token": token, "code": "xiwan", "name": "西湾",
                                         "case_prefix": "西湾案", "level": "township"})
    page = client.get("/admin/audit?console=1").get_data(as_text=True)
    assert "agency_created" in page and "新增机关 西湾" in page
    checked = client.post("/admin/audit/verify", data={"csrf_token": token})
    assert checked.status_code == 200 and "校验通过" in checked.get_data(as_text=True)
    assert "尚无锚点" in checked.get_data(as_text=True)  # nothing outside the database to compare with yet


def test_the_audit_check_compares_the_trail_with_the_last_anchor(client, world, staff):
    token = as_user(client, "admin1")
    path, database = audit_anchor_file(), database_key(world.database.url)
    with world.uow() as uow:
        write_anchor(uow.session, path=path, database=database, clock=world.clock)
    agrees = client.post("/admin/audit/verify", data={"csrf_token": token}).get_data(as_text=True)
    assert "与最近的锚点一致" in agrees
    # an anchor that remembers more than the table holds now: what a wipe or a rewind leaves behind
    kept = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**kept, "records": kept["records"] + 5, "last_id": kept["last_id"] + 5}) + "\n")
    refused = client.post("/admin/audit/verify", data={"csrf_token": token})
    assert refused.status_code == 409 and "与最近的锚点不符" in refused.get_data(as_text=True)
    assert f"#{kept['last_id'] + 5} 已不存在" in refused.get_data(as_text=True)


def test_healthz_says_whether_the_scheduler_ticks(client, world, staff):
    unhealthy = client.get("/healthz")
    body = unhealthy.get_json()
    assert unhealthy.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert not body["checks"]["scheduler"]["ok"]
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="w1")
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.get_json()["checks"]["scheduler"]["workers_alive"] == 1


def test_metrics_in_prometheus_format_for_admins_and_scrapers(app, client, world, staff, token_for):
    world.register(staff["handler1"])
    tick(database=world.database, runner=world.runner, clock=world.clock, worker='host"1')
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=token_for("handler1")).status_code == 403
    response = client.get("/metrics", headers=token_for("admin1"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    for line in ('zhifa_open_tasks{state="unassigned"} 1', "# TYPE zhifa_overdue_deadlines gauge",
                 'zhifa_instances{status="waiting"} 1', "zhifa_instance_errors 0", "zhifa_timers_due 0",
                 'zhifa_scheduler_last_tick_age_seconds{worker="host\\"1"} 0.0', 'zhifa_stuck{kind="no_progress"} 0'):
        assert line in text, line
    app.config["ZHIFA_METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord("zhifa.request", logging.INFO, __file__, 1, "GET %s %s", ("/inbox", 200), None)
    record.path, record.status, record.ms = "/inbox", 200, 3.5
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /inbox 200" and entry["status"] == 200 and entry["level"] == "INFO"
    assert entry["ts"].endswith("+00:00")
    assert timeline  # imported for symmetry with the other console tests
