"""Publicity of penalty decisions (行政执法公示): publish within 7 working days, withdraw within 3 days when the
decision is changed or revoked (行政处罚法第四十八条). Personal data of natural persons is masked."""
from __future__ import annotations

from sqlalchemy import select

from engine import audit
from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.store.models import Case, Publication


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: the surname and, for longer names, the last character stay."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str | None) -> str | None:
    if not number:
        return None
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def active_publication(session, case_id: int) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.case_id == case_id,
                                                    Publication.withdrawn_at.is_(None)))


def publish(session, *, case_id: int, actor: Actor, clock: Clock, data: dict) -> Publication:
    existing = active_publication(session, case_id)
    if existing is not None:
        return existing
    case = session.get(Case, case_id)
    person = case.party_kind == "person"
    row = Publication(
        case_id=case.id, agency_id=case.agency_id, case_number=case.number,
        party_name=mask_name(case.party_name) if person else case.party_name,
        party_id_number=mask_id_number(case.party_id_number) if person else case.party_id_number,
        penalty_kind=data.get("penalty_kind"), fine_amount=data.get("fine_amount"),
        decision_summary=data.get("decision_text") or "", legal_basis=data.get("legal_basis") or "",
        decision_date=data.get("decision_date"), published_at=clock.now(),
        published_on=clock.now().astimezone(CHINA_TZ).date())
    session.add(row)
    audit.record(session, clock=clock, actor=actor, action="decision_published", case_id=case.id,
                 summary=f"公示行政处罚决定（{case.number}）", data={"party_name": row.party_name})
    return row


def withdraw(session, *, case_id: int, reason: str, actor: Actor, clock: Clock) -> bool:
    row = active_publication(session, case_id)
    if row is None:
        return False
    row.withdrawn_at, row.withdraw_reason = clock.now(), reason
    audit.record(session, clock=clock, actor=actor, action="publication_withdrawn", case_id=case_id,
                 summary=f"撤回公示：{reason}", data={"reason": reason})
    return True
