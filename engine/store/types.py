"""Column types shared by the models."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every database (SQLite has no timezone support)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def dump_json(value) -> str | None:
    """The exact text a JSONText column stores for a value (the audit hash chain hashes this text)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class JSONText(TypeDecorator):
    """JSON kept as text: identical on SQLite and PostgreSQL, and keeps Chinese readable in the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return dump_json(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)
