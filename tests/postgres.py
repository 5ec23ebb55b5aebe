"""Where the PostgreSQL runs of the suite go.

`ZHIFA_TEST_POSTGRES_URL` names the server; a server it names that cannot be used stops the run at its start, and
the empty string turns the PostgreSQL runs off. Unset, a local server (trust authentication, database `test`) is
used when a real connection to it works, and the runs are skipped with one line saying why when it does not.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

ENV = "ZHIFA_TEST_POSTGRES_URL"
LOCAL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Target:
    url: str | None  # None: no PostgreSQL runs
    header: str  # one line for the report header
    error: str | None = None  # the server ZHIFA_TEST_POSTGRES_URL names cannot be used: the run stops


def target(environ) -> Target:
    """Decide once per process, with one real connection."""
    hint = f'set {ENV} to a server\'s URL, or to "" to run on SQLite only'
    if ENV not in environ:
        problem = cannot_use(LOCAL)
        if problem is None:
            return Target(LOCAL, f"databases: sqlite, postgres ({shown(LOCAL)})")
        return Target(None, f"databases: sqlite only; PostgreSQL runs skipped, {shown(LOCAL)}: {problem} ({hint})")
    url = environ[ENV]
    if not url:
        return Target(None, f"databases: sqlite only; PostgreSQL runs turned off ({ENV} is empty)")
    problem = cannot_use(url)
    if problem is not None:
        return Target(None, "", error=f"{ENV}={shown(url)}: {problem}. Fix it, or unset it for a local server, "
                                      'or set it to "" to run on SQLite only.')
    return Target(url, f"databases: sqlite, postgres ({shown(url)})")


def cannot_use(url: str) -> str | None:
    """Why the tests cannot work there (unreachable, database missing, authentication failed, no right to create
    schemas), or None: connect and SELECT 1, with a short timeout."""
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                may_create = conn.scalar(text("SELECT has_database_privilege(current_database(), 'CREATE')"))
        finally:
            engine.dispose()
    except OperationalError as exc:
        return _reason(str(exc.orig))
    except Exception as exc:  # a malformed URL, a driver that is not installed
        return f"not usable, {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None if may_create else "no right to create schemas in that database"


def _reason(message: str) -> str:
    # libpq says e.g. 'connection failed: connection to server at "…", port 5432 failed: FATAL:  database "test"
    # does not exist'; keep the part after FATAL when there is one
    detail = message.rsplit("FATAL:", 1)[-1].strip().splitlines()[0].removeprefix("connection failed: ")
    lowered = message.lower()
    if "database" in lowered and "does not exist" in lowered:
        return f"database missing ({detail})"
    if any(word in lowered for word in ("password", "authentication", "pg_hba", "role ")):
        return f"authentication failed ({detail})"
    return f"unreachable ({detail})"


def shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(a URL that does not parse)"

