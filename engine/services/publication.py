"""Publicity of penalty decisions (行政执法公示): publish within 7 working days, withdraw within 3 days when the
decision is changed or revoked (行政处罚法第四十八条). Personal data of natural persons is masked."""
from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.errors import NotFound
from engine.store.models import Agency, Case, Publication
from forms.common import PENALTY_KINDS


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


def active_publication(session: Session, case_id: int) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.case_id == case_id,
                                                    Publication.withdrawn_at.is_(None)))


def publish(session: Session, *, case_id: int, actor: Actor, clock: Clock, data: dict) -> Publication:
    existing = active_publication(session, case_id)
    if existing is not None:
        return existing
    case = session.get_one(Case, case_id)
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


def withdraw(session: Session, *, case_id: int, reason: str, actor: Actor, clock: Clock) -> bool:
    row = active_publication(session, case_id)
    if row is None:
        return False
    row.withdrawn_at, row.withdraw_reason = clock.now(), reason
    audit.record(session, clock=clock, actor=actor, action="publication_withdrawn", case_id=case_id,
                 summary=f"撤回公示：{reason}", data={"reason": reason})
    return True


# -- the public disclosure page (no login): only what was published, masked at publication time -----------------
PUBLIC_PAGE_SIZE = 20
PUBLIC_QUERY_MAX = 100
PENALTY_KIND_TITLES = dict(PENALTY_KINDS)


def public_publications(session: Session, *, query: str | None = None, page: int = 1,
                        page_size: int = PUBLIC_PAGE_SIZE) -> dict:
    """Current publications (not withdrawn), newest first, one page of them, optionally only those whose
    (masked) party name or case number contains `query` — as plain text: % and _ match only themselves.

    Reads the publication rows alone, never the case: what the public sees is what was published."""
    page, page_size = max(int(page), 1), max(int(page_size), 1)
    condition: ColumnElement[bool] = Publication.withdrawn_at.is_(None)
    query = (query or "").strip()[:PUBLIC_QUERY_MAX]
    if query:
        condition = condition & or_(Publication.party_name.icontains(query, autoescape=True),
                                    Publication.case_number.icontains(query, autoescape=True))
    total = session.execute(select(func.count()).select_from(Publication).where(condition)).scalar_one()
    rows = session.execute(
        select(Publication, Agency.name).join(Agency, Agency.id == Publication.agency_id).where(condition)
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": [_public_view(row, agency_name) for row, agency_name in rows], "total": total,
            "page": page, "page_size": page_size, "pages": max((total + page_size - 1) // page_size, 1),
            "query": query}


def public_publication(session: Session, publication_id: int) -> dict:
    """One current publication; a withdrawn one is gone from the public page (NotFound), like a missing one."""
    row = session.execute(
        select(Publication, Agency.name).join(Agency, Agency.id == Publication.agency_id)
        .where(Publication.id == publication_id, Publication.withdrawn_at.is_(None))).first()
    if row is None:
        raise NotFound("该公示信息不存在或已撤回。")
    return _public_view(*row)


def _public_view(row: Publication, agency_name: str) -> dict:
    return {
        "id": row.id, "agency_name": agency_name, "case_number": row.case_number,
        "party_name": row.party_name, "party_id_number": row.party_id_number,
        "penalty_kind": row.penalty_kind,
        "penalty_kind_title": PENALTY_KIND_TITLES.get(row.penalty_kind or "", row.penalty_kind or ""),
        "fine_amount": row.fine_amount, "decision_summary": row.decision_summary, "legal_basis": row.legal_basis,
        "decision_date": row.decision_date, "published_on": row.published_on.isoformat(),
    }
