"""How many SQL statements one completion and one timer take, counted on the real processes: a change that adds
round trips to the hot paths fails here instead of in a benchmark weeks later. The bounds are the counts measured
when this test was written; lower them when a change saves statements."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event, func, select

from engine.clock import CHINA_TZ
from engine.scheduler import tick
from engine.services import tasks
from engine.store.models import AuditRecord

# dialect → (statements to complete 案源初查 with 立案, statements for the tick that fires the timer on 立案审批)
BOUNDS = {"sqlite": (14, 19), "postgresql": (13, 16)}


@contextmanager
def counted(world):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)


def test_a_completion_and_a_timer_stay_within_their_statement_budget(world, staff):
    world.clock.set(datetime(2026, 3, 2, 9, tzinfo=CHINA_TZ))
    case_id = world.register(staff["handler1"], process_id="lead_intake", discovered_at="2026-03-01T20:00:00+08:00")
    task = world.only_task(case_id)
    with counted(world) as completion:
        tasks.complete_task(task_id=task.id, data={"findings": "属实", "recommendation": "file"},
                            actor=staff["handler1"], **world.deps(runner=True))
    world.clock.set(datetime(2026, 3, 21, 0, 1, tzinfo=CHINA_TZ))  # the filing clock ran out on 03-20 24:00
    with counted(world) as timer:
        tick(database=world.database, runner=world.runner, clock=world.clock)
    with world.uow() as uow:  # the tick did fire the timer
        assert uow.session.scalar(select(func.count()).select_from(AuditRecord)
                                  .where(AuditRecord.action == "timer_fired")) == 1
    dialect = world.database.engine.dialect.name
    completion_bound, timer_bound = BOUNDS[dialect]
    assert len(completion) <= completion_bound, "\n".join(completion)
    assert len(timer) <= timer_bound, "\n".join(timer)
