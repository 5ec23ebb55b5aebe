"""`zhifa run` serves the product and fires timers in the same process, as the README promises."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.clock import CHINA_TZ
from webapp import create_app

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_serves_the_login_page_and_the_api(tmp_path):
    env = {**os.environ, "ZHIFA_INSTANCE_PATH": str(tmp_path)}
    env.pop("ZHIFA_DATABASE_URL", None)
    zhifa = str(BIN / "zhifa")
    subprocess.run([zhifa, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([zhifa, "demo"], env=env, check=True, capture_output=True)
    token = subprocess.run([zhifa, "user", "token", "head1"], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([zhifa, "run", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert "登录" in page
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/tasks",
                                         headers={"Authorization": f"Bearer {token}"})
        tasks = urllib.request.urlopen(request, timeout=5).read().decode()
        assert "立案审批" in tasks  # a sample case waits for the head's filing approval
        time.sleep(2.5)  # a few scheduler ticks
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    # routine ticks are not logged: APScheduler's two INFO lines a second would be 7,200 lines an hour
    assert "apscheduler" not in output and "Running job" not in output, output[-2000:]


def test_a_busy_port_is_one_clear_line_and_starts_nothing(tmp_path):
    env = {**os.environ, "ZHIFA_INSTANCE_PATH": str(tmp_path)}
    env.pop("ZHIFA_DATABASE_URL", None)
    zhifa = str(BIN / "zhifa")
    subprocess.run([zhifa, "db", "upgrade"], env=env, check=True, capture_output=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([zhifa, "run", "--port", str(port)], env=env, capture_output=True, text=True,
                                timeout=60)
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "端口" in result.stderr and f"--port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "running at" not in result.stdout


def test_the_product_clock_can_be_set_ahead_for_every_command(tmp_path):
    """ZHIFA_CLOCK_OFFSET moves the product's clock (a training instance, or the suite's year-ahead run):
    a case registered by `zhifa demo` takes its number and dates from that clock."""
    env = {**os.environ, "ZHIFA_INSTANCE_PATH": str(tmp_path), "ZHIFA_CLOCK_OFFSET": "+800d"}
    env.pop("ZHIFA_DATABASE_URL", None)
    zhifa = str(BIN / "zhifa")
    subprocess.run([zhifa, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([zhifa, "demo"], env=env, check=True, capture_output=True)
    os.environ["ZHIFA_CLOCK_OFFSET"] = "+800d"
    try:
        app = create_app({"ZHIFA_DATABASE_URL": f"sqlite:///{tmp_path / 'zhifa.db'}", "SECRET_KEY": "x"})
    finally:
        del os.environ["ZHIFA_CLOCK_OFFSET"]
    ahead = (datetime.now(timezone.utc) + timedelta(days=800)).astimezone(CHINA_TZ)
    assert abs(app.extensions["zhifa"].clock.now() - ahead) < timedelta(minutes=5)
    with sqlite3.connect(tmp_path / "zhifa.db") as db:
        numbers = [row[0] for row in db.execute("SELECT number FROM enforcement_case")]
    assert numbers and all(f"〔{ahead.year}〕" in number for number in numbers), numbers

    bad = subprocess.run([zhifa, "demo"], env={**env, "ZHIFA_CLOCK_OFFSET": "next year"}, capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "ZHIFA_CLOCK_OFFSET" in bad.stderr and "+365d" in bad.stderr
    assert "Traceback" not in bad.stderr
