"""The `zhifa` command on a fresh SQLite instance folder, as a newcomer or an operator uses it."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from tests.conftest import FIXTURES
from webapp.cli import main


def test_demo_creates_users_for_every_role_and_sample_cases_once(cli):
    first = cli("demo")
    assert first.exit_code == 0
    assert "5 sample cases created" in first.output and "password demo12345" in first.output
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
    shutil.copy(FIXTURES / "case_lead.bpmn", folder)
    (folder / "broken.bpmn").write_text("<definitions>", encoding="utf-8")
    monkeypatch.setenv("ZHIFA_PROCESSES_DIR", str(folder))
    result = CliRunner().invoke(main, ["processes", "sync"])
    assert result.exit_code == 1
    assert "deployed case_lead v1" in result.output and "broken.bpmn" in result.output


def test_deadline_compute_prints_the_due_date_and_its_explanation(cli):
    party = json.loads(cli("deadline", "compute", "--start", "2025-01-14", "--period", "15", "--unit", "day",
                           "--party").output)
    assert party["due"] == "2025-02-05" and party["provisional"] is False
    assert "届满日 01-29 为法定节假日（春节），顺延至 2025-02-05" in party["explanation"]
    agency = json.loads(cli("deadline", "compute", "--start", "2025-07-03", "--period", "90", "--unit",
                            "day").output)
    assert (agency["due"], agency["strict_due"]) == ("2025-10-09", "2025-10-01")
    future = json.loads(cli("deadline", "compute", "--start", "2031-05-06", "--period", "7", "--unit",
                            "workday").output)
    assert future["provisional"] is True and "暂定" in future["explanation"]
    bad = cli("deadline", "compute", "--start", "06/05/2025", "--period", "7", "--unit", "workday")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_deadline_compute_takes_hours_from_a_moment_and_years_like_the_catalog(cli):
    urgent = json.loads(cli("deadline", "compute", "--start", "2025-09-30T16:30", "--period", "24", "--unit",
                            "hour").output)
    assert urgent["due_at"] == "2025-10-01T16:30:00+08:00" and urgent["provisional"] is False
    assert "2025-09-30 16:30 起 24 小时，至 2025-10-01 16:30 届满" in urgent["explanation"]
    utc = json.loads(cli("deadline", "compute", "--start", "2025-09-30T08:30:00+00:00", "--period", "24",
                         "--unit", "hour").output)
    assert utc["due_at"] == "2025-10-01T16:30:00+08:00"
    for bare in ("2025-09-30", "tomorrow"):
        refused = cli("deadline", "compute", "--start", bare, "--period", "24", "--unit", "hour")
        assert refused.exit_code == 2 and "带时、分的时刻" in refused.output
        assert len(refused.output.strip().splitlines()) == 1
    # 2 years after 2023-10-01 is 2025-10-01, 国庆节: a party's period rolls to 10-09
    bar = json.loads(cli("deadline", "compute", "--start", "2023-10-01", "--period", "2", "--unit", "year",
                         "--party").output)
    assert bar["due"] == "2025-10-09" and "2年" in bar["explanation"]


def test_calendar_import_makes_a_new_year_known(cli, tmp_path):
    before = json.loads(cli("deadline", "compute", "--start", "2027-09-28", "--period", "7", "--unit",
                            "workday").output)
    # 09-29, 09-30, 国庆节 10-01 to 10-03 (holiday measures Art. 2, a Friday and a weekend), then 10-04 to 10-08
    assert before["provisional"] is True and before["due"] == "2027-10-08"
    assert "2027-10-01 至 10-03 国庆节" in before["explanation"] and "暂定" in before["explanation"]
    schedule = tmp_path / "2027.txt"
    schedule.write_text("# 2027 国庆节\n" + "".join(f"2027-10-0{d},holiday,国庆节\n" for d in range(1, 8))
                        + "2027-09-26,workday,国庆调休\n", encoding="utf-8")
    imported = cli("calendar", "import", "2027", str(schedule), "--confirm")
    assert imported.exit_code == 0 and json.loads(imported.output) == {"year": 2027, "days": 8, "confirmed": True}
    after = json.loads(cli("deadline", "compute", "--start", "2027-09-28", "--period", "7", "--unit",
                           "workday").output)
    assert after["provisional"] is False and after["due"] == "2027-10-14"
    shown = cli("calendar", "show", "2027").output
    assert "已有节假日安排" in shown and "2027-09-26 调休上班" in shown and "2027-10-01 休息（国庆节）" in shown
    broken = tmp_path / "broken.txt"
    broken.write_text("2027-13-01,holiday\n2027-10-09,party\n", encoding="utf-8")
    failed = cli("calendar", "import", "2027", str(broken))
    assert failed.exit_code == 2 and "第 1 行" in failed.output and "第 2 行" in failed.output
