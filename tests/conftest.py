"""Fixtures shared by every layer: a migrated database holding the process library (SQLite and PostgreSQL), a
frozen clock, builders.

The library is deployed once per session: every SQLite test starts from a copy of a template file, and every
PostgreSQL test from its worker's schema reset to the same state (see tests/postgres.py for which server and
schema). A test that deploys another version changes only its own copy."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.actors import Actor
from engine.clock import CHINA_TZ, FrozenClock
from engine.context import EngineContext
from engine.services import cases, definitions, users
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models import HumanTask, User
from tests import postgres

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The product's scrypt costs about 0.1 s per password and the suite creates thousands of users; a cheap method here
# (inherited by the servers the tests start) changes nothing a test checks. Export another value to test with it.
os.environ.setdefault("ZHIFA_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")

POSTGRES = postgres.target(os.environ)
POSTGRES_URL = POSTGRES.url
START = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)  # a Monday

# what an agency's documents must print (复议机关, 收款账户 …): a test of a missing one clears it
AGENCY_DOCUMENT_SETTINGS = {
    "reconsideration_body": "东城县人民政府", "litigation_court": "东城县人民法院", "payment_bank": "测试银行东城支行",
    "payment_account_name": "东城县财政局", "payment_account_number": "6222 0000 1234", "address": "东城镇人民路 1 号",
    "telephone": "0571-00000000", "seal_text": "东城镇综合行政执法队",
}

BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def deploy_library(database: Database) -> None:
    """What every test database starts with: the shipped processes and `case_lead`, deployed at START."""
    World(database=database, clock=FrozenClock(START)).deploy_processes()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    database = Database(f"sqlite:///{path}")
    deploy_library(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema(request) -> postgres.RunSchema:
    """This run's and this worker's schema, migrated and holding the library; dropped when the session ends."""
    if not hasattr(request.config, "workerinput") or request.config.workerinput["workerid"] == "gw0":
        postgres.drop_stale_schemas(POSTGRES_URL)
    schema = postgres.RunSchema(POSTGRES_URL, postgres.schema_name(request.config), fill=deploy_library)
    yield schema
    schema.drop()


@pytest.fixture
def postgres_url(postgres_schema) -> str:
    """The URL of this worker's schema, reset to the library alone."""
    postgres_schema.reset()
    return postgres_schema.url


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Database:
    if request.param == "sqlite":
        path = tmp_path / "zhifa.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@dataclass
class World(EngineContext):
    """The engine's dependencies plus builders, so tests read like the use case they check."""

    agency_id: int | None = None

    def deploy_processes(self):
        """The shipped library, plus `case_lead`: a small process the engine tests drive step by step."""
        report = definitions.sync_directory(directory=PROCESSES, uow=self.uow(), runner=self.runner, clock=self.clock)
        self.deploy_file(FIXTURES / "case_lead.bpmn")
        return report

    def deploy_file(self, path: Path, comment: str | None = None):
        return definitions.deploy_bpmn(source_name=path.name, xml=path.read_bytes(), comment=comment,
                                       actor=Actor.system("测试"), **self.deps(runner=True))

    def agency(self, code: str = "dongcheng", name: str = "东城镇综合行政执法队", prefix: str = "东城综执案") -> int:
        return users.create_agency(code=code, name=name, case_prefix=prefix, level="township", uow=self.uow(),
                                   document_settings=AGENCY_DOCUMENT_SETTINGS)

    def user(self, username: str, *roles: str, agency_id: int | None = None, certificate: str | None = None,
             valid_until: date | None = None, password: str = "secret-pass-1") -> Actor:
        users.create_user(username=username, display_name=username, password=password, roles=list(roles),
                          agency_id=agency_id or self.agency_id, certificate_number=certificate,
                          certificate_valid_until=valid_until, actor=Actor.system("测试"), **self.deps())
        return self.actor(username)

    def actor(self, username: str) -> Actor:
        with self.uow() as uow:
            return Actor.of(uow.session.scalar(select(User).where(User.username == username)))

    def register(self, actor: Actor, process_id: str = "case_lead", **overrides) -> int:
        data = {"source": "patrol", "summary": "巡查发现占道经营", "party_name": "周某某", "party_kind": "person",
                "party_id_number": "330102198503150010", "party_address": "人民路 90 号", "location": "人民路 88 号",
                "discovered_at": "2026-03-01T10:00:00+08:00"}
        data.update(overrides)
        return cases.register_case(data=data, actor=actor, process_id=process_id, **self.deps(runner=True))

    def open_tasks(self, case_id: int) -> list[HumanTask]:
        with self.uow() as uow:
            return list(uow.session.scalars(select(HumanTask).where(
                HumanTask.case_id == case_id, HumanTask.status == "open").order_by(HumanTask.created_at)))

    def only_task(self, case_id: int) -> HumanTask:
        tasks = self.open_tasks(case_id)
        assert len(tasks) == 1, [t.name for t in tasks]
        return tasks[0]


@pytest.fixture
def world(database, clock) -> World:
    w = World(database=database, clock=clock)  # the library is in the database already
    w.agency_id = w.agency()
    return w


@pytest.fixture
def staff(world):
    """The usual cast of one agency: two certified handlers, a reviewer, a head, an admin."""
    return {
        "handler1": world.user("handler1", "handler", certificate="C-0001", valid_until=date(2028, 12, 31)),
        "handler2": world.user("handler2", "handler", certificate="C-0002", valid_until=date(2028, 12, 31)),
        "reviewer1": world.user("reviewer1", "reviewer"),
        "head1": world.user("head1", "head"),
        "admin1": world.user("admin1", "admin"),
    }


def pytest_configure(config):
    if POSTGRES.error:
        raise pytest.UsageError(POSTGRES.error)


def pytest_report_header(config):
    return POSTGRES.header


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    """The project runs quietly (-q), which hides the report header: say it anyway when PostgreSQL is left out."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if POSTGRES_URL is None and reporter is not None and not reporter.showheader:
        reporter.write_line(POSTGRES.header)
