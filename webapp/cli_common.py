"""What the `zhifa` commands share: the engine context on the configured database, and one-line errors."""
from __future__ import annotations

import sys

import click

from engine.actors import Actor
from engine.errors import DomainError
from engine.store.database import Database

from .config import database_url, product_clock
from .context import EngineContext

# the operator at the command line holds the database: they act as a system administrator
OPERATOR = Actor(user_id=None, name="命令行", agency_id=None, roles=frozenset({"system", "admin"}))


def context(clock=None) -> EngineContext:
    return EngineContext(database=Database(database_url()), clock=clock or product_clock())


def fail(error: DomainError):
    click.echo(f"错误：{error.message}", err=True)
    for name, messages in (error.fields or {}).items():
        click.echo(f"  {name}: {'；'.join(messages)}", err=True)
    sys.exit(2)


def stop(message: str):
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)
