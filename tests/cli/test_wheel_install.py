"""`pip install .` (not editable) gives a working product outside the checkout.

The wheel is built from a copy of the working tree (the checkout's build/ folder and other engineers' builds stay
out of it), installed into a fresh virtualenv, and run from a folder that is not the checkout: the process
library, the deadline catalog, the front-end assets and the English catalog must all come from the wheel.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from webapp import assets

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "requirements" / "run.txt"  # the product's lock file: the versions make install tests
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "node_modules", "instance", "test-artifacts", "build", "dist",
                                    "*.egg-info", "__pycache__", ".pytest_cache", "*.mo")
VIEWER = "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
BUILD_TIMEOUT = 600  # the first build and install download from the package index; later ones hit pip's cache


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list, *, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; on failure stop the test with its command line and both outputs."""
    try:
        result = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout,
                                **kwargs)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{' '.join(map(str, command))} took more than {timeout} s\n{exc.stdout}\n{exc.stderr}")
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited with {result.returncode}\n"
                    f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def build_wheel(tmp_path: Path) -> Path:
    if not assets.vendor_is_current(ROOT) and shutil.which("npm") is None:
        pytest.fail("building the wheel copies the front-end assets from npm: install Node.js and npm "
                    "(or run `make install`, which puts them into webapp/static/vendor/ beforehand)")
    source = tmp_path / "source"

    def ignore(folder, names):  # never copy the copy (a --basetemp inside the checkout)
        inside = {name for name in names if tmp_path.is_relative_to(Path(folder, name))}
        return NOT_SOURCE(folder, names) | inside

    shutil.copytree(ROOT, source, ignore=ignore, symlinks=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp_path / "dist", source],
        timeout=BUILD_TIMEOUT)
    (wheel,) = (tmp_path / "dist").glob("zhifa-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A fresh virtualenv without pip of its own: this pip installs into it (fast, and the same cache)."""
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    constraints = ["--constraint", CONSTRAINTS]
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", *constraints, wheel],
        timeout=BUILD_TIMEOUT)
    return venv / "bin"


def product_env(instance: Path) -> dict:
    """The caller's environment without anything that points into the checkout or at another database."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ZHIFA_") and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "ZHIFA_INSTANCE_PATH": str(instance), "PYTHONDONTWRITEBYTECODE": "1"}


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            pytest.fail(f"zhifa run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"zhifa run did not answer {url} within {seconds} s")
            time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def test_an_installed_wheel_serves_the_demo_outside_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"zhifa_processes/lead_intake.bpmn", "engine/deadlines/catalog.toml", "webapp" + VIEWER,
            "webapp/translations/en/LC_MESSAGES/messages.mo"} <= names
    assert not [name for name in names if name.endswith((".po", ".pot"))]

    bin_dir = install(wheel, tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = product_env(tmp_path / "instance")
    where = run([bin_dir / "python", "-c", "import webapp.config as c; print(c.__file__, c.processes_dir(), "
                 "c.DEFAULT_INSTANCE, sep='\\n')"], cwd=elsewhere, env=env).stdout.splitlines()
    code, library, default_instance = map(Path, where)
    assert code.is_relative_to(tmp_path / "venv"), where  # the wheel's code, not the checkout's
    assert library.is_relative_to(tmp_path / "venv") and (library / "lead_intake.bpmn").is_file(), where
    assert default_instance == tmp_path / "venv" / "var" / "zhifa-instance", where  # not inside site-packages

    shipped = run([bin_dir / "zhifa-assets"], cwd=elsewhere, env=env).stdout
    assert "已随安装包提供" in shipped and "bpmn-js" in shipped
    run([bin_dir / "zhifa", "db", "upgrade"], cwd=elsewhere, env=env)
    demo = run([bin_dir / "zhifa", "demo"], cwd=elsewhere, env=env).stdout
    assert "deployed lead_intake v1" in demo and "5 sample cases created" in demo

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([bin_dir / "zhifa", "run", "--port", str(port)], cwd=elsewhere, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        login_page = wait_for(f"{base}/login", server)
        assert "登录" in login_page and "用户名" in login_page
        with urllib.request.urlopen(base + VIEWER, timeout=10) as response:
            assert response.status == 200 and len(response.read()) > 100_000

        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = browser.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        credentials = {"csrf_token": token, "username": "handler1", "password": "demo12345"}
        with browser.open(f"{base}/login", data=urllib.parse.urlencode(credentials).encode(), timeout=10) as inbox:
            assert inbox.geturl() == f"{base}/inbox"
            page = inbox.read().decode()
        assert "我的待办" in page
        assert "周某某" in page and "东城建工集团有限公司" in page  # demo cases waiting for a handler

        browser.open(f"{base}/language/en?next=/inbox", timeout=10).read()
        assert "My tasks" in browser.open(f"{base}/inbox", timeout=10).read().decode()  # the compiled catalog
    except BaseException:
        print(f"--- zhifa run output\n{log.read_text(errors='replace')}")  # pytest shows it with the failure
        raise
    finally:
        stop(server)
