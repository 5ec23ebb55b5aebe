"""`zhifa audit verify` on an operator's database: OK with exit 0, or the first broken link with exit 1."""
from __future__ import annotations

import sqlite3


def test_verify_passes_then_names_the_record_edited_in_the_database(cli, tmp_path):
    assert cli("demo").exit_code == 0
    intact = cli("audit", "verify")
    assert intact.exit_code == 0 and intact.output.startswith("OK: ") and "chain intact" in intact.output
    with sqlite3.connect(tmp_path / "instance" / "zhifa.db") as conn:  # SQLite has no trigger: only the ORM refuses
        [(target,)] = conn.execute("SELECT id FROM audit_record WHERE action = 'task_completed' ORDER BY id LIMIT 1")
        conn.execute("UPDATE audit_record SET data = '{\"findings\": \"改过\"}' WHERE id = ?", (target,))
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert f"BROKEN at record #{target}" in broken.output and "写入后被改动" in broken.output


def anchors(tmp_path) -> list[dict]:
    import json

    return [json.loads(line) for line in (tmp_path / "instance" / "audit-anchors.jsonl").read_text().splitlines()]


def sql(tmp_path, *statements) -> None:
    """What someone with the database file can do: SQLite has no role that could be refused it."""
    with sqlite3.connect(tmp_path / "instance" / "zhifa.db") as conn:
        for statement in statements:
            conn.execute(statement)


def test_an_anchor_records_the_head_and_verify_checks_against_it(cli, tmp_path):
    assert cli("demo").exit_code == 0
    first = cli("audit", "anchor")
    assert first.exit_code == 0 and first.output.startswith("anchored: ")
    [anchor] = anchors(tmp_path)
    with sqlite3.connect(tmp_path / "instance" / "zhifa.db") as conn:
        count, last_id, last_hash = conn.execute(
            "SELECT count(*), max(id), (SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1) FROM audit_record"
        ).fetchone()
    assert (anchor["records"], anchor["last_id"], anchor["last_hash"]) == (count, last_id, last_hash) and count > 20
    assert cli("user", "create", "clerk9", "--role", "handler", "--password", "long-enough-1").exit_code == 0
    verified = cli("audit", "verify")
    assert verified.exit_code == 0 and "锚点一致" in verified.output
    assert cli("audit", "anchor").exit_code == 0
    assert anchors(tmp_path)[-1]["records"] == count + 1


def test_verify_without_an_anchor_says_how_to_make_one(cli):
    result = cli("audit", "verify")
    assert result.exit_code == 0 and "尚无锚点" in result.output and "zhifa audit anchor" in result.output


def test_a_wiped_trail_is_reported_against_the_anchor(cli, tmp_path):
    cli("demo")
    cli("audit", "anchor")
    sql(tmp_path, "DELETE FROM audit_record", "DELETE FROM audit_chain")  # the chain alone says: 0 records, fine
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "审计记录已被清空" in result.output and "一条也没有" in result.output


def test_a_rewound_chain_is_reported_even_when_it_is_intact_again(cli, tmp_path):
    cli("demo")
    cli("audit", "anchor")
    sql(tmp_path, "DELETE FROM audit_record", "DELETE FROM audit_chain")  # new ids start at 1 again
    for number in range(3):  # the application goes on writing a new, valid chain from the genesis
        cli("user", "create", f"later{number}", "--role", "handler", "--password", "long-enough-1")
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "重新开始" in result.output
    refused = cli("audit", "anchor")  # a rewound trail is never anchored
    assert refused.exit_code == 1 and "未写入锚点" in refused.output and len(anchors(tmp_path)) == 1


def test_a_cut_off_tail_with_the_head_moved_back_is_reported(cli, tmp_path):
    cli("demo")
    cli("audit", "anchor")
    sql(tmp_path, "DELETE FROM audit_record WHERE id > (SELECT max(id) - 3 FROM audit_record)",
        "UPDATE audit_chain SET last_id = (SELECT max(id) FROM audit_record), "
        "last_hash = (SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1)")
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "已不存在" in result.output and "末尾的记录被删除" in result.output


def test_the_scheduler_writes_one_anchor_a_day(cli, tmp_path, monkeypatch):
    from datetime import datetime, timedelta, timezone

    from engine.clock import FrozenClock
    from engine.store.database import Database
    from webapp.context import EngineContext
    from webapp.scheduler import _anchor_job

    cli("demo")
    clock = FrozenClock(datetime(2026, 5, 4, 1, 0, tzinfo=timezone.utc))
    ctx = EngineContext(database=Database(f"sqlite:///{tmp_path / 'instance' / 'zhifa.db'}"), clock=clock)
    path = tmp_path / "instance" / "audit-anchors.jsonl"
    job = _anchor_job(ctx, path, timedelta(hours=24))
    job()
    clock.advance(timedelta(hours=23))
    job()  # the hourly look: the last anchor is younger than a day
    assert len(anchors(tmp_path)) == 1
    clock.advance(timedelta(hours=2))
    job()
    assert [entry["at"][:13] for entry in anchors(tmp_path)] == ["2026-05-04T01", "2026-05-05T02"]
    ctx.database.dispose()
