"""Several worker processes on one PostgreSQL database fire every due timer exactly once, even when one of
them is killed with SIGKILL in the middle of a batch."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from engine.store.database import Database
from engine.store.models import AuditRecord, ProcessInstance
from tests.conftest import POSTGRES_URL
from tests.seeding import seed_due_leads

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")
ZHIFA = str(Path(sys.executable).with_name("zhifa"))
TIMERS = 2000


@pytest.fixture
def due_world(postgres_url, tmp_path):
    database = Database(postgres_url)
    world = seed_due_leads(database, TIMERS)
    yield world, postgres_url, tmp_path
    database.dispose()


def start_workers(url: str, tmp_path: Path, count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_INSTANCE_PATH": str(tmp_path),
           "ZHIFA_LEASE_SECONDS": "3", "ZHIFA_TICK_SECONDS": "0.2"}
    workers = []
    for number in range(count):
        # a file, not a pipe nobody reads: a busy worker logs a line per skipped tick, and once a pipe's 64 KiB are
        # full it would wait on its next log line for ever
        with open(tmp_path / f"worker{number}.log", "wb") as log:
            workers.append(subprocess.Popen([ZHIFA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=log))
    return workers


def fired_counts(database: Database) -> list[int]:
    with database.unit_of_work() as uow:
        return list(uow.session.scalars(select(func.count()).select_from(AuditRecord)
                                        .where(AuditRecord.action == "timer_fired")
                                        .group_by(AuditRecord.instance_id)))


def wait_until_all_fired(database: Database, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = fired_counts(database)
        if len(counts) >= TIMERS:
            return counts
        time.sleep(0.5)
    return fired_counts(database)


def stop(workers):
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()


def assert_exactly_once(world, counts):
    assert len(counts) == TIMERS and set(counts) == {1}
    with world.database.unit_of_work() as uow:
        session = uow.session
        assert session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.next_due_at.is_not(None))) == 0
        assert session.scalar(select(func.count()).select_from(AuditRecord)
                              .where(AuditRecord.action == "deadline_warning")) == TIMERS
        workers = session.scalar(text("select count(distinct data::json->>'worker') from audit_record "
                                      "where action = 'timer_fired'"))
    return workers


def test_four_workers_fire_two_thousand_timers_exactly_once(due_world):
    world, url, tmp_path = due_world
    workers = start_workers(url, tmp_path, 4)
    try:
        counts = wait_until_all_fired(world.database, 180)
    finally:
        stop(workers)
    assert assert_exactly_once(world, counts) >= 2  # the work really was shared


def test_a_worker_killed_mid_run_loses_its_claims_to_the_others(due_world):
    world, url, tmp_path = due_world
    workers = start_workers(url, tmp_path, 4)
    try:
        deadline = time.monotonic() + 120
        while sum(fired_counts(world.database)) < TIMERS // 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        counts = wait_until_all_fired(world.database, 180)
    finally:
        stop(workers)
    assert workers[0].returncode == -signal.SIGKILL
    assert_exactly_once(world, counts)
