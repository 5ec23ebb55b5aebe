"""Anchors of the full-process record: the chain's head and count, kept outside the database.

The hash chain (engine.audit) finds an edited, inserted or deleted record, but not someone who empties the whole
table and resets the chain's head, or who cuts records off the end and moves the head back: what is left is a
valid chain. An anchor is a line appended to a file the operator keeps (and a log line): when, which database,
how many records, the last id and its hash. `zhifa audit verify` checks the database against the last anchor, so
a wipe, a rewind or a cut-off tail is reported; `zhifa audit anchor` and the scheduler (daily) write new ones, each
only after the records since the previous anchor still chain on from it.
"""
from __future__ import annotations

import fcntl
import json
import logging
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.engine import make_url

from engine.audit import ChainReport, verify_chain
from engine.clock import CHINA_TZ, Clock
from engine.store.models import AuditRecord

log = logging.getLogger("zhifa.audit")


@dataclass(frozen=True)
class Anchor:
    at: str  # ISO-8601, the product clock
    database: str  # which database (its URL without user and password)
    records: int
    last_id: int | None
    last_hash: str | None

    @property
    def shown_at(self) -> str:
        return datetime.fromisoformat(self.at).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class AnchorResult:
    anchor: Anchor | None  # the one written, or None when nothing was written
    problem: str | None = None  # why not: the records no longer agree with the last anchor or do not chain
    skipped: bool = False  # the last anchor is recent enough


def database_key(url: str) -> str:
    """The database an anchor is about, without credentials: the application and the migrations connect as
    different roles to the same database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return f"sqlite:///{Path(parsed.database).resolve()}"
    return parsed.set(username=None, password=None).render_as_string(hide_password=True)


@contextmanager
def _locked(path: Path):
    """The anchor file, locked against the other processes of this machine while one decides and appends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _last_in(lines, database: str) -> Anchor | None:
    last = None
    for line in lines:
        try:
            entry = json.loads(line)
            anchor = Anchor(**{name: entry[name] for name in Anchor.__dataclass_fields__})
        except (ValueError, KeyError, TypeError):
            continue  # a line someone added by hand, or a torn last line: not an anchor
        if anchor.database == database:
            last = anchor
    return last


def last_anchor(path: Path, database: str) -> Anchor | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as handle:
        return _last_in(handle, database)


def compare(session: Session, anchor: Anchor) -> str | None:
    """What no longer agrees with the anchor, in words a clerk reads, or None."""
    table = AuditRecord.__table__
    count, max_id = session.execute(select(func.count(), func.max(table.c.id))).one()
    when = f"{anchor.shown_at} 锚定时"
    if anchor.records and not count:
        return (f"审计记录已被清空：{when}有 {anchor.records} 条记录（最后一条 #{anchor.last_id}），"
                "现在一条也没有。")
    if anchor.last_id is None:
        return None
    kept = session.scalar(select(table.c.hash).where(table.c.id == anchor.last_id))
    if kept is None:
        return (f"{when}的最后一条记录 #{anchor.last_id} 已不存在（现在最后一条为 #{max_id}，共 {count} 条，"
                f"锚定时 {anchor.records} 条）：末尾的记录被删除，或审计记录被清空后重新开始。")
    if kept != anchor.last_hash:
        return (f"记录 #{anchor.last_id} 的哈希与{when}记下的不符：审计记录被重写，或被清空后重新开始。")
    before = session.scalar(select(func.count()).where(table.c.id <= anchor.last_id))
    if before != anchor.records:
        return (f"{when}截至 #{anchor.last_id} 共有 {anchor.records} 条记录，现在是 {before} 条："
                "其间有记录被删除或插入。")
    return None


def check(session: Session, *, path: Path, database: str) -> tuple[Anchor | None, str | None]:
    """The last anchor of this database in the file, and what disagrees with it (None: all agrees)."""
    anchor = last_anchor(path, database)
    return anchor, (compare(session, anchor) if anchor is not None else None)


def write_anchor(session: Session, *, path: Path, database: str, clock: Clock,
                 unless_younger_than: timedelta | None = None) -> AnchorResult:
    """Append the chain's head and count, after checking the last anchor still holds and the records since it
    chain on from it (a broken trail is never anchored). `unless_younger_than`: the scheduler's daily anchor, which
    any process of this machine may write, skips when one was written within that time."""
    with _locked(path) as handle:
        previous = _last_in(handle, database)
        now = clock.now()
        if (previous is not None and unless_younger_than is not None
                and now - datetime.fromisoformat(previous.at) < unless_younger_than):
            return AnchorResult(None, skipped=True)
        if previous is not None:
            problem = compare(session, previous)
            if problem is not None:
                return AnchorResult(None, problem)
        after = (previous.last_id, previous.last_hash or "") if previous is not None and previous.last_id else None
        report: ChainReport = verify_chain(session, after=after)
        if not report.ok:
            return AnchorResult(None, report.problem)
        count = session.execute(select(func.count()).select_from(AuditRecord.__table__)).scalar_one()
        anchor = Anchor(at=now.isoformat(), database=database, records=count, last_id=report.last_id,
                        last_hash=report.head_hash)
        handle.seek(0, 2)
        handle.write(json.dumps(asdict(anchor), ensure_ascii=False) + "\n")
        handle.flush()
    log.info("audit anchor: %d records, last #%s, hash %s (%s)", anchor.records, anchor.last_id or "-",
             anchor.last_hash or "-", database)
    return AnchorResult(anchor)
