"""Per-operation server CPU, zhifa beside the spiff-arena backend measured in the same run: SQLite, one server
process each, one sequential client, through each product's own HTTP API, the same two-user-task model
(`fixtures/two_user_tasks.bpmn`: 案源初查 by the handler, then 立案审批 by the head).

    ZHIFA_BENCH_PEER_SOURCE=/path/to/spiff-arena python -m bench operations
    python -m bench operations --peer-source /path/to/spiff-arena

How the peer is built and run: `bench/peer.py`. Without a peer source the benchmark says so and measures zhifa
alone. Target: at most a tenth of the peer's CPU for each of the four operations.

Each server's CPU time (its own and its children's) is read from /proc before and after each block of requests,
so client work and waiting do not count. The two products take turns block by block (A, B, A, B …), so a noisy
minute falls on both.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .common import JsonApi, machine, peak_rss_mib
from .peer import PEER_COMMIT, PeerApi, PeerServer, describe_commit

ZHIFA = str(Path(sys.executable).with_name("zhifa"))
MODEL = Path(__file__).with_name("fixtures") / "two_user_tasks.bpmn"
LANES = ["承办人", "负责人"]
CASES = int(os.environ.get("BENCH_CASES", "1000"))
ROWS = min(CASES, 1000)  # the longest page either API gives
PEER_SOURCE = "ZHIFA_BENCH_PEER_SOURCE"
TARGET = 0.1
TICKS = os.sysconf("SC_CLK_TCK")

LEAD = {"source": "patrol", "summary": "巡查发现占道经营", "location": "人民路",
        "party": {"name": "周某某", "kind": "person", "id_number": "330102198503150010"},
        # yesterday by the servers' clock: a lead on time, on any day the benchmark runs
        "discovered_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")}
FINDINGS = {"findings": "属实", "recommendation": "file"}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICKS  # utime, stime, cutime, cstime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(probe) -> None:
    for _ in range(300):
        try:
            probe()
            return
        except OSError:
            time.sleep(0.1)
    probe()


class Api(JsonApi):
    def __init__(self, base: str, token: str):
        super().__init__(base, {"Authorization": f"Bearer {token}"})


class Product:
    """One server under test: its pid and the four operations through its HTTP API."""

    def __init__(self, name: str, pid: int, create, tasks, submit):
        self.name, self.pid, self.create, self.tasks, self.submit = name, pid, create, tasks, submit
        self.ms: dict[str, float] = {}


def zhifa_server(instance: str) -> tuple[subprocess.Popen, Api, Api]:
    """A real `zhifa run` (one thread, no scheduler) on a fresh SQLite instance; the handler's and the head's
    API clients. The model is deployed as `lead_intake` through the designer API, so a registered lead starts it."""
    env = {**os.environ, "ZHIFA_INSTANCE_PATH": instance}
    env.pop("ZHIFA_DATABASE_URL", None)
    subprocess.run([ZHIFA, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([ZHIFA, "demo"], env=env, check=True, capture_output=True)

    def token(username: str) -> str:
        return subprocess.run([ZHIFA, "user", "token", username], env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    port = free_port()
    server = subprocess.Popen([ZHIFA, "run", "--port", str(port), "--threads", "1", "--no-scheduler"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    handler, designer = Api(base, token("handler1")), Api(base, token("designer1"))
    wait_until_up(lambda: handler.call("GET", "/api/v1/tasks?limit=1"))
    deployed = designer.upload("/api/v1/process-definitions", "lead_intake.bpmn", MODEL.read_bytes())
    assert deployed["created"], deployed
    print(f"zhifa: `zhifa run`, 1 thread, scheduler off; the model deployed as lead_intake v{deployed['version']}, "
          "bearer-token authentication", flush=True)
    return server, handler, designer


def zhifa_product(server: subprocess.Popen, api: Api) -> Product:
    def tasks(rows: int) -> list[dict]:
        return api.call("GET", f"/api/v1/tasks?limit={rows}")["tasks"]

    return Product("zhifa", server.pid, lambda: api.call("POST", "/api/v1/cases", LEAD), tasks,
                   lambda task: api.call("POST", f"/api/v1/tasks/{task['id']}/complete", FINDINGS))


def peer_product(server: subprocess.Popen, api: PeerApi) -> Product:
    return Product("spiff-arena", server.pid, api.create_and_start, api.tasks,
                   lambda task: api.submit(task, FINDINGS))


def series(products: list[Product], label: str, count: int, block: int, action) -> None:
    """`count` operations on each product, in blocks of `block` taken in turn; CPU per operation, ms."""
    spent = {product.name: 0.0 for product in products}
    done = 0
    while done < count:
        size = min(block, count - done)
        for product in products:
            before = cpu_seconds(product.pid)
            for index in range(done, done + size):
                action(product, index)
            spent[product.name] += cpu_seconds(product.pid) - before
        done += size
    for product in products:
        product.ms[label] = spent[product.name] / count * 1000
    figures = "   ".join(f"{product.name} {product.ms[label]:7.2f} ms" for product in products)
    if len(products) == 2:
        ratio = products[0].ms[label] / products[1].ms[label]
        figures += f"   ratio {ratio:.3f}   {'meets' if ratio <= TARGET else 'MISSES'} the ≤ {TARGET} target"
    print(f"{label:30s} {figures}", flush=True)


def measure(products: list[Product]) -> None:
    warm = min(20, max(CASES // 5, 1))
    for product in products:  # warm-up: specs loaded, statements compiled, caches filled
        for _ in range(warm):
            product.create()
        product.tasks(100)
    series(products, "create + start a case", CASES - warm, max((CASES - warm) // 10, 1),
           lambda product, _: product.create())
    lists = {product.name: product.tasks(ROWS) for product in products}
    queues = {name: [task for task in rows if task.get("name", task.get("task_name")) == "lead_check"]
              for name, rows in lists.items()}
    print("  the user's list, first page of " + f"{ROWS:,}: "
          + ", ".join(f"{name} {len(lists[name])} rows, {len(queue)} of them 案源初查" for name, queue in queues.items()))
    series(products, "task list, 100 rows", 200, 20, lambda product, _: product.tasks(100))
    series(products, f"task list, {ROWS:,} rows", 50, 5, lambda product, _: product.tasks(ROWS))
    submissions = min(CASES // 2, *(len(queue) for queue in queues.values()))
    series(products, "submit a user task", submissions, max(submissions // 10, 1),
           lambda product, index: product.submit(queues[product.name][index]))
    print(f"{'peak RSS of the server process':30s} "
          + "   ".join(f"{product.name} {peak_rss_mib(product.pid):7.1f} MiB" for product in products))


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    print(f"# per-operation server CPU (SQLite, 1 server process each, 1 sequential client, {CASES:,} cases) "
          f"— {machine()}")
    source = os.environ.get(PEER_SOURCE)
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-") as workdir:
        servers: list[subprocess.Popen] = []
        try:
            zhifa, handler, _ = zhifa_server(str(Path(workdir) / "zhifa"))
            servers.append(zhifa)
            products = [zhifa_product(zhifa, handler)]
            if source:
                peer_dir = Path(workdir) / "peer"
                peer_dir.mkdir()
                port = free_port()
                peer = PeerServer(source, peer_dir, port, LANES)
                print(f"spiff-arena: backend from {describe_commit(peer.backend)}, SpiffWorkflow 3.2.0, SQLite, "
                      "uvicorn with 1 worker, background scheduler and celery off, API-key authentication",
                      flush=True)
                servers.append(peer.start())
                api = PeerApi(f"http://127.0.0.1:{port}", peer.api_key)
                wait_until_up(lambda: api.tasks(1))
                peer.deploy(api, MODEL, "lead_intake")
                products.append(peer_product(servers[-1], api))
            else:
                print(f"no peer: set {PEER_SOURCE} (or pass --peer-source) to a spiff-arena source tree at "
                      f"{PEER_COMMIT} to measure it beside zhifa; zhifa alone")
            measure(products)
        finally:
            for server in servers:
                stop(server)


if __name__ == "__main__":
    main()
