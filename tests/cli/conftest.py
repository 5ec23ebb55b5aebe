"""The `zhifa` command as an operator runs it, on an instance folder of the test's own (SQLite, no database yet)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from webapp.cli import main


@pytest.fixture
def zhifa(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("ZHIFA_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def cli(zhifa):
    """… with the schema made by `zhifa db upgrade`."""
    assert zhifa("db", "upgrade").exit_code == 0
    return zhifa
