"""The owner/application role split on PostgreSQL.

The migrations run as the owner of the tables; the application connects as another role that may read and write
the case data but may only append to the full-process record: no UPDATE, DELETE or TRUNCATE on `audit_record`,
no DELETE or TRUNCATE on `audit_chain` (whose head it moves forward; a trigger refuses any move back, even the
owner's), and no moving of the record's id sequence. `zhifa db upgrade` applies this after every migration run,
so tables added later are granted too.

Roles are cluster-wide and the suite migrates many schemas at once: the role is created only when missing, and a
concurrent creation of the same role is not an error.
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
APPEND_ONLY = "audit_record"
FORWARD_ONLY = "audit_chain"


class RoleNotUsable(ValueError):
    """The configured role cannot be used or made; the message says what to do (the upgrade is rolled back)."""


def grant_application_role(connection, role: str) -> bool:
    """Create `role` (NOLOGIN) when missing and grant it the application's rights on the current schema.
    Returns False when the role is the one running the migrations (there is no split to make)."""
    if not ROLE_NAME.match(role):
        raise RoleNotUsable(f"数据库角色名只能包含字母、数字和下划线：{role!r}")
    if connection.scalar(text("SELECT current_user")) == role:
        return False
    try:
        _create_when_missing(connection, role)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        raise RoleNotUsable(f"数据库角色 {role} 不存在，迁移所用的用户无权创建它：请由数据库管理员执行 "
                            f"CREATE ROLE {role} LOGIN PASSWORD '…'，再重新运行 zhifa db upgrade（本次升级未生效）。"
                            ) from error
    schema = connection.scalar(text("SELECT current_schema()"))
    sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": APPEND_ONLY})
    for statement in (
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON {APPEND_ONLY} FROM "{role}"',
        f'REVOKE DELETE, TRUNCATE ON {FORWARD_ONLY} FROM "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"',
        f'REVOKE UPDATE ON SEQUENCE {sequence} FROM "{role}"',  # setval would let ids be reused
    ):
        connection.execute(text(statement))
    return True


def _create_when_missing(connection, role: str) -> None:
    connection.execute(text(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
            BEGIN
              CREATE ROLE "{role}" NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- created meanwhile by another run
            END;
          END IF;
        END $$"""))
