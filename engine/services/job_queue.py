"""The durable job queue every scheduler tick works: bulk actions (engine.services.bulk) and migration jobs
(engine.services.migration) alike.

A job is a row with items, queued by a request and worked by whichever worker process ticks next (the web
app's own scheduler, or `zhifa worker` on another machine). A worker claims the oldest unfinished job that no
live worker holds, with a lease — and FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take the same
one — works its items, each in its own transaction, for its share of the tick, and lets it go. A worker that
dies holding a job leaves it to the next one once the lease runs out: a restart loses nothing.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

UNFINISHED = ("queued", "running")
BATCH_ITEMS = 50
BATCH_SECONDS = 5.0


class Budget:
    """A tick's share of work: at most so many items, for at most so many seconds."""

    def __init__(self, max_items: int = BATCH_ITEMS, max_seconds: float = BATCH_SECONDS):
        self.max_items, self.max_seconds = max_items, max_seconds
        self.done = 0
        self._started = time.monotonic()

    def left(self) -> bool:
        return self.done < self.max_items and time.monotonic() - self._started < self.max_seconds

    def spend(self) -> None:
        self.done += 1


def claim_job(session: Session, model, *, worker: str, now: datetime, lease: timedelta):
    """The oldest unfinished job of this kind that no live worker holds, now held by `worker` (or None).
    `model` has id, status, started_at, claimed_by and claim_expires_at columns."""
    query = (select(model).where(model.status.in_(UNFINISHED),
                                 or_(model.claim_expires_at.is_(None), model.claim_expires_at < now))
             .order_by(model.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is not None:
        job.claimed_by, job.claim_expires_at = worker, now + lease
        job.status, job.started_at = "running", job.started_at or now
    return job


def release_job(session: Session, model, job_id: int, *, worker: str) -> None:
    """Let the job go, unless another worker took it over after this one's lease ran out."""
    session.execute(update(model).where(model.id == job_id, model.claimed_by == worker)
                    .values(claimed_by=None, claim_expires_at=None))
