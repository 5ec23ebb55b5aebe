"""HTTP throughput on PostgreSQL with the production server (gunicorn, 2 workers) and concurrent clients:
task completions per second (complete a user task; the engine advances to the next user task; committed) and
case starts per second through the API, with 10,000 and then 100,000 open cases in the database, and the peak
RSS of each gunicorn worker. Printed beside pgbench TPS measured in the same run.

Clients run in separate processes on the same 2-core machine, so they take CPU from the server: the figures
are a lower bound of what the server does with remote clients.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.services.users import issue_token
from engine.store.database import Database
from tests.postgres import truncate_all

from .common import SIZES, add_open_cases, open_case_count, open_with_reference, peak_rss_mib

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
COMPLETIONS = int(os.environ.get("BENCH_COMPLETIONS", "3000"))
STARTS = int(os.environ.get("BENCH_STARTS", "1500"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PORT = int(os.environ.get("BENCH_PORT", "18431"))
LEAD = {"source": "patrol", "summary": "巡查发现占道经营", "location": "人民路",
        "party": {"name": "周某某", "kind": "person", "id_number": "330102198503150010"},
        # yesterday by the servers' clock: a lead on time, on any day the benchmark runs
        "discovered_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")}


def seed(url: str, lead_checks: int, open_cases: int = 0) -> tuple[str, list[str]]:
    """`lead_checks` open 案源初查 tasks (one real lead, cloned) and a bearer token for a handler; the database
    filled up to `open_cases` open cases with other agencies' leads."""
    from tests.seeding import seed_due_leads
    from sqlalchemy import select
    from engine.store.models import HumanTask

    database = Database(url)
    truncate_all(database)
    world = seed_due_leads(database, lead_checks)
    token = issue_token(username="handler1", **world.deps())
    add_open_cases(world, open_cases - lead_checks)
    with database.unit_of_work() as uow:
        ids = list(uow.session.scalars(select(HumanTask.id).where(
            HumanTask.status == "open", HumanTask.name == "lead_check", HumanTask.agency_id == world.agency_id)))
    database.dispose()
    return token, ids


def client(args) -> tuple[int, int]:
    kind, token, items = args
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ok = failed = 0
    for item in items:
        if kind == "complete":
            body = json.dumps({"findings": "属实", "recommendation": "file"})
            connection.request("POST", f"/api/v1/tasks/{item}/complete", body, headers)
        else:
            connection.request("POST", "/api/v1/cases", json.dumps(LEAD), headers)
        response = connection.getresponse()
        response.read()
        ok, failed = (ok + 1, failed) if response.status in (200, 201) else (ok, failed + 1)
    return ok, failed


def run_load(kind: str, token: str, items: list) -> tuple[float, int]:
    chunks = [items[i::CLIENTS] for i in range(CLIENTS)]
    started = time.perf_counter()
    with multiprocessing.Pool(CLIENTS) as pool:
        results = pool.map(client, [(kind, token, chunk) for chunk in chunks])
    elapsed = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    return ok / elapsed, sum(r[1] for r in results)


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def measure(url: str, reference: float, open_cases: int) -> dict:
    token, tasks = seed(url, COMPLETIONS, open_cases)
    database = Database(url)
    total = open_case_count(database)
    database.dispose()
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_INSTANCE_PATH": "/tmp"}
    server = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
                               "webapp.wsgi:app"], env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=2).request("GET", "/login")
                break
            except OSError:
                time.sleep(0.2)
        run_load("complete", token, tasks[:40])  # warm both workers
        completions, failed = run_load("complete", token, tasks[40:])
        print(f"{total:>7,} open cases  task completions/s : {completions:6.1f}  ({completions / reference:.3f} × pgbench)"
              f"  failed {failed}  target ≥ 300/s")
        starts, failed = run_load("start", token, list(range(STARTS)))
        print(f"{total:>7,} open cases  case starts/s      : {starts:6.1f}  ({starts / reference:.3f} × pgbench)"
              f"  failed {failed}")
        rss = [peak_rss_mib(pid) for pid in gunicorn_workers(server.pid)]
        print(f"{total:>7,} open cases  peak RSS per worker: {', '.join(f'{r:.0f}' for r in rss)} MiB  target ≤ 200 MB")
    finally:
        server.terminate()
        server.wait(20)
    return {"open_cases": total, "completions": completions, "starts": starts, "rss": rss}


def main() -> None:
    reference, url = open_with_reference(
        f"HTTP throughput (PostgreSQL, gunicorn 2 workers, {CLIENTS} concurrent clients)", "zhifa_bench_http")
    for size in SIZES:
        measure(url, reference, size)


if __name__ == "__main__":
    main()
