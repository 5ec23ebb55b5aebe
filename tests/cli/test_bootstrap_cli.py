"""A production install from a fresh database, without demo data: the first agency and administrator come from
the command line, and a command run before `zhifa db upgrade` says so in one line instead of a traceback."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", [
    ("user", "token", "x"), ("user", "create", "admin", "--role", "admin"), ("agency", "create", "dc", "东城"),
    ("agency", "list"), ("demo",), ("processes", "sync"), ("timers", "run-due"), ("audit", "verify"),
    ("audit", "anchor"), ("worker",),
])
def test_every_command_on_a_fresh_database_asks_for_the_upgrade_in_one_line(zhifa, command):
    result = zhifa(*command)
    assert result.exit_code == 2
    assert result.output.strip() == "错误：数据库尚未建立（没有表结构）：请先运行 zhifa db upgrade。"


def test_an_unreachable_database_is_one_line_naming_the_setting(zhifa, monkeypatch, tmp_path):
    monkeypatch.setenv("ZHIFA_DATABASE_URL", f"sqlite:///{tmp_path / 'no-such-folder' / 'zhifa.db'}")
    for command in (("user", "token", "x"), ("db", "upgrade")):
        result = zhifa(*command)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
        assert "无法连接数据库" in result.output and "ZHIFA_DATABASE_URL" in result.output


def test_an_older_schema_asks_for_the_upgrade(zhifa, tmp_path):
    from engine.store.migrate import upgrade

    (tmp_path / "instance").mkdir()
    upgrade(f"sqlite:///{tmp_path / 'instance' / 'zhifa.db'}", "0006")
    result = zhifa("user", "token", "x")
    assert result.exit_code == 2 and "不是最新版本" in result.output and "zhifa db upgrade" in result.output


def test_the_first_agency_and_administrator_from_a_fresh_database(zhifa):
    assert zhifa("db", "upgrade").exit_code == 0
    none_yet = zhifa("user", "create", "chief", "--role", "admin")
    assert none_yet.exit_code == 2 and "zhifa agency create" in none_yet.output
    assert zhifa("agency", "create", "county", "某县综合行政执法局").exit_code == 0
    township = zhifa("agency", "create", "dongcheng", "东城镇综合行政执法队", "--parent", "county",
                     "--case-prefix", "东城综执案")
    assert township.exit_code == 0 and "under county" in township.output
    orphan = zhifa("agency", "create", "x1", "某镇", "--parent", "nowhere")
    assert orphan.exit_code == 2 and "没有找到代码为 nowhere 的上级机关" in orphan.output
    again = zhifa("agency", "create", "dongcheng", "重名")
    assert again.exit_code == 2 and "机关代码已存在" in again.output
    listed = zhifa("agency", "list").output.splitlines()
    assert listed == ["county\t某县综合行政执法局\tcounty", "dongcheng\t东城镇综合行政执法队\ttownship\tcounty"]
    wrong = zhifa("user", "create", "chief", "--role", "admin", "--agency", "xiwan")
    assert wrong.exit_code == 2 and "没有找到代码为 xiwan 的机关" in wrong.output and "dongcheng" in wrong.output
    created = zhifa("user", "create", "chief", "--role", "admin", "--agency", "dongcheng", "--password", "first-admin-1")
    assert created.exit_code == 0
    assert len(zhifa("user", "token", "chief").output.strip()) > 30
    unknown = zhifa("user", "token", "nobody")
    assert unknown.exit_code == 2 and unknown.output.strip() == "错误：用户 nobody 不存在。"


def test_the_first_administrator_signs_in_on_the_web(zhifa, tmp_path):
    zhifa("db", "upgrade")
    zhifa("agency", "create", "dongcheng", "东城镇综合行政执法队")
    zhifa("user", "create", "chief", "--role", "admin", "--agency", "dongcheng", "--password", "first-admin-1")
    from webapp import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": "chief", "password": "first-admin-1"})
    assert response.status_code == 302
    assert client.get("/admin/people").status_code == 200
