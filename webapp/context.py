"""The engine's dependencies as the web app holds them: one Database, one runner, one clock per process."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from engine.clock import Clock
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork


@dataclass
class EngineContext:
    database: Database
    runner: WorkflowRunner
    clock: Clock

    def uow(self) -> UnitOfWork:
        return self.database.unit_of_work()

    def deps(self, *, runner: bool = False) -> dict:
        """Keyword arguments every service takes; `runner` for services that advance instances."""
        out = {"uow": self.uow(), "clock": self.clock}
        if runner:
            out["runner"] = self.runner
        return out


def engine_context() -> EngineContext:
    return current_app.extensions["zhifa"]
