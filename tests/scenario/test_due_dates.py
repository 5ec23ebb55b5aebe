"""One clock, one due date: a period ending at 24:00 of day D reads 「D 24:00」 in the inbox, on the case page and
in the API alike (never D+1 00:00 on one of them); a task without a clock of its own shows none."""
from __future__ import annotations

import re

import pytest

from webapp import create_app

from .test_paths import ACCEPT


@pytest.fixture
def head_client(world, staff, tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "ZHIFA_DATABASE": world.database, "ZHIFA_CLOCK": world.clock})
    app.extensions["zhifa"].runner = world.runner
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    client.post("/login", data={"username": "head1", "password": "secret-pass-1", "csrf_token": token.group(1)})
    return client


def shown_everywhere(client, case, key: str, task: str) -> str:
    api = client.get(f"/api/v1/cases/{case.case_id}").get_json()
    text = next(d["due_text"] for d in api["deadlines"] if d["key"] == key)
    assert next(t["due_text"] for t in api["tasks"] if t["name"] == task) == text
    case_page = client.get(f"/cases/{case.case_id}").get_data(as_text=True)
    inbox = client.get("/inbox?view=agency").get_data(as_text=True)
    assert text in case_page and text in inbox
    return text


def test_one_due_date_string_in_inbox_case_page_and_api(new_case, head_client):
    case = new_case()
    # a working-day clock: 7 WD from 03-02 end with Tuesday 03-10 (24:00, i.e. 03-11 00:00 Beijing time)
    assert shown_everywhere(head_client, case, "complaint_acceptance_7wd", "complaint_acceptance") == "2026-03-10 24:00"
    inbox = head_client.get("/inbox?view=agency").get_data(as_text=True)
    assert "2026-03-11 00:00" not in inbox and "2026-03-11 00:00" not in head_client.get(
        f"/cases/{case.case_id}").get_data(as_text=True)
    case.do("complaint_acceptance", "handler1", **ACCEPT)
    case.do("lead_check", "handler1", findings="属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    ids = [case.staff["handler1"].user_id, case.staff["handler2"].user_id]
    case.do("investigation_assignment", "head1", officers=ids)
    # a calendar-day clock: 90 days from 03-02 end on Sunday 05-31, rolled to Monday 06-01
    assert shown_everywhere(head_client, case, "decision_90d", "investigation") == "2026-06-01 24:00"


def test_a_task_without_a_clock_of_its_own_shows_none(new_case, head_client):
    case = new_case(source="patrol")
    case.do("lead_check", "handler1", findings="属实", recommendation="file")
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    assignment = case.task("investigation_assignment")
    assert assignment.due_at is None  # decision_90d runs on the case, but this step does not watch it
    api = head_client.get(f"/api/v1/cases/{case.case_id}").get_json()
    task = next(t for t in api["tasks"] if t["name"] == "investigation_assignment")
    assert task["due_at"] is None and task["due_text"] is None
    inbox = head_client.get("/inbox?view=agency").get_data(as_text=True)
    row = inbox[inbox.index("指派调查人员"):]
    row = row[:row.index("</tr>")]
    assert "无期限" in row and "2026-06-01" not in row


def badge(inbox: str, title: str) -> str:
    row = inbox[inbox.index(title):]
    return row[:row.index("</tr>")]


def test_a_working_day_clock_counts_down_in_working_days(new_case, head_client):
    case = new_case()  # Monday 03-02 09:00; acceptance within 7 working days: Tuesday 03-10
    assert "剩余 6 个工作日" in badge(head_client.get("/inbox?view=agency").get_data(as_text=True), "投诉举报受理")
    case.at("2026-03-07 09:00")  # a Saturday: Monday and Tuesday are left, not "3 days"
    assert "剩余 2 个工作日" in badge(head_client.get("/inbox?view=agency").get_data(as_text=True), "投诉举报受理")
    case.at("2026-03-10 09:00")
    assert "今日届满" in badge(head_client.get("/inbox?view=agency").get_data(as_text=True), "投诉举报受理")


def test_the_filing_approval_shows_the_filing_clock_it_must_decide_within(new_case, head_client):
    case = new_case(source="patrol")  # discovered 03-01: 15 working days end Friday 03-20
    case.do("lead_check", "handler1", findings="属实", recommendation="file")
    assert shown_everywhere(head_client, case, "filing_15wd", "filing_approval") == "2026-03-20 24:00"
    case.at("2026-03-23 09:00")  # the head has not decided in time: the approval stays open, the clock overdue
    assert case.open_tasks() == ["filing_approval"] and case.clock("filing_15wd")["status"] == "overdue"
    case.do("filing_approval", "head1", approval="approve", approval_opinion="同意立案")
    assert "investigation_assignment" in case.open_tasks()
