"""One log line for an error that keeps happening (a database outage), not a traceback every second.

The first occurrence is logged with its traceback; the same error again (same type and message) is only counted,
and a line with the count is written once per `every` seconds while it lasts; when the work succeeds again, one
line says after how many failures.
"""
from __future__ import annotations

import logging
import threading
import time


class RepeatedErrors:
    def __init__(self, logger: logging.Logger, what: str, *, every: float = 60.0, monotonic=time.monotonic):
        self.logger, self.what, self.every, self._monotonic = logger, what, every, monotonic
        self._lock = threading.Lock()
        self._key: tuple[str, str] | None = None
        self._count = self._unreported = 0
        self._reported_at = 0.0

    def failed(self, error: BaseException) -> None:
        """Call from an `except` block."""
        key = (type(error).__name__, str(error).splitlines()[0][:300] if str(error) else "")
        with self._lock:
            now = self._monotonic()
            if key != self._key:
                self._key, self._count, self._unreported, self._reported_at = key, 1, 0, now
                first = True
            else:
                self._count += 1
                self._unreported += 1
                first = False
                due = now - self._reported_at >= self.every
                if due:
                    count, unreported, self._unreported, self._reported_at = self._count, self._unreported, 0, now
        if first:
            self.logger.error("%s failed", self.what, exc_info=error)
        elif due:
            self.logger.error("%s still failing: %d times in all, %d since the last line (%s: %s)", self.what, count,
                              unreported, *key)

    def succeeded(self) -> None:
        with self._lock:
            if self._key is None:
                return
            count, key, self._key, self._count, self._unreported = self._count, self._key, None, 0, 0
        self.logger.warning("%s works again after %d failure(s) (%s: %s)", self.what, count, *key)
