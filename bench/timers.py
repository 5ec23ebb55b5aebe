"""Timers fired per second with 1 and 2 worker processes on PostgreSQL, beside the machine's pgbench TPS.

Run: `make bench BENCH=timers` (or `python -m bench.timers`). Each worker is a real `zhifa worker` process; the
rate is taken from the database's own record of when each timer fired (first to last), so process start-up
does not count. Also measures the lag from a timer's due moment to its firing with one idle worker.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from engine.actors import Actor
from engine.clock import SystemClock
from engine.services.cases import start_process
from engine.services.definitions import deploy_bpmn
from engine.store.database import Database
from engine.store.models import AuditRecord, Case
from tests.conftest import World
from tests.postgres import truncate_all
from tests.seeding import seed_due_leads

from .common import SIZES, add_open_cases, open_with_reference

ZHIFA = str(Path(sys.executable).with_name("zhifa"))
TIMERS = int(os.environ.get("BENCH_TIMERS", "3000"))


def seed_due(url: str, count: int, open_cases: int = 0) -> Database:
    """`count` instances with a long-due timer, among `open_cases` open cases in all."""
    database = Database(url)
    truncate_all(database)
    world = seed_due_leads(database, count)
    add_open_cases(world, open_cases - count)
    return database


def workers(url: str, count: int, tick: float = 0.1) -> list[subprocess.Popen]:
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_TICK_SECONDS": str(tick), "ZHIFA_INSTANCE_PATH": "/tmp"}
    return [subprocess.Popen([ZHIFA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(20)


def fired_times(database: Database) -> list[datetime]:
    with database.unit_of_work() as uow:
        return list(uow.session.scalars(select(AuditRecord.at).where(AuditRecord.action == "timer_fired")
                                        .order_by(AuditRecord.at)))


def throughput(url: str, worker_count: int, open_cases: int = 0) -> float:
    database = seed_due(url, TIMERS, open_cases)
    running = workers(url, worker_count)
    try:
        deadline = time.monotonic() + 600
        while len(fired_times(database)) < TIMERS and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop(running)
    moments = fired_times(database)
    assert len(moments) == TIMERS, f"only {len(moments)} of {TIMERS} fired"
    database.dispose()
    return (TIMERS - 1) / (moments[-1] - moments[0]).total_seconds()


def lag(url: str, count: int = 100) -> list[float]:
    """Start `count` instances with a 3-second timer, one every 20 ms, and measure due → fired."""
    database = Database(url)
    truncate_all(database)
    world = World(database=database, clock=SystemClock())
    world.agency_id = world.agency()
    handler = world.user("handler1", "handler")
    xml = (Path(__file__).parent / "fixtures" / "bench_timer.bpmn").read_bytes()
    deploy_bpmn(source_name="bench_timer.bpmn", xml=xml, comment=None, actor=Actor.system(), **world.deps(runner=True))
    running = workers(url, 1, tick=1.0)
    try:
        time.sleep(2)
        for index in range(count):
            with database.unit_of_work() as uow:
                now = world.clock.now()
                case = Case(number=f"LAG-{index}", agency_id=world.agency_id, source="patrol", summary="bench",
                            party_name="bench", party_kind="person", discovered_at=now, stage="lead", status="open",
                            created_at=now, updated_at=now)
                uow.session.add(case)
                uow.session.flush()
                start_process(uow.session, case=case, process_id="bench_timer", data={}, actor=handler,
                              clock=world.clock, runner=world.runner)
                uow.commit()
            time.sleep(0.02)
        deadline = time.monotonic() + 60
        while len(fired_times(database)) < count and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop(running)
    with database.unit_of_work() as uow:
        rows = uow.session.execute(select(AuditRecord.at, AuditRecord.data).where(
            AuditRecord.action == "timer_fired")).all()
    database.dispose()
    return sorted((at - datetime.fromisoformat(data["due_at"])).total_seconds() for at, data in rows)


def main() -> None:
    reference, url = open_with_reference("timers benchmark", "zhifa_bench_timers")
    for size in SIZES:
        one = throughput(url, 1, size)
        two = throughput(url, 2, size)
        print(f"{size:>7,} open cases  timers fired/s, 1 worker : {one:6.1f}   ({one / reference:.3f} × pgbench)")
        print(f"{size:>7,} open cases  timers fired/s, 2 workers: {two:6.1f}   ({two / reference:.3f} × pgbench)"
              "   target ≥ 500/s")
    lags = lag(url)
    p50, p95 = statistics.median(lags), lags[int(len(lags) * 0.95) - 1]
    print(f"lag due → fired (1 worker, 1 s tick): p50 {p50:.2f} s, p95 {p95:.2f} s, max {lags[-1]:.2f} s   target < 2 s")


if __name__ == "__main__":
    main()
