"""Settings from the environment, with safe defaults for the embedded (SQLite) set-up."""
from __future__ import annotations

import os
import secrets
import sys
from importlib.util import find_spec
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the checkout, or site-packages for an installed wheel
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
# an installed wheel has no checkout to hold instance/: Flask's place for an installed app's instance folder
DEFAULT_INSTANCE = PROJECT_ROOT / "instance" if IN_CHECKOUT else Path(sys.prefix) / "var" / "zhifa-instance"
# processes/ stays at the top of the repository and is installed as this package (see setup.py)
PROCESS_LIBRARY = "zhifa_processes"


def instance_path() -> Path:
    path = Path(os.environ.get("ZHIFA_INSTANCE_PATH", DEFAULT_INSTANCE))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return os.environ.get("ZHIFA_DATABASE_URL") or f"sqlite:///{instance_path() / 'zhifa.db'}"


def migration_database_url() -> str:
    """The owner's connection for `zhifa db upgrade` (ZHIFA_MIGRATION_DATABASE_URL), else the application's."""
    return os.environ.get("ZHIFA_MIGRATION_DATABASE_URL") or database_url()


def app_database_role() -> str | None:
    """The PostgreSQL role the application connects as, granted its rights by `zhifa db upgrade`:
    ZHIFA_DB_APP_ROLE, else the user of ZHIFA_DATABASE_URL when the migrations connect as another user."""
    from sqlalchemy.engine import make_url

    app, owner = make_url(database_url()), make_url(migration_database_url())
    if owner.get_backend_name() != "postgresql":  # SQLite has no roles
        return None
    if os.environ.get("ZHIFA_DB_APP_ROLE"):
        return os.environ["ZHIFA_DB_APP_ROLE"]
    if app.username and app.username != owner.username:
        return app.username
    return None


def audit_anchor_file() -> Path:
    return Path(os.environ.get("ZHIFA_AUDIT_ANCHOR_FILE") or instance_path() / "audit-anchors.jsonl")


def audit_anchor_hours() -> float:
    return float(os.environ.get("ZHIFA_AUDIT_ANCHOR_HOURS") or 24)


def product_clock():
    """The clock every part of the product reads: the system clock, or the system clock moved by
    `ZHIFA_CLOCK_OFFSET` (e.g. `+365d`) for a training instance or a test run a year ahead."""
    from engine.clock import ShiftedClock, SystemClock, parse_offset

    offset = os.environ.get("ZHIFA_CLOCK_OFFSET", "").strip()
    return ShiftedClock(parse_offset(offset)) if offset else SystemClock()


def processes_dir() -> Path:
    """ZHIFA_PROCESSES_DIR, else the process library shipped with the product: the package zhifa_processes, which
    is the checkout's processes/ in an editable install and a folder in site-packages for a wheel."""
    if os.environ.get("ZHIFA_PROCESSES_DIR"):
        return Path(os.environ["ZHIFA_PROCESSES_DIR"])
    spec = find_spec(PROCESS_LIBRARY)
    if spec is None or not spec.submodule_search_locations:  # an editable install older than the package
        return PROJECT_ROOT / "processes"
    return Path(spec.submodule_search_locations[0])


def secret_key() -> str:
    if os.environ.get("ZHIFA_SECRET_KEY"):
        return os.environ["ZHIFA_SECRET_KEY"]
    key_file = instance_path() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def default_config() -> dict:
    return {
        "SECRET_KEY": secret_key(),
        "ZHIFA_DATABASE_URL": database_url(),
        "ZHIFA_PROCESSES_DIR": str(processes_dir()),
        "ZHIFA_TICK_SECONDS": float(os.environ.get("ZHIFA_TICK_SECONDS", "1")),
        "ZHIFA_LEASE_SECONDS": float(os.environ.get("ZHIFA_LEASE_SECONDS", "30")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("ZHIFA_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_TIME_LIMIT": None,
        "ZHIFA_ATTACHMENTS_DIR": os.environ.get("ZHIFA_ATTACHMENTS_DIR", str(instance_path() / "attachments")),
        "ZHIFA_MAX_UPLOAD_MB": int(os.environ.get("ZHIFA_MAX_UPLOAD_MB", "100")),
        "MAX_CONTENT_LENGTH": (int(os.environ.get("ZHIFA_MAX_UPLOAD_MB", "100")) + 1) * 1024 * 1024,
        "JSON_AS_ASCII": False,
        # the admin console's idea of "stuck" (each may be changed on the dashboard for one look)
        "ZHIFA_STUCK_DAYS": int(os.environ.get("ZHIFA_STUCK_DAYS", "10")),
        "ZHIFA_UNCLAIMED_DAYS": int(os.environ.get("ZHIFA_UNCLAIMED_DAYS", "3")),
        "ZHIFA_TIMER_GRACE_MINUTES": int(os.environ.get("ZHIFA_TIMER_GRACE_MINUTES", "5")),
        "ZHIFA_SCHEDULER_STALE_SECONDS": int(os.environ.get("ZHIFA_SCHEDULER_STALE_SECONDS", "60")),
        "ZHIFA_METRICS_TOKEN": os.environ.get("ZHIFA_METRICS_TOKEN") or None,
        "ZHIFA_LOG_FORMAT": os.environ.get("ZHIFA_LOG_FORMAT", "text"),
    }
