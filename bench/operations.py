"""Per-operation server CPU, measured the way the spiff-arena figures were: SQLite, one server process,
one sequential client, through the HTTP API.

Reference (spiff-arena backend, same engine, Flask, on a machine like this one, server CPU per operation):
create + start a case 94 ms, submit a user task 92 ms, a 100-row task list with 1,000 open tasks 61 ms,
all 1,000 rows 213 ms; worker RSS 165 MiB. Target: at most a fifth of each.

The server is a real `zhifa run` process; its CPU time is read from /proc before and after each series, so
client work and network waits do not count.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .common import machine, peak_rss_mib

ZHIFA = str(Path(sys.executable).with_name("zhifa"))
REFERENCE_MS = {"create + start a case": 94, "submit a user task": 92, "task list, 100 of 1,000 rows": 61,
                "task list, all 1,000 rows": 213}
REFERENCE_RSS_MIB = 165
CASES = int(os.environ.get("BENCH_CASES", "1000"))
TICKS = os.sysconf("SC_CLK_TCK")

LEAD = {"source": "patrol", "summary": "巡查发现占道经营", "location": "人民路",
        "party": {"name": "周某某", "kind": "person", "id_number": "330102198503150010"},
        # yesterday by the servers' clock: a lead on time, on any day the benchmark runs
        "discovered_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.headers = base, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(self.base + path, method=method, headers=self.headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def measure(pid: int, label: str, count: int, action) -> float:
    before = cpu_seconds(pid)
    for index in range(count):
        action(index)
    per_op_ms = (cpu_seconds(pid) - before) / count * 1000
    reference = REFERENCE_MS[label]
    print(f"{label:32s} {per_op_ms:7.2f} ms CPU/op   spiff-arena {reference:4d} ms   ratio {per_op_ms / reference:.3f}"
          f"   {'meets' if per_op_ms * 5 <= reference else 'MISSES'} the ≤ 1/5 target")
    return per_op_ms


def main() -> None:
    print(f"# per-operation server CPU (SQLite, 1 server process, 1 sequential client) — {machine()}")
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "ZHIFA_INSTANCE_PATH": instance, "ZHIFA_TICK_SECONDS": "5"}
        env.pop("ZHIFA_DATABASE_URL", None)
        subprocess.run([ZHIFA, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([ZHIFA, "demo"], env=env, check=True, capture_output=True)
        token = subprocess.run([ZHIFA, "user", "token", "handler1"], env=env, check=True, capture_output=True,
                               text=True).stdout.strip()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen([ZHIFA, "run", "--port", str(port), "--threads", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            api = Api(f"http://127.0.0.1:{port}", token)
            for _ in range(100):
                try:
                    api.call("GET", "/api/v1/tasks?limit=1")
                    break
                except OSError:
                    time.sleep(0.1)
            for _ in range(20):  # warm-up: specs restored, statements compiled and prepared
                api.call("POST", "/api/v1/cases", LEAD)
            measure(server.pid, "create + start a case", CASES, lambda _: api.call("POST", "/api/v1/cases", LEAD))
            open_tasks = api.call("GET", "/api/v1/tasks?limit=1000")["tasks"]
            print(f"  ({len(open_tasks)} open tasks in handler1's queue)")
            measure(server.pid, "task list, 100 of 1,000 rows", 200,
                    lambda _: api.call("GET", "/api/v1/tasks?limit=100"))
            measure(server.pid, "task list, all 1,000 rows", 50,
                    lambda _: api.call("GET", "/api/v1/tasks?limit=1000"))
            lead_checks = [t["id"] for t in open_tasks if t["name"] == "lead_check"][:500]
            measure(server.pid, "submit a user task", len(lead_checks),
                    lambda i: api.call("POST", f"/api/v1/tasks/{lead_checks[i]}/complete",
                                       {"findings": "属实", "recommendation": "file"}))
            rss = peak_rss_mib(server.pid)
            print(f"{'peak RSS of the server process':32s} {rss:7.1f} MiB      spiff-arena {REFERENCE_RSS_MIB} MiB"
                  f"   ratio {rss / REFERENCE_RSS_MIB:.2f}")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
