"""The full-process record is a hash chain: every record links to the one before it, an edit, a deletion or an
insertion made behind the application's back is found at the first broken link, and concurrent writers still
append one chain."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, func, select, text

from engine import audit
from engine.actors import Actor
from engine.audit import GENESIS, verify_chain
from engine.store.migrate import upgrade
from engine.store.models import AuditChain, AuditRecord


def verify(world):
    with world.uow() as uow:
        return verify_chain(uow.session)


def raw(world, sql: str, **params) -> None:
    """Change the table as someone with a SQL prompt would (on PostgreSQL, past the append-only trigger)."""
    postgres = world.database.engine.dialect.name == "postgresql"
    with world.database.engine.begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_rewrite"))
        conn.execute(text(sql), params)
        if postgres:
            conn.execute(text("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_rewrite"))


def record_ids(world) -> list[int]:
    with world.uow() as uow:
        return list(uow.session.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))


def test_every_record_links_to_the_one_before(world, staff):
    case_id = world.register(staff["handler1"])  # one transaction writes several records
    from tests.trouble import do
    do(world, case_id, "lead_check", staff["handler1"], findings="属实", recommendation="file")
    with world.uow() as uow:
        rows = uow.session.execute(select(AuditRecord.id, AuditRecord.prev_hash, AuditRecord.hash)
                                   .order_by(AuditRecord.id)).all()
        head = uow.session.get(AuditChain, 1)
    assert len(rows) > 5 and rows[0].prev_hash == GENESIS
    assert all(row.prev_hash == before.hash for before, row in zip(rows, rows[1:]))
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    report = verify(world)
    assert report.ok and report.checked == len(rows) and report.head_hash == rows[-1].hash


def test_an_edited_record_is_the_first_broken_link(world, staff):
    world.register(staff["handler1"])
    world.register(staff["handler2"])
    ids = record_ids(world)
    target = ids[len(ids) // 2]
    raw(world, "UPDATE audit_record SET summary = :s WHERE id = :id", s="改写过的记录", id=target)
    report = verify(world)
    assert not report.ok and report.broken_id == target and "被改动" in report.problem
    assert report.checked == ids.index(target)


def test_a_deleted_or_forged_record_breaks_the_chain(world, staff):
    world.register(staff["handler1"])
    ids = record_ids(world)
    raw(world, "DELETE FROM audit_record WHERE id = :id", id=ids[2])
    report = verify(world)
    assert report.broken_id == ids[3] and "删除或插入" in report.problem
    raw(world, "INSERT INTO audit_record (id, at, actor_name, action, summary, prev_hash, hash) "
               "VALUES (:id, :at, '伪造', 'task_completed', '伪造的记录', :p, :h)",
        id=ids[2], at=datetime(2026, 3, 2, 1, 0), p=GENESIS, h=GENESIS)
    assert verify(world).broken_id == ids[2]


def test_removing_the_newest_records_is_found_by_the_chain_head(world, staff):
    world.register(staff["handler1"])
    ids = record_ids(world)
    raw(world, "DELETE FROM audit_record WHERE id = :id", id=ids[-1])
    report = verify(world)
    assert not report.ok and report.broken_id == ids[-1] and "末尾" in report.problem


def test_concurrent_writers_append_one_chain(world):
    errors, before = [], len(record_ids(world))

    def writer(number: int) -> None:
        try:
            for round_ in range(8):
                with world.uow() as uow:
                    for index in range(3):
                        audit.record(uow.session, clock=world.clock, actor=Actor.system(f"w{number}"),
                                     action="test", summary=f"{number}-{round_}-{index}")
                    uow.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify(world)
    assert report.ok and report.checked == before + 6 * 8 * 3
    with world.uow() as uow:  # each transaction's records stay together and in order
        summaries = list(uow.session.scalars(select(AuditRecord.summary).where(AuditRecord.action == "test")
                                             .order_by(AuditRecord.id)))
    for start in range(0, len(summaries), 3):
        batch = summaries[start:start + 3]
        assert [s.rsplit("-", 1)[1] for s in batch] == ["0", "1", "2"]
        assert len({s.rsplit("-", 1)[0] for s in batch}) == 1


def test_a_rolled_back_transaction_leaves_no_record_and_no_gap_in_the_chain(world):
    with world.uow() as uow:
        audit.record(uow.session, clock=world.clock, actor=Actor.system(), action="test", summary="never")
    with world.uow() as uow:
        audit.record(uow.session, clock=world.clock, actor=Actor.system(), action="test", summary="kept")
        uow.commit()
    with world.uow() as uow:
        assert list(uow.session.scalars(select(AuditRecord.summary).where(AuditRecord.action == "test"))) == ["kept"]
    assert verify(world).ok


def test_the_migration_chains_the_records_written_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        for number in range(5):
            conn.execute(text("INSERT INTO audit_record (at, actor_name, action, summary, data) "
                              "VALUES (:at, '系统', 'old', :s, :d)"),
                         {"at": datetime(2026, 1, 1, 0, number, tzinfo=timezone.utc).replace(tzinfo=None),
                          "s": f"旧记录 {number}", "d": '{"n": %d}' % number})
    upgrade(url)
    from engine.store.database import Database
    database = Database(url)
    with database.unit_of_work() as uow:
        report = verify_chain(uow.session)
        assert report.ok and report.checked == 5
        assert uow.session.scalar(select(func.count()).where(AuditRecord.hash.is_(None))) == 0
        audit.record(uow.session, clock=_Fixed(), actor=Actor.system(), action="new", summary="迁移之后")
        uow.commit()
    with database.unit_of_work() as uow:
        assert verify_chain(uow.session).checked == 6
    database.dispose()
    engine.dispose()


class _Fixed:
    def now(self):
        return datetime(2026, 1, 2, tzinfo=timezone.utc)


def test_a_locked_instance_does_not_block_records_about_it(world, staff):
    """A step holds its instance's row lock until it commits, and commits after taking the chain's lock; another
    transaction holding the chain's lock must be able to append a record about that instance (its foreign key
    check), or the two would wait for each other."""
    if world.database.is_sqlite:
        pytest.skip("SQLite has one writer at a time and no row locks")
    from engine.services.stepping import get_instance

    case_id = world.register(staff["handler1"])
    instance_id = world.only_task(case_id).instance_id
    holder = world.uow()
    with holder:
        get_instance(holder.session, instance_id, for_update=True)  # the step's row lock, held
        done = threading.Event()

        def append() -> None:
            with world.uow() as uow:
                audit.record(uow.session, clock=world.clock, actor=Actor.system(), action="test", summary="about it",
                             case_id=case_id, instance_id=instance_id)
                uow.commit()
            done.set()

        thread = threading.Thread(target=append)
        thread.start()
        assert done.wait(10), "the record about a locked instance waited for the lock"
        audit.record(holder.session, clock=world.clock, actor=Actor.system(), action="test", summary="the step")
        holder.commit()
    thread.join()
    assert verify(world).ok
