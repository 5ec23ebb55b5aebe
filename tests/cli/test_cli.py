"""The `zhifa` command on a fresh SQLite instance folder, as a newcomer or an operator uses it."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from tests.conftest import PROCESSES
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


def test_demo_creates_users_for_every_role_and_sample_cases_once(cli):
    first = cli("demo")
    assert first.exit_code == 0
    assert "4 sample cases created" in first.output and "password demo12345" in first.output
    second = cli("demo")
    assert "already present" in second.output
    token = cli("user", "token", "handler1").output.strip()
    assert len(token) > 30


def test_user_create_with_certificate_and_clear_errors(cli):
    cli("demo")
    created = cli("user", "create", "inspector7", "--role", "handler", "--certificate", "ZJ-7",
                  "--certificate-valid-until", "2027-06-30", "--password", "long-enough-1")
    assert created.exit_code == 0 and "created user inspector7" in created.output
    duplicate = cli("user", "create", "inspector7", "--role", "handler")
    assert duplicate.exit_code == 2 and "用户名已存在" in duplicate.output
    short = cli("user", "create", "inspector8", "--role", "head", "--password", "short")
    assert short.exit_code == 2 and "密码至少 8 位" in short.output
    missing = cli("user", "token", "nobody")
    assert missing.exit_code == 2 and "不存在" in missing.output


def test_timers_run_due_fires_what_is_due_by_the_given_moment(cli):
    cli("demo")
    early = json.loads(cli("timers", "run-due").output)
    assert early["fired"] == 0
    later = json.loads(cli("timers", "run-due", "--now", "2099-01-01T00:00:00+08:00").output)
    assert later["fired"] >= 1  # the sample cases' reminder timers


def test_a_bad_bpmn_file_is_named_and_the_rest_deploy(cli, tmp_path, monkeypatch):
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(PROCESSES / "case_lead.bpmn", folder)
    (folder / "broken.bpmn").write_text("<definitions>", encoding="utf-8")
    monkeypatch.setenv("ZHIFA_PROCESSES_DIR", str(folder))
    result = CliRunner().invoke(main, ["processes", "sync"])
    assert result.exit_code == 1
    assert "deployed case_lead v1" in result.output and "broken.bpmn" in result.output
