"""The peer for `bench.operations`: the spiff-arena backend (same engine, SpiffWorkflow, on Flask/connexion), built
and run from a source tree the benchmark is given, never downloaded by it.

    ZHIFA_BENCH_PEER_SOURCE=/path/to/spiff-arena python -m bench operations
    python -m bench operations --peer-source /path/to/spiff-arena

The path is a checkout (or an exported tree) of the public spiff-arena repository at PEER_COMMIT, or its
`spiffworkflow-backend` folder. The benchmark gives the peer a virtualenv of its own outside the repository
(`ZHIFA_BENCH_PEER_VENV`, by default under the user's cache folder, kept between runs and rebuilt when the peer's
dependency files change) and installs into it, from the package registry, the peer's declared dependencies at the
versions of its own `uv.lock`, with SpiffWorkflow 3.2.0 (the release zhifa runs) instead of the peer's git pin.
Left out, because they cannot be installed from the registry here and SQLite does not need them: see EXCLUDED.

The server is the peer's own ASGI app under uvicorn, one worker, SQLite, its background scheduler and celery off,
its process models in a git repository of their own (as the peer expects: it records the models' revision with
each instance). The client authenticates the way the peer offers automation: a service account's API key
(`SpiffWorkflow-Api-Key`), created by the peer's own `bin/bootstrap.py` from its permissions file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

from .common import JsonApi

PEER_COMMIT = "d7678cf75"
SPIFFWORKFLOW = "SpiffWorkflow==3.2.0"
EXCLUDED = {
    "mysqlclient": "builds against the MySQL client headers; the peer runs on SQLite here",
    "psycopg2": "builds against libpq's headers; the peer runs on SQLite here",
    "spiffworkflow-connector-command": "a git-only dependency, not on the registry; the peer imports one type from "
                                       "it (CommandErrorDict), supplied by a four-line stand-in",
    "sqlalchemy-stubs": "type stubs from a git fork; not needed to run",
    "spiffworkflow": f"replaced by {SPIFFWORKFLOW} from the registry (the peer pins a git commit)",
}
CONNECTOR_STANDIN = '''"""Stand-in written by zhifa's benchmark: the only name the spiff-arena backend imports from this package."""
from typing import TypedDict


class CommandErrorDict(TypedDict):
    error_code: str
    message: str
'''
BENCH_USER = "bench"
MODEL = "bench/two-user-tasks"


def backend_dir(source: str | os.PathLike) -> Path:
    root = Path(source).expanduser().resolve()
    for candidate in (root / "spiffworkflow-backend", root):
        if (candidate / "src" / "spiffworkflow_backend").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    sys.exit(f"{root} is not a spiff-arena source tree (no spiffworkflow-backend/src/spiffworkflow_backend in it)")


def describe_commit(backend: Path) -> str:
    found = subprocess.run(["git", "-C", str(backend), "rev-parse", "--short=9", "HEAD"], capture_output=True,
                           text=True)
    if found.returncode != 0:
        return f"an exported tree (no git), taken to be commit {PEER_COMMIT}"
    commit = found.stdout.strip()
    return f"commit {commit}" if commit.startswith(PEER_COMMIT) else f"commit {commit}, NOT the pinned {PEER_COMMIT}"


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def requirements(backend: Path) -> tuple[list[str], list[str]]:
    """The peer's declared dependencies less EXCLUDED, plus SpiffWorkflow 3.2.0; constraints from its uv.lock."""
    project = tomllib.loads((backend / "pyproject.toml").read_text())["project"]
    wanted = [r for r in project["dependencies"] if _name(r) not in EXCLUDED] + [SPIFFWORKFLOW]
    lock = tomllib.loads((backend / "uv.lock").read_text())
    pinned = [f"{p['name']}=={p['version']}" for p in lock["package"]
              if "registry" in p.get("source", {}) and _name(p["name"]) not in EXCLUDED]
    return wanted, pinned


def virtualenv(backend: Path) -> Path:
    """The peer's own virtualenv, built on first use and kept (rebuilt when the peer's dependencies change)."""
    wanted, pinned = requirements(backend)
    key = hashlib.sha256(json.dumps([wanted, pinned, sys.version]).encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = Path(os.environ.get("ZHIFA_BENCH_PEER_VENV") or cache / "zhifa-bench" / f"spiff-arena-{key}")
    stamp = venv / "zhifa-bench-ready"
    if stamp.exists() and stamp.read_text() == key:
        return venv
    print(f"  building the peer's virtualenv in {venv} (a few minutes, once)", flush=True)
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--clear", str(venv)], check=True)
    (venv / "requirements.txt").write_text("\n".join(wanted) + "\n")
    (venv / "constraints.txt").write_text("\n".join(pinned) + "\n")
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                "--disable-pip-version-check", "-r", str(venv / "requirements.txt"),
                                "-c", str(venv / "constraints.txt")], capture_output=True, text=True)
    if installed.returncode != 0:
        sys.exit(f"could not install the peer's dependencies:\n{installed.stderr[-3000:]}")
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    standin = Path(site) / "spiffworkflow_connector_command"
    standin.mkdir(exist_ok=True)
    (standin / "__init__.py").write_text("")
    (standin / "command_interface.py").write_text(CONNECTOR_STANDIN)
    stamp.write_text(key)
    return venv


def permissions_yaml(groups: list[str]) -> str:
    """One service account, in the admin group and in a group for each lane of the model (the peer offers a lane's
    tasks to the members of the group of the lane's name)."""
    lines = ["users:", f"  {BENCH_USER}:", "    service: bootstrap", "groups:"]
    for group in ["admin", *groups]:
        lines += [f"  {json.dumps(group, ensure_ascii=False)}:", f"    users: [{BENCH_USER}@bootstrap]"]
    lines += ["permissions:", "  admin:", "    groups: [admin]", "    actions: [all]", "    uri: /*"]
    return "\n".join(lines) + "\n"


class PeerServer:
    """The peer's server in `workdir`, on `port`; `start()` returns its Popen, `api` then drives it."""

    def __init__(self, source: str | os.PathLike, workdir: Path, port: int, lanes: list[str]):
        self.backend = backend_dir(source)
        self.workdir, self.port = workdir, port
        self.venv = virtualenv(self.backend)
        self.api_key = str(uuid.uuid4())
        specs, instance = workdir / "process_models", workdir / "instance"
        specs.mkdir()
        instance.mkdir()
        permissions = workdir / "permissions.yml"
        permissions.write_text(permissions_yaml(lanes))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SPIFFWORKFLOW_", "FLASK_", "ZHIFA_"))},
            "PYTHONPATH": f"{self.backend / 'src'}{os.pathsep}{self.backend}",
            "SPIFFWORKFLOW_BACKEND_ENV": "local_development",
            "SPIFFWORKFLOW_BACKEND_LOG_LEVEL": "info",  # the peer's default outside local development
            "SPIFFWORKFLOW_BACKEND_DATABASE_TYPE": "sqlite",
            "SPIFFWORKFLOW_BACKEND_DATABASE_URI": f"sqlite:///{instance / 'peer.sqlite3'}",
            "FLASK_INSTANCE_PATH": str(instance),
            "FLASK_SESSION_SECRET_KEY": secrets.token_hex(16),
            "SPIFFWORKFLOW_BACKEND_BPMN_SPEC_ABSOLUTE_DIR": str(specs),
            "SPIFFWORKFLOW_BACKEND_PERMISSIONS_FILE_ABSOLUTE_PATH": str(permissions),
            "SPIFFWORKFLOW_BACKEND_RUN_BACKGROUND_SCHEDULER_IN_CREATE_APP": "false",
            "SPIFFWORKFLOW_BACKEND_CELERY_ENABLED": "false",
            "SPIFFWORKFLOW_BACKEND_URL": f"http://127.0.0.1:{port}",
            f"SPIFFWORKFLOW_API_KEY_{BENCH_USER}": self.api_key,
        }
        self.specs = specs

    def _run(self, *args: str) -> None:
        done = subprocess.run([str(self.venv / "bin" / "python"), *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"the peer's {' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")

    def start(self) -> subprocess.Popen:
        self._run("-m", "flask", "--app", "spiffworkflow_backend:create_app_for_flask", "db", "upgrade",
                  "-d", str(self.backend / "migrations"))
        self._run(str(self.backend / "bin" / "bootstrap.py"))
        self._git("init", "-q")
        return subprocess.Popen([str(self.venv / "bin" / "python"), "-m", "uvicorn", "spiff_web_server:asgi_app",
                                 "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                                 "--log-level", "warning"],
                                cwd=self.workdir, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _git(self, *args: str) -> None:
        subprocess.run(["git", "-C", str(self.specs), "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                        *args], check=True, capture_output=True)

    def deploy(self, api: PeerApi, bpmn: Path, process_id: str) -> None:
        """The model through the peer's API (group, model, file, primary process), committed in its models' git."""
        group, _ = MODEL.split("/")
        api.call("POST", "/process-groups", {"id": group, "display_name": group, "description": "",
                                              "display_order": 0, "admin": False})
        model = {"id": MODEL, "display_name": "two user tasks", "description": "",
                 "fault_or_suspend_on_exception": "fault", "exception_notification_addresses": []}
        api.call("POST", f"/process-models/{group}", model)
        api.upload(f"/process-models/{api.model}/files", bpmn.name, bpmn.read_bytes())
        api.call("PUT", f"/process-models/{api.model}", {**model, "primary_file_name": bpmn.name,
                                                          "primary_process_id": process_id})
        self._git("add", "-A")
        self._git("commit", "-q", "-m", "bench model")


class PeerApi(JsonApi):
    model = MODEL.replace("/", ":")

    def __init__(self, base: str, api_key: str):
        super().__init__(base + "/v1.0", {"SpiffWorkflow-Api-Key": api_key})

    def create_and_start(self) -> int:
        instance = self.call("POST", f"/process-instances/{self.model}")["id"]
        self.call("POST", f"/process-instance-run/{self.model}/{instance}")
        return instance

    def tasks(self, rows: int) -> list[dict]:
        return self.call("GET", f"/tasks?per_page={rows}")["results"]

    def submit(self, task: dict, data: dict) -> dict:
        return self.call("PUT", f"/tasks/{task['process_instance_id']}/{task['id']}", data)
