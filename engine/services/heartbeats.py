"""Scheduler health: every worker writes one heartbeat row per tick (an upsert of a few integers), and the
dashboard, /metrics and /healthz read them. The lag is how overdue the oldest due timer was when a tick began:
with a healthy scheduler it stays around the tick interval, and it grows while timers wait unfired."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.dialects import postgresql, sqlite

from engine.store.database import Database
from engine.store.models import ProcessInstance, WorkerHeartbeat
from engine.store.statuses import InstanceStatus

KEEP_STOPPED = timedelta(days=7)  # heartbeats of workers gone this long are removed
_pruned_by: set[str] = set()  # workers of this process that have pruned once


def oldest_due_timer(session: Session, now: datetime) -> datetime | None:
    """The due moment of the most overdue timer still waiting to fire (one index lookup)."""
    return session.scalar(select(func.min(ProcessInstance.next_due_at)).where(
        ProcessInstance.status == InstanceStatus.WAITING, ProcessInstance.next_due_at < now))


def timer_lag(database: Database, now: datetime) -> timedelta:
    with database.unit_of_work() as uow:
        oldest = oldest_due_timer(uow.session, now)
    return now - oldest if oldest is not None else timedelta(0)


def record_heartbeat(*, database: Database, worker: str, now: datetime, tick_ms: int, lag: timedelta,
                     timers_fired: int, error: str | None = None) -> None:
    values = {"worker": worker[:100], "started_at": now, "last_tick_at": now, "tick_ms": tick_ms,
              "lag_ms": int(lag.total_seconds() * 1000), "timers_fired": timers_fired, "ticks": 1,
              "total_fired": timers_fired, "last_error": error[-4000:] if error else None,
              "last_error_at": now if error else None}
    with database.unit_of_work() as uow:
        session = uow.session
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(WorkerHeartbeat).values(**values)
        new, table = statement.excluded, WorkerHeartbeat.__table__.c
        session.execute(statement.on_conflict_do_update(index_elements=["worker"], set_={
            "last_tick_at": new.last_tick_at, "tick_ms": new.tick_ms, "lag_ms": new.lag_ms,
            "timers_fired": new.timers_fired, "ticks": table.ticks + 1,
            "total_fired": table.total_fired + new.timers_fired,
            "last_error": func.coalesce(new.last_error, table.last_error),
            "last_error_at": func.coalesce(new.last_error_at, table.last_error_at)}))
        if worker not in _pruned_by:
            session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_tick_at < now - KEEP_STOPPED))
        uow.commit()
    _pruned_by.add(worker)


def worker_health(session: Session, *, now: datetime, stale_after: timedelta) -> list[dict]:
    """Every worker heard from in the last week, most recent first, with whether it still ticks."""
    rows = session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_tick_at.desc())).all()
    return [{"worker": row.worker, "started_at": row.started_at, "last_tick_at": row.last_tick_at,
             "age_seconds": max((now - row.last_tick_at).total_seconds(), 0.0), "tick_ms": row.tick_ms,
             "lag_seconds": row.lag_ms / 1000, "timers_fired": row.timers_fired, "ticks": row.ticks,
             "total_fired": row.total_fired, "last_error": row.last_error, "last_error_at": row.last_error_at,
             "alive": now - row.last_tick_at <= stale_after} for row in rows]


def probe_write(*, database: Database, now: datetime, probe: str) -> None:
    """Prove the database accepts a write, in a transaction of its own: a heartbeat row that no one ever sees is
    inserted and deleted, and the transaction commits — so a full disk, a read-only database or a lost write lock
    fails here, as every real write would."""
    with database.unit_of_work() as uow:
        uow.session.add(WorkerHeartbeat(worker=f"healthz:{probe}"[:100], started_at=now, last_tick_at=now))
        uow.session.flush()
        uow.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker == f"healthz:{probe}"[:100]))
        uow.commit()
