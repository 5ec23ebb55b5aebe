"""WSGI entry point for a production server, e.g. `gunicorn -w 2 webapp.wsgi:app`.

Each worker process builds its own app (no preload: database connections must not cross a fork). With
ZHIFA_SCHEDULER=1 every worker also runs the timer scheduler; that is safe with any number of workers on any
number of machines, because the database coordinates them (leased claims, FOR UPDATE SKIP LOCKED).
Run `zhifa db upgrade` and `zhifa processes sync` once before starting the workers.
"""
from __future__ import annotations

import os

from . import create_app

app = create_app()

if os.environ.get("ZHIFA_SCHEDULER") == "1":
    from .scheduler import start_scheduler

    start_scheduler(app.extensions["zhifa"], tick_seconds=app.config["ZHIFA_TICK_SECONDS"],
                    lease_seconds=app.config["ZHIFA_LEASE_SECONDS"])
