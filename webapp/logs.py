"""Logging: plain lines by default, or one JSON object per line (`ZHIFA_LOG_FORMAT=json`) for a log collector,
with a line per request (method, path, status, milliseconds, user)."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

from flask import Flask, g, request

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
EXTRA_FIELDS = ("method", "path", "status", "ms", "user", "worker")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update({name: getattr(record, name) for name in EXTRA_FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    root = logging.getLogger()
    if fmt == "json":
        for handler in [h for h in root.handlers if getattr(h, "zhifa", False)]:
            root.removeHandler(handler)
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.zhifa = True
        root.addHandler(handler)
        root.setLevel(level)
    else:
        logging.basicConfig(level=level, format=TEXT_FORMAT)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every task state change at INFO
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # APScheduler logs two INFO lines per job run (every second), and a WARNING each second a tick outlasts the
    # interval (the next one is skipped, by design: max_instances=1); our tick logs what it did and its failures
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("LOG_LEVEL", "INFO"), app.config.get("ZHIFA_LOG_FORMAT", "text"))
    if app.config.get("ZHIFA_LOG_FORMAT") != "json":
        return
    log = logging.getLogger("zhifa.request")

    @app.before_request
    def _start_timer():
        g.request_started = time.monotonic()

    @app.after_request
    def _log_request(response):
        if not request.path.startswith("/static/"):
            from flask_login import current_user

            log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.monotonic() - g.get("request_started", time.monotonic())) * 1000, 1),
                "user": current_user.id if current_user.is_authenticated else None})
        return response
