"""On PostgreSQL the application's role can append to the full-process record and nothing else: no TRUNCATE,
UPDATE or DELETE of the records, no rewind of the chain's head; the owner is refused the same by triggers until
it disables them on purpose; and a wipe or a rewind done that way is caught against the anchor."""
from __future__ import annotations

import threading
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from engine.audit import GENESIS
from engine.store.database import Database
from engine.store.grants import grant_application_role
from tests.conftest import POSTGRES_URL, World
from tests.postgres import APP_ROLE
from tests.trouble import do

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")


def as_application(url: str) -> str:
    """The same schema, connected as the application's role (the suite's server lets its user become it)."""
    return f"{url}%20-crole%3D{APP_ROLE}"


def refused(url: str, sql: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except DBAPIError as error:
        return str(error.orig)
    finally:
        engine.dispose()
    raise AssertionError(f"not refused: {sql}")


@pytest.fixture
def app_world(postgres_url, clock):
    database = Database(as_application(postgres_url))
    with database.engine.connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == APP_ROLE
    world = World(database=database, clock=clock)
    world.agency_id = world.agency()
    yield world
    database.dispose()


def test_the_application_works_but_cannot_wipe_or_rewrite_the_record(app_world, postgres_url):
    handler = app_world.user("handler1", "handler")
    case_id = app_world.register(handler)
    do(app_world, case_id, "lead_check", handler, findings="属实", recommendation="file")  # a step, as the app
    app = as_application(postgres_url)
    for sql in ("TRUNCATE audit_record", "DELETE FROM audit_record", "UPDATE audit_record SET summary = 'x'",
                "DELETE FROM audit_chain", "TRUNCATE audit_chain",
                "SELECT setval(pg_get_serial_sequence('audit_record', 'id'), 1)",
                "ALTER TABLE audit_record DISABLE TRIGGER USER"):
        message = refused(app, sql)
        assert "permission denied" in message or "must be owner" in message, (sql, message)
    assert "only moves forward" in refused(app, f"UPDATE audit_chain SET last_id = NULL, last_hash = '{GENESIS}'")


def test_the_owner_is_refused_too_until_it_disables_the_triggers(app_world, postgres_url):
    app_world.register(app_world.user("handler1", "handler"))
    assert "append-only" in refused(postgres_url, "TRUNCATE audit_record")
    assert "append-only" in refused(postgres_url, "DELETE FROM audit_record")
    assert "only moves forward" in refused(postgres_url, "UPDATE audit_chain SET last_id = last_id - 1")
    assert "only moves forward" in refused(postgres_url, "TRUNCATE audit_chain")


def wipe(owner_url: str) -> None:
    """What an owner bent on it does: disable the triggers, empty the record, reset the head."""
    engine = create_engine(owner_url, poolclass=NullPool)
    with engine.begin() as conn:
        for table in ("audit_record", "audit_chain"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(text("TRUNCATE audit_record, audit_chain RESTART IDENTITY"))
        for table in ("audit_record", "audit_chain"):
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    engine.dispose()


def test_a_wipe_and_a_rewind_are_caught_against_the_anchor(app_world, postgres_url, tmp_path, monkeypatch):
    from webapp.cli import main

    monkeypatch.setenv("ZHIFA_DATABASE_URL", as_application(postgres_url))
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def zhifa(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    handler = app_world.user("handler1", "handler")
    for _ in range(3):
        app_world.register(handler)
    assert zhifa("audit", "anchor").exit_code == 0
    assert zhifa("audit", "verify").exit_code == 0
    wipe(postgres_url)
    wiped = zhifa("audit", "verify")
    assert wiped.exit_code == 1 and "审计记录已被清空" in wiped.output
    for _ in range(4):  # the application carries on: a new chain from the genesis, valid in itself, ids from 1
        app_world.register(handler)
    rewound = zhifa("audit", "verify")
    assert rewound.exit_code == 1 and "重新开始" in rewound.output
    assert zhifa("audit", "anchor").exit_code == 1  # and it is never anchored


def test_parallel_migrations_create_the_application_role_once(postgres_url):
    """Roles are cluster-wide: runs migrating at the same moment must not fail on each other's CREATE ROLE."""
    role, schemas = f"zhifa_test_race_{uuid.uuid4().hex[:8]}", [f"zhifa_test_race_{uuid.uuid4().hex[:8]}_{n}"
                                                                   for n in range(4)]
    server = postgres_url.split("?")[0]
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    engines = [create_engine(f"{server}?options=-csearch_path%3D{schema}", poolclass=NullPool) for schema in schemas]
    errors, barrier = [], threading.Barrier(len(schemas))

    def migrate(engine) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE audit_record (id serial PRIMARY KEY)"))
                conn.execute(text("CREATE TABLE audit_chain (id int PRIMARY KEY)"))
                conn.execute(text("CREATE TABLE alembic_version (version_num varchar(32))"))
                barrier.wait(10)
                grant_application_role(conn, role)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}) == 1
            assert not conn.scalar(text("SELECT has_table_privilege(:r, :t, 'TRUNCATE')"),
                                   {"r": role, "t": f"{schemas[0]}.audit_record"})
            assert conn.scalar(text("SELECT has_table_privilege(:r, :t, 'INSERT')"),
                               {"r": role, "t": f"{schemas[0]}.audit_record"})
    finally:
        for engine in engines:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {', '.join(schemas)} CASCADE"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_db_upgrade_grants_the_configured_application_role(postgres_url, tmp_path, monkeypatch):
    from webapp.cli import main

    schema = f"zhifa_test_grant_{uuid.uuid4().hex[:8]}"
    server = postgres_url.split("?")[0]
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        owner_url = f"{server}?options=-csearch_path%3D{schema}"
        monkeypatch.setenv("ZHIFA_MIGRATION_DATABASE_URL", owner_url)
        monkeypatch.setenv("ZHIFA_DATABASE_URL", as_application(owner_url))
        monkeypatch.setenv("ZHIFA_DB_APP_ROLE", APP_ROLE)
        monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
        result = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
        assert result.exit_code == 0 and f"role {APP_ROLE}" in result.output and "append only" in result.output
        with admin.connect() as conn:
            def may(privilege: str, table: str) -> bool:
                return conn.scalar(text("SELECT has_table_privilege(:r, :t, :p)"),
                                   {"r": APP_ROLE, "t": f"{schema}.{table}", "p": privilege})
            assert may("INSERT", "audit_record") and may("SELECT", "audit_record")
            assert not may("UPDATE", "audit_record") and not may("DELETE", "audit_record")
            assert not may("TRUNCATE", "audit_record") and not may("DELETE", "audit_chain")
            assert may("UPDATE", "enforcement_case") and may("DELETE", "human_task")
            assert not may("UPDATE", "alembic_version")
        # the application, on its own URL, finds the schema current and works
        assert CliRunner().invoke(main, ["agency", "create", "dc", "东城"], catch_exceptions=False).exit_code == 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
