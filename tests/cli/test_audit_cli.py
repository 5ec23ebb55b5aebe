"""`zhifa audit verify` on an operator's database: OK with exit 0, or the first broken link with exit 1."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from webapp.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("ZHIFA_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


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
