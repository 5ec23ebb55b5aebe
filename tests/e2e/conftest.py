"""Browser tests: the real `zhifa run` server and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ZHIFA = str(Path(sys.executable).with_name("zhifa"))


def _chromium_or_skip():
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("ZHIFA_E2E_REQUIRED"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does)")
    pytest.skip("Debian chromium not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _chromium_or_skip()
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = {**os.environ, "ZHIFA_INSTANCE_PATH": str(instance)}
    env.pop("ZHIFA_DATABASE_URL", None)
    subprocess.run([ZHIFA, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([ZHIFA, "demo"], env=env, check=True, capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([ZHIFA, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
