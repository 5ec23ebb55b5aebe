"""Browser tests: the real `zhifa run` server and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from engine.clock import CHINA_TZ
from webapp.config import product_clock

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ZHIFA = str(Path(sys.executable).with_name("zhifa"))


def server_now() -> datetime:
    """The moment the server under test believes it is, in Beijing time. The server reads the same clock setting
    (ZHIFA_CLOCK_OFFSET, inherited from this process), so dates typed into its forms are relative to its own
    clock and the test runs the same on any day, a year ahead included."""
    return product_clock().now().astimezone(CHINA_TZ)


def local_input(moment: datetime) -> str:
    """A moment as a datetime-local field takes it (Beijing time, to the minute)."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")


def login(page, server, username: str) -> None:
    """Log in as a demo user (password demo12345) and land on the inbox."""
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox"))


def register_lead(page, *, source: str, summary: str, party_name: str, party_kind: str, id_number: str,
                  location: str, discovered: datetime, address: str | None = None) -> str:
    """Fill in the open 案源登记 form as a handler would, register it and return the new case's page."""
    page.select_option("#f-source", source)
    page.fill("#f-summary", summary)
    page.fill("#f-party_name", party_name)
    page.select_option("#f-party_kind", party_kind)
    page.fill("#f-party_id_number", id_number)
    if address is not None:
        page.fill("#f-party_address", address)
    page.fill("#f-location", location)
    page.fill("#f-discovered_at", local_input(discovered))
    page.click("button:has-text('登记')")
    page.wait_for_selector(".flash.success")
    return page.url


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
    log = instance / "server.log"
    process = subprocess.Popen([ZHIFA, "run", "--port", str(port)], env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"zhifa run did not answer on {base}:\n{log.read_text(errors='replace')[-3000:]}")
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
    refused = []  # what the Content-Security-Policy blocked: a script, a style or a font the page needed
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not refused, "the page's Content-Security-Policy refused:\n" + "\n".join(refused)
