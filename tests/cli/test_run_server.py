"""`zhifa run` serves the product and fires timers in the same process, as the README promises."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    finally:
        server.terminate()
        server.wait(10)
