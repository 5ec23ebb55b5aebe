"""Shared set-up for benchmarks: a PostgreSQL schema of its own, migrated; the machine's pgbench reference."""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import urllib.request
import uuid
from datetime import datetime, timezone

from sqlalchemy import create_engine, text

from engine.store.migrate import upgrade

# the numbers of open cases each figure is measured at
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
BASE_URL = os.environ.get("ZHIFA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_schema(name: str) -> str:
    engine = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    url = f"{BASE_URL}{'&' if '?' in BASE_URL else '?'}options=-csearch_path%3D{name}"
    upgrade(url)
    return url


def libpq_args() -> list[str]:
    match = re.match(r"postgresql(?:\+\w+)?://(?P<user>[^@/:]+)?@?(?P<host>[^:/]+):?(?P<port>\d+)?/(?P<db>[^?]+)",
                     BASE_URL)
    return ["-h", match["host"], "-p", match["port"] or "5432", "-U", match["user"] or "postgres", match["db"]]


def pgbench_tps(clients: int = 2, seconds: int = 10) -> float:
    """Simple write transactions per second (pgbench -N) on this machine's server, measured now."""
    env = {**os.environ, "PGOPTIONS": "-csearch_path=zhifa_pgbench"}
    create_engine(BASE_URL, isolation_level="AUTOCOMMIT").connect().execute(
        text("DROP SCHEMA IF EXISTS zhifa_pgbench CASCADE; CREATE SCHEMA zhifa_pgbench"))
    args = libpq_args()
    subprocess.run(["pgbench", "-i", "-q", "-s", "1", *args], env=env, check=True, capture_output=True)
    out = subprocess.run(["pgbench", "-N", "-c", str(clients), "-j", str(clients), "-T", str(seconds), *args],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    return f"{datetime.now().date().isoformat()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def add_open_cases(world, count: int) -> None:
    """`count` more open cases in another agency, registered now (nothing due), cloned in bulk from a real lead
    through the shipped `lead_intake` process: the rest of a large database around the work being measured."""
    from engine.clock import FrozenClock
    from tests.seeding import clone_case

    if count <= 0:
        return
    world.clock = FrozenClock(datetime.now(timezone.utc))
    other = world.agency(code=f"bg{count}", name=f"背景综合行政执法队{count}", prefix=f"背景{count}综执案")
    officer = world.user(f"bg{count}", "handler", agency_id=other)
    template = world.register(officer, process_id="lead_intake", discovered_at=world.clock.now().isoformat())
    with world.database.unit_of_work() as uow:
        for start in range(0, count - 1, 20000):
            clone_case(uow.session, template, min(20000, count - 1 - start), prefix=f"BG{count}-{start}")
        uow.commit()
    with world.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def open_case_count(database) -> int:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM enforcement_case WHERE status = 'open'").scalar()


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_with_reference(title: str, schema: str) -> tuple[float, str]:
    """Print the benchmark's heading and this machine's pgbench reference; a fresh schema's URL to measure in."""
    print(f"# {title} — {machine()}")
    reference = pgbench_tps()
    print(f"pgbench -N (2 clients) reference: {reference:,.0f} TPS")
    return reference, fresh_schema(schema)


class JsonApi:
    """A JSON HTTP API under `base`, every request carrying `headers` (its authentication)."""

    def __init__(self, base: str, headers: dict[str, str]):
        self.base, self.headers = base, headers

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        return self._send(method, path, "application/json", json.dumps(body).encode() if body is not None else None)

    def upload(self, path: str, name: str, content: bytes) -> dict:
        """A form upload of one XML file in the field `file`, as both products' deploy APIs take it."""
        boundary = uuid.uuid4().hex
        data = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: text/xml\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self._send("POST", path, f"multipart/form-data; boundary={boundary}", data)

    def _send(self, method: str, path: str, content_type: str, data: bytes | None) -> dict:
        request = urllib.request.Request(self.base + path, method=method, data=data,
                                         headers={**self.headers, "Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
