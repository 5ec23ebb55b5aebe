"""Case numbers such as 东城综执案〔2026〕12号: a per-agency, per-year counter safe across workers."""
from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.dialects import postgresql, sqlite

from engine.clock import CHINA_TZ
from engine.store.models import Agency, CaseNumberCounter


def next_case_number(session: Session, *, agency: Agency, moment) -> str:
    year = moment.astimezone(CHINA_TZ).year
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, CaseNumberCounter.__table__)
    statement = insert(table).values(agency_id=agency.id, year=year, last_value=1)
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.agency_id, table.c.year],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)
    value = session.execute(upsert).scalar_one()
    return f"{agency.case_prefix}〔{year}〕{value}号"
