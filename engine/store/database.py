"""Database connection and the unit of work: one transaction per use case."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConcurrencyConflict

CONFLICT_MESSAGE = "该案件刚被他人更新，本次操作未保存，请刷新后重试。"


class Database:
    """Owns the SQLAlchemy engine and the session factory; shared by web requests, the scheduler and the CLI."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10):
        self.url = url
        options: dict = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: Engine = create_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def unit_of_work(self) -> "UnitOfWork":
        return UnitOfWork(self.session_factory)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_conflict(exc: BaseException) -> bool:
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return "database is locked" in text or "could not serialize" in text or "deadlock" in text
    return False


class UnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit rolls everything back.

    Repositories and services only flush; the commit is the use case's last act, so a failure anywhere
    leaves no half-completed task, no orphan timer and no audit row without its change.
    """

    session: Session

    def __init__(self, session_factory):
        self._session_factory = session_factory

    def __enter__(self) -> "UnitOfWork":
        self.session = self._session_factory()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.session.close()  # rolls back what was not committed; leaves loaded objects readable
        if exc is not None and is_conflict(exc):
            raise ConcurrencyConflict(CONFLICT_MESSAGE) from exc
        return False

    def commit(self) -> None:
        try:
            self.session.commit()
        except Exception as exc:
            self.session.rollback()
            if is_conflict(exc):
                raise ConcurrencyConflict(CONFLICT_MESSAGE) from exc
            raise
