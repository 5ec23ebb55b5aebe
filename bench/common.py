"""Shared set-up for benchmarks: a PostgreSQL schema of its own, migrated; the machine's pgbench reference."""
from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import datetime

from sqlalchemy import create_engine, text

from engine.store.migrate import upgrade

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
