"""The engine's dependencies held together: one Database, one runner (its spec cache), one clock per process."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.clock import Clock
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork


@dataclass
class EngineContext:
    database: Database
    clock: Clock
    runner: WorkflowRunner = field(default_factory=WorkflowRunner)

    def uow(self) -> UnitOfWork:
        return self.database.unit_of_work()

    def deps(self, *, runner: bool = False) -> dict:
        """Keyword arguments every service takes; `runner` for services that advance instances."""
        out = {"uow": self.uow(), "clock": self.clock}
        if runner:
            out["runner"] = self.runner
        return out
