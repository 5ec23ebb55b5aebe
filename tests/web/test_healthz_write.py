"""/healthz fails, with a reason, when the database still answers reads but refuses every write (a full disk, a
read-only database): a load balancer then takes the process out instead of sending clerks to lose their work."""
from __future__ import annotations

from sqlalchemy import event

from engine.scheduler import tick


def refuse_writes(database) -> None:
    """Every new connection may read and not write, as a full disk or a read-only standby leaves it."""
    statement = ("PRAGMA query_only = ON" if database.is_sqlite else
                 "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    @event.listens_for(database.engine, "connect")
    def _read_only(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        if not database.is_sqlite:
            dbapi_connection.commit()

    database.engine.dispose()


def test_healthz_is_503_with_a_reason_when_writes_fail(client, world):
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="w1")
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.get_json()["checks"]["database_write"] == {"ok": True}
    refuse_writes(world.database)
    failing = client.get("/healthz")
    body = failing.get_json()
    assert failing.status_code == 503 and body["status"] == "fail"
    assert body["checks"]["database"]["ok"]  # reads still work: only the write check tells
    write = body["checks"]["database_write"]
    assert not write["ok"] and write["reason"].startswith("数据库不接受写入：")
    assert "readonly" in write["reason"] or "read-only" in write["reason"]


def test_the_write_check_leaves_nothing_behind(client, world):
    from sqlalchemy import func, select

    from engine.store.models import WorkerHeartbeat

    for _ in range(3):
        client.get("/healthz")
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 0
