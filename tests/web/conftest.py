from __future__ import annotations

import re

import pytest
from jinja2 import BytecodeCache

from engine.services.users import issue_token
from webapp import create_app


class CompiledTemplates(BytecodeCache):
    """Every test builds an app of its own, and each app compiled every template it rendered again (all of them
    take about 0.7 s to compile); the apps of one session share the compiled code instead. A changed template has
    another checksum and is compiled afresh."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
def app(world, tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "ZHIFA_DATABASE": world.database,
                      "ZHIFA_CLOCK": world.clock})
    app.extensions["zhifa"].runner = world.runner
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = "secret-pass-1"):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})


@pytest.fixture
def token_for(world):
    def make(username: str) -> dict:
        return {"Authorization": f"Bearer {issue_token(username=username, **world.deps())}"}
    return make
