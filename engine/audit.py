"""The full-process record (全过程记录): every state change appends one record in the same transaction.

The records form a hash chain (tamper evidence): each one stores the SHA-256 of its own content together with
the previous record's hash, so editing, inserting or deleting a record breaks the chain at that point, and
`zhifa audit verify` names the first broken link. The chain is sealed at commit: `record()` queues the entry
on the session, and just before the transaction commits the queued entries are hashed and inserted while the
single row of `audit_chain` is locked (a row lock on PostgreSQL, the write lock on SQLite). Concurrent workers
therefore append one after another, in id order, and the lock is held only for that last insert and the
commit, not for the whole step.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, cast
from datetime import datetime, timezone

from sqlalchemy import Table, Text, bindparam, event, select, text, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import Clock
from engine.store.models import AuditChain, AuditRecord
from engine.store.types import dump_json

GENESIS = "0" * 64
HASH_VERSION = "zhifa-audit-1"
CHAIN_ROW = 1
_PENDING = "zhifa_audit_pending"
HASHED_FIELDS = ("at", "actor_id", "actor_name", "action", "case_id", "instance_id", "task_id", "task_title",
                 "summary")


def record(session: Session, *, clock: Clock, actor: Actor, action: str, summary: str, case_id: int | None = None,
           instance_id: int | None = None, task_id: str | None = None, task_title: str | None = None,
           data: dict | None = None) -> AuditRecord:
    entry = AuditRecord(at=clock.now(), actor_id=actor.user_id, actor_name=actor.name, action=action,
                        summary=summary, case_id=case_id, instance_id=instance_id, task_id=task_id,
                        task_title=task_title, data=data)
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


def record_hash(prev_hash: str, fields: Mapping[Any, Any], data_text: str | None) -> str:
    """SHA-256 over the previous hash and the record's content as stored (data as its JSON text)."""
    at = fields["at"].astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    values = [HASH_VERSION, prev_hash, at, *(fields[name] for name in HASHED_FIELDS[1:]), data_text]
    payload = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _entry_hash(prev_hash: str, entry: AuditRecord) -> str:
    return record_hash(prev_hash, {name: getattr(entry, name) for name in HASHED_FIELDS}, dump_json(entry.data))


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the use case's own changes first, before the chain is locked
    prev_hash = _lock_head(session)
    rows = []
    for entry in pending:
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = _entry_hash(prev_hash, entry)
        rows.append({name: getattr(entry, name) for name in _STORED_FIELDS})
    params = {f"{name}_{index}": value for index, row in enumerate(rows) for name, value in row.items()}
    params.update(chain_row=CHAIN_ROW, last_hash=prev_hash, updated_at=pending[-1].at)
    if session.get_bind().dialect.name == "postgresql":  # one round trip: insert and move the head
        session.execute(_append_statement(len(rows), move_head=True), params)
    else:
        session.execute(_append_statement(len(rows), move_head=False), params)
        session.execute(_MOVE_HEAD, params)


_STORED_FIELDS = (*HASHED_FIELDS, "data", "prev_hash", "hash")


def _move_head_sql(ids_from: str) -> str:
    return ("UPDATE audit_chain SET last_hash = :last_hash, updated_at = :updated_at, "
            f"last_id = (SELECT max(id) FROM {ids_from}) WHERE id = :chain_row")


_HEAD_TYPES = (bindparam("updated_at", type_=AuditChain.updated_at.type),)
_MOVE_HEAD = text(_move_head_sql("audit_record")).bindparams(*_HEAD_TYPES)


@lru_cache(maxsize=16)
def _append_statement(count: int, *, move_head: bool):
    """INSERT of `count` records (ids given in this order, under the lock: id order is chain order), with
    `move_head` (PostgreSQL) the head's move in the same statement. Written as text with typed parameters so it
    compiles once per count (an INSERT inside a CTE has no cache key: SQLAlchemy would compile it at every
    commit)."""
    table = AuditRecord.__table__
    rows = ", ".join("(" + ", ".join(f":{name}_{index}" for name in _STORED_FIELDS) + ")" for index in range(count))
    sql = f"INSERT INTO audit_record ({', '.join(_STORED_FIELDS)}) VALUES {rows}"
    types = [bindparam(f"{name}_{index}", type_=table.c[name].type) for index in range(count) for name in _STORED_FIELDS]
    if move_head:
        sql = f"WITH inserted AS ({sql} RETURNING id) {_move_head_sql('inserted')}"
        types += _HEAD_TYPES
    return text(sql).bindparams(*types)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def _lock_head(session: Session) -> str:
    """Lock the chain's head row until commit and return the last hash. A no-op UPDATE takes the lock on both
    databases and, on PostgreSQL, waits for a concurrent appender and then reads what it committed."""
    lock = (update(AuditChain).where(AuditChain.id == CHAIN_ROW).values(last_hash=AuditChain.last_hash)
            .returning(AuditChain.last_hash).execution_options(synchronize_session=False))
    head = session.execute(lock).scalar_one_or_none()
    if head is None:  # an emptied database: start the head from the last record there is
        last = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(AuditChain).values(id=CHAIN_ROW, last_hash=last or GENESIS)
                        .on_conflict_do_nothing())
        head = session.execute(lock).scalar_one()
    return head


# -- verification ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_id: int | None
    head_hash: str | None
    broken_id: int | None = None  # the first record whose link or content does not match
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(session: Session, *, batch_size: int = 5000, after: tuple[int, str] | None = None) -> ChainReport:
    """Walk the records in id order, recompute every hash and check every link; stop at the first break.
    `after=(id, hash)` walks only the records after a known good one (the last anchor's), from that hash on."""
    table = AuditRecord.__table__
    columns = [table.c.id, table.c.prev_hash, table.c.hash, *(table.c[name] for name in HASHED_FIELDS),
               type_coerce(table.c.data, Text).label("data_text")]
    expected, checked, previous_id = GENESIS, 0, None
    query = select(*columns).order_by(table.c.id)
    if after is not None:
        previous_id, expected = after
        query = query.where(table.c.id > previous_id)
    result = session.execute(query.execution_options(yield_per=batch_size))
    for row in result:
        if row.prev_hash != expected:
            where = f"#{previous_id}" if previous_id is not None else "链首"
            return ChainReport(checked, previous_id, expected, row.id,
                               f"记录 #{row.id} 记载的前一条哈希与 {where} 不符：其间有记录被删除或插入，"
                               f"或 {where} 被改写后重算了哈希。")
        if record_hash(row.prev_hash, row._mapping, row.data_text) != row.hash:
            return ChainReport(checked, previous_id, expected, row.id,
                               f"记录 #{row.id} 的内容与其哈希不符：该记录在写入后被改动。")
        expected, previous_id, checked = row.hash, row.id, checked + 1
    head = session.get(AuditChain, CHAIN_ROW)
    if head is not None and head.last_hash != expected and (checked or head.last_id is not None):
        return ChainReport(checked, previous_id, expected, head.last_id,
                           f"链头记载的最后一条记录为 #{head.last_id}，与现存最后一条 #{previous_id} 不符："
                           "末尾的记录被删除或被改动。")
    return ChainReport(checked, previous_id, expected if checked or after else None)


def seal_existing(connection) -> int:
    """Chain the records written before the chain existed (run once by the migration that adds it)."""
    table = cast(Table, AuditRecord.__table__)
    columns = [table.c.id, *(table.c[name] for name in HASHED_FIELDS), type_coerce(table.c.data, Text)]
    prev_hash, last_id, updates = GENESIS, None, []
    for row in connection.execute(select(*columns).order_by(table.c.id)):
        digest = record_hash(prev_hash, row._mapping, row[-1])
        updates.append({"row_id": row.id, "p": prev_hash, "h": digest})
        prev_hash, last_id = digest, row.id
    if updates:
        connection.execute(table.update().where(table.c.id == bindparam("row_id"))
                           .values(prev_hash=bindparam("p"), hash=bindparam("h")), updates)
    chain = cast(Table, AuditChain.__table__)
    connection.execute(chain.insert().values(id=CHAIN_ROW, last_id=last_id, last_hash=prev_hash,
                                             updated_at=datetime.now(timezone.utc)))
    return len(updates)
