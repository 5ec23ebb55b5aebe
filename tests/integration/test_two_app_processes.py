"""Two app processes on different ports against one PostgreSQL database, as on two machines behind a reverse
proxy: tasks are completed through both, and due timers are fired by both schedulers, each exactly once."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from engine.services.users import issue_token
from engine.store.database import Database
from engine.store.models import AuditRecord, HumanTask
from tests.conftest import POSTGRES_URL
from tests.seeding import seed_due_leads

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")
ZHIFA = str(Path(sys.executable).with_name("zhifa"))
DUE = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(url: str, port: int, instance: Path) -> subprocess.Popen:
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_INSTANCE_PATH": str(instance),
           "ZHIFA_TICK_SECONDS": "0.2", "ZHIFA_SECRET_KEY": "shared-secret-of-the-deployment"}
    instance.mkdir(parents=True, exist_ok=True)
    log = (instance / "server.log").open("wb")
    process = subprocess.Popen([ZHIFA, "run", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except OSError:
            assert time.monotonic() < deadline, "app did not start"
            time.sleep(0.2)


def call(port: int, token: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST" if body is not None else "GET",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_two_app_processes_share_the_work(postgres_url, tmp_path):
    database = Database(postgres_url)
    world = seed_due_leads(database, DUE)  # 300 leads whose warning timer is long due
    world.user("head1", "head")
    handler, head = (issue_token(username=name, **world.deps()) for name in ("handler1", "head1"))
    ports = [free_port(), free_port()]
    apps = [start_app(postgres_url, port, tmp_path / f"app{i}") for i, port in enumerate(ports)]
    try:
        with database.unit_of_work() as uow:
            lead_checks = list(uow.session.scalars(select(HumanTask.id).where(
                HumanTask.status == "open", HumanTask.name == "lead_check").limit(20)))
        for index, task_id in enumerate(lead_checks):  # alternate between the two processes
            status, case = call(ports[index % 2], handler, f"/api/v1/tasks/{task_id}/complete",
                                {"findings": "属实", "recommendation": "file"})
            assert status == 200 and [t["name"] for t in case["tasks"]] == ["filing_approval"]
        # a second completion of the same task through the other process is a clear conflict
        status, body = call(ports[1], handler, f"/api/v1/tasks/{lead_checks[0]}/complete",
                            {"findings": "属实", "recommendation": "file"})
        assert status == 409 and body["error"]["code"] == "task_not_open"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with database.unit_of_work() as uow:
                fired = uow.session.scalar(select(func.count()).select_from(AuditRecord)
                                           .where(AuditRecord.action == "timer_fired"))
            if fired >= DUE:
                break
            time.sleep(0.5)
        with database.unit_of_work() as uow:
            per_instance = list(uow.session.execute(text(
                "select instance_id, count(*) from audit_record where action = 'timer_fired' group by instance_id")))
            workers = {row[0] for row in uow.session.execute(text(
                "select distinct data::json->>'worker' from audit_record where action = 'timer_fired'"))}
            failed = list(uow.session.execute(text(
                "select id, error_element, error_message from process_instance where status = 'error'")))
        assert len(per_instance) == DUE and {count for _, count in per_instance} == {1}, failed
        assert len(workers) == 2, workers  # both processes' schedulers took part
        status, tasks = call(ports[0], head, "/api/v1/tasks?limit=100")
        assert status == 200 and len(tasks["tasks"]) == len(lead_checks)  # the head sees the filing approvals
    finally:
        for app in apps:
            app.terminate()
        for app in apps:
            app.wait(15)
        database.dispose()
