"""Passwords are hashed with werkzeug's default (scrypt) unless ZHIFA_PASSWORD_HASH_METHOD names another method;
a login checks a hash by the method written in it, so accounts made under either setting keep working."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from engine.services.users import PASSWORD_HASH_METHOD, hash_password


def test_the_default_is_werkzeugs_scrypt(monkeypatch):
    monkeypatch.delenv(PASSWORD_HASH_METHOD, raising=False)
    hashed = hash_password("secret-pass-1")
    assert hashed.startswith("scrypt:") and check_password_hash(hashed, "secret-pass-1")


def test_the_setting_picks_the_method(monkeypatch):
    monkeypatch.setenv(PASSWORD_HASH_METHOD, "pbkdf2:sha256:1000")
    hashed = hash_password("secret-pass-1")
    assert hashed.startswith("pbkdf2:sha256:1000$") and check_password_hash(hashed, "secret-pass-1")
    assert not check_password_hash(hashed, "secret-pass-2")
