"""Where the PostgreSQL runs of the suite go, and the schema each run and worker works in.

`ZHIFA_TEST_POSTGRES_URL` names the server; a server it names that cannot be used stops the run at its start, and
the empty string turns the PostgreSQL runs off. Unset, a local server (trust authentication, database `test`) is
used when a real connection to it works, and the runs are skipped with one line saying why when it does not.

Every run and worker gets a schema of its own, `zhifa_test_<run>_<worker>`, so runs sharing a server leave each
other alone; it is dropped when the run ends. A run killed before its end leaves its schemas behind: a later run
drops the ones whose comment says they were created more than a day ago (names without that comment are not ours
to judge and stay).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models import Base

ENV = "ZHIFA_TEST_POSTGRES_URL"
LOCAL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "zhifa_test_"
CREATED = "zhifa test schema, created "  # the schema comment that dates it, for dropping stale ones safely
STALE_AFTER = timedelta(days=1)
# their triggers refuse DELETE and TRUNCATE (migrations 0001, 0014): a reset disables them for its TRUNCATE, as an
# owner must do deliberately
APPEND_ONLY = ("audit_record", "audit_chain")
KEPT = {"role"}  # filled by the migrations, never changed by a test
# the application's role every run's migrations grant to, as `zhifa db upgrade` does in production (roles are
# cluster-wide: one for every run, created by whichever run comes first, and left in place)
APP_ROLE = "zhifa_test_app"


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


def schema_name(config) -> str:
    """Per run and worker: xdist hands every worker the run's uid; a run without xdist makes its own."""
    workerinput = getattr(config, "workerinput", None)
    run = workerinput["testrunuid"] if workerinput else uuid.uuid4().hex
    worker = workerinput["workerid"] if workerinput else "main"
    return f"{SCHEMA_PREFIX}{run[:12]}_{worker}"


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


class RunSchema:
    """A migrated schema holding what `fill` put in it (the process library), with a copy of those rows in a twin
    schema so that `reset()` brings the schema back to that state in one round trip of a few milliseconds (DELETE
    is much faster than TRUNCATE on small tables; the sequences restart as well)."""

    def __init__(self, server_url: str, name: str, fill: Callable[[Database], None]):
        self.server_url, self.name, self.copy = server_url, name, f"{name}_template"
        self.url = _with_search_path(server_url, name)
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as conn:
                created = conn.scalar(text("SELECT now()")).isoformat()
                for schema in (self.name, self.copy):
                    conn.execute(text(f"CREATE SCHEMA {schema}"))
                    conn.execute(text(f"COMMENT ON SCHEMA {schema} IS '{CREATED}{created}'"))
        finally:
            admin.dispose()
        upgrade(self.url, app_role=APP_ROLE)
        database = Database(self.url)
        try:
            fill(database)
        finally:
            database.dispose()
        self.engine = create_engine(self.url, pool_size=1)
        self._reset_sql = self._snapshot()

    def _snapshot(self) -> str:
        tables = [table.name for table in Base.metadata.sorted_tables if table.name not in KEPT]
        with self.engine.begin() as conn:
            filled = [name for name in tables if conn.scalar(text(f"SELECT EXISTS (SELECT FROM {name})"))]
            for name in filled:
                conn.execute(text(f"CREATE TABLE {self.copy}.{name} AS SELECT * FROM {self.name}.{name}"))
            sequences = list(conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s"),
                                          {"s": self.name}))
            serials = {name: conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
                       for name in filled if "id" in Base.metadata.tables[name].c}
        statements = [f"ALTER TABLE {name} DISABLE TRIGGER USER" for name in APPEND_ONLY]
        statements += [f"TRUNCATE {', '.join(APPEND_ONLY)}"]
        statements += [f"ALTER TABLE {name} ENABLE TRIGGER USER" for name in APPEND_ONLY]
        statements += [f"DELETE FROM {name}" for name in reversed(tables) if name not in APPEND_ONLY]
        if sequences:
            statements.append("SELECT " + ", ".join(f"setval('{seq}', 1, false)" for seq in sequences))
        statements += [f"INSERT INTO {name} SELECT * FROM {self.copy}.{name}" for name in filled]
        moves = [f"setval('{seq}', (SELECT max(id) FROM {name}))" for name, seq in serials.items() if seq]
        if moves:
            statements.append("SELECT " + ", ".join(moves))
        return ";\n".join(statements)

    def reset(self) -> None:
        """Back to the state `fill` left: every table emptied, then the rows it wrote put back as they were."""
        with self.engine.begin() as conn:
            conn.connection.driver_connection.execute(self._reset_sql)

    def drop(self) -> None:
        self.engine.dispose()
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name}, {self.copy} CASCADE"))
        finally:
            admin.dispose()


def drop_stale_schemas(server_url: str) -> list[str]:
    """Drop the test schemas that say they were created more than a day ago (a run that was killed)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    dropped = []
    try:
        with admin.connect() as conn:
            rows = conn.execute(text(
                "SELECT nspname, obj_description(oid, 'pg_namespace'), now() FROM pg_namespace "
                "WHERE nspname LIKE :prefix"), {"prefix": SCHEMA_PREFIX.replace("_", r"\_") + "%"}).all()
            for name, comment, now in rows:
                created = _created(comment)
                if created is None or now - created < STALE_AFTER:
                    continue
                try:
                    conn.execute(text('DROP SCHEMA IF EXISTS "{}" CASCADE'.format(name.replace('"', '""'))))
                    dropped.append(name)
                except Exception:  # another run dropped it a moment ago, or it is busy: leave it for next time
                    pass
    finally:
        admin.dispose()
    return dropped


def _created(comment: str | None) -> datetime | None:
    if not comment or not comment.startswith(CREATED):
        return None
    try:
        created = datetime.fromisoformat(comment.removeprefix(CREATED))
    except ValueError:
        return None
    return created if created.tzinfo is not None else None


def truncate_all(database: Database) -> None:
    """Empty every table but the roles, process library included (the benchmarks seed a schema from nothing)."""
    tables = [table.name for table in Base.metadata.sorted_tables if table.name not in KEPT]
    with database.engine.begin() as conn:
        for name in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for name in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))
