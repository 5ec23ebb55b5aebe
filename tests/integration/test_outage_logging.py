"""During a database outage the scheduler's tick fails every second: the log gets one traceback, then a line with
the count once a minute, then one line when it works again — and routine ticks stay below the default level."""
from __future__ import annotations

import logging
from datetime import timedelta

from engine.store.database import Database
from webapp.context import EngineContext
from webapp.repeated_errors import RepeatedErrors
from webapp.scheduler import _job

LOGGER = "webapp.scheduler"


def lines(caplog, level=logging.INFO):
    return [record for record in caplog.records if record.name == LOGGER and record.levelno >= level]


def test_a_database_outage_is_one_traceback_not_one_a_second(world, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    down = EngineContext(database=Database(f"sqlite:///{tmp_path / 'gone' / 'zhifa.db'}"), clock=world.clock)
    tick = _job(down, "test-worker", timedelta(seconds=30))
    for _ in range(120):  # two minutes of ticks, as fast as they come
        tick()
    [line] = lines(caplog)
    assert line.exc_info is not None and "scheduler tick failed" in line.getMessage()


def test_a_tick_that_fires_timers_logs_below_the_default_level(world, staff, caplog):
    caplog.set_level(logging.DEBUG)
    world.register(staff["handler1"])
    world.clock.advance(timedelta(days=60))  # the lead's statutory clocks have run out: their timers fire
    _job(EngineContext(database=world.database, clock=world.clock), "test-worker", timedelta(seconds=30))()
    fired = [record for record in lines(caplog, logging.DEBUG) if "timer(s) fired" in record.getMessage()]
    assert fired and all(record.levelno == logging.DEBUG for record in fired)
    assert lines(caplog, logging.INFO) == []


def test_the_count_comes_once_a_minute_and_the_recovery_once():
    now = [0.0]
    log = logging.getLogger("test.outage")
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    log.addHandler(handler)
    try:
        errors = RepeatedErrors(log, "tick", every=60, monotonic=lambda: now[0])
        for second in range(150):
            now[0] = float(second)
            try:
                raise OSError("could not connect to server")
            except OSError as error:
                errors.failed(error)
        errors.succeeded()
        errors.succeeded()
    finally:
        log.removeHandler(handler)
    assert records == [
        "tick failed",
        "tick still failing: 61 times in all, 60 since the last line (OSError: could not connect to server)",
        "tick still failing: 121 times in all, 60 since the last line (OSError: could not connect to server)",
        "tick works again after 150 failure(s) (OSError: could not connect to server)",
    ]

