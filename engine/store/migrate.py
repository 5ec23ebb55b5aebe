"""Alembic migrations, run programmatically: `zhifa db upgrade` is the only way the schema is created."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
APP_ROLE_OPTION = "zhifa_app_role"  # the application's database role, granted its rights by every upgrade


def alembic_config(url: str, *, app_role: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if app_role:
        config.set_main_option(APP_ROLE_OPTION, app_role.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads", *, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(url, app_role=app_role), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def schema_problem(url: str) -> str | None:
    """Why the product cannot work on that database, in one plain line (unreachable, no schema, an older
    schema), or None when it is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return "数据库尚未建立（没有表结构）：请先运行 zhifa db upgrade。"
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        return f"无法连接数据库（{detail}）：请检查 ZHIFA_DATABASE_URL 和数据库服务。"
    finally:
        engine.dispose()
    if current != set(ScriptDirectory.from_config(alembic_config(url)).get_heads()):
        return "数据库表结构不是最新版本：请先运行 zhifa db upgrade。"
    return None
