"""The API fuzzed from its own OpenAPI document (schemathesis, in-process over WSGI, SQLite with the demo data):
every operation with valid and invalid input, as each role. It fails on any 5xx and on any answer the document
does not describe (status code, content type, body). About a minute on one core; ZHIFA_FUZZ_EXAMPLES and
ZHIFA_FUZZ_SEED change how much and what it tries, ZHIFA_FUZZ_POSTGRES=1 runs it on PostgreSQL instead."""
from __future__ import annotations

import os
import shutil
import time
import zlib
from pathlib import Path

import pytest
import schemathesis
from sqlalchemy import select
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

import forms
from engine.clock import FrozenClock
from engine.context import EngineContext
from engine.deadlines.catalog import catalog
from engine.services.users import issue_token
from engine.store.database import Database
from engine.store.models import Case, HumanTask, ProcessDefinition, ProcessInstance
from tests.conftest import START
from webapp import create_app
from webapp.demo import load_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ROLES = ("admin1", "head1", "handler1", "supervisor1", "designer1")
EXAMPLES = int(os.environ.get("ZHIFA_FUZZ_EXAMPLES", "40"))
MESSAGES = ("decision_revoked", "lawsuit_filed", "payment_deferral_applied", "reconsideration_filed")
CONFIG = schemathesis.Config.from_dict({
    "seed": int(os.environ.get("ZHIFA_FUZZ_SEED", "14")),
    "generation": {"mode": "all", "max-examples": EXAMPLES, "database": "none", "with-security-parameters": False},
    "phases": {"examples": {"enabled": True}, "stateful": {"enabled": False},
               "coverage": {"enabled": True, "unexpected-methods": []}},
})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TALLY = {"requests": 0, "operations": set(), "statuses": {}, "started": None}


@pytest.fixture
def fuzzed_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_INSTANCE_PATH", str(tmp_path / "instance"))
    if os.environ.get("ZHIFA_FUZZ_POSTGRES"):  # by hand: the same run against this worker's PostgreSQL schema
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "fuzz.db")
    ctx = EngineContext(database=Database(url), clock=FrozenClock(START))
    load_demo(ctx)
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "ZHIFA_DATABASE": ctx.database,
                      "ZHIFA_CLOCK": ctx.clock})
    app.extensions["zhifa"].runner = ctx.runner
    app.config["FUZZ_TOKENS"] = {name: f"Bearer {issue_token(username=name, **ctx.deps())}" for name in ROLES}
    app.config["FUZZ_REAL_VALUES"] = real_values(ctx)
    yield app
    ctx.database.dispose()


def role_for(case) -> str:
    """Who sends `case`: one of the five roles, the same for the same request (so a failure replays as it was;
    schemathesis cannot combine its documented examples with a drawn role)."""
    sent = repr((case.operation.label, case.path_parameters, case.query, case.body))
    return ROLES[zlib.crc32(sent.encode("utf-8", "surrogatepass")) % len(ROLES)]


def real_values(ctx: EngineContext) -> dict[str, list]:
    """What exists in the demo data, for each path parameter: random ids mostly find nothing (404), so half the
    generated values are swapped for real ones and the requests reach the use cases."""
    with ctx.uow() as uow:
        session = uow.session
        values = {
            "case_id": list(session.scalars(select(Case.id))),
            "instance_id": list(session.scalars(select(ProcessInstance.id))),
            "task_id": list(session.scalars(select(HumanTask.id).where(HumanTask.status == "open"))),
            "process_id": sorted(set(session.scalars(select(ProcessDefinition.process_id)))),
            "version": [1, 2],
            "draft_id": [1, 2, 3],
            "job_id": [1, 2],
        }
    values.update(form_key=sorted(form.key for form in forms.all_forms())[:20], name=list(MESSAGES),
                  key=sorted(catalog())[:20], action=["suspend", "resume", "cancel"])
    return values


@pytest.fixture
def api_schema(fuzzed_app):
    TALLY["started"] = TALLY["started"] or time.monotonic()
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app, config=CONFIG)
    real = fuzzed_app.config["FUZZ_REAL_VALUES"]

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries({
            name: st.one_of(st.just(value), st.sampled_from(real[name])) if real.get(name) else st.just(value)
            for name, value in path_parameters.items()})

    return loaded


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """schemathesis 4.32 names each operation's subtest through `node._nodeid`, which pytest 9.2 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=EXAMPLES)
def test_every_operation_answers_as_documented(case, fuzzed_app):
    headers = {"Authorization": fuzzed_app.config["FUZZ_TOKENS"][role_for(case)]}
    response = case.call(headers=headers)
    TALLY["requests"] += 1
    TALLY["operations"].add(case.operation.label)
    TALLY["statuses"][response.status_code] = TALLY["statuses"].get(response.status_code, 0) + 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_zz_the_fuzzer_says_what_it_ran(capsys):
    """What it ran, printed (with -s) and kept in test-artifacts/api-fuzz.txt (a worker's output is not shown
    under xdist): requests, operations, seconds, statuses."""
    if not TALLY["requests"]:
        pytest.skip("the fuzzer did not run in this process")
    report = (f"API fuzzer: {TALLY['requests']} requests over {len(TALLY['operations'])} operations in "
              f"{time.monotonic() - TALLY['started']:.0f} s; statuses {dict(sorted(TALLY['statuses'].items()))}\n")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "api-fuzz.txt").write_text(report, encoding="utf-8")
    with capsys.disabled():
        print("\n" + report, end="")
