"""Separation of handling, review and decision (办、审、定三分离): on one case, the officers who handle it, the
legal reviewer and the deciding head are different people. The engine refuses otherwise, whatever the UI does."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.errors import NotAuthorized
from engine.store.models import CaseDuty

DUTY_TITLES = {"handle": "承办", "review": "法制审核", "decide": "决定"}


def duties_of(session: Session, case_id: int) -> list[CaseDuty]:
    return list(session.scalars(select(CaseDuty).where(CaseDuty.case_id == case_id).order_by(CaseDuty.id)))


def ensure_separation(session: Session, *, case_id: int, user_id: int | None, duty: str) -> None:
    if user_id is None:
        return
    held = {row.duty for row in duties_of(session, case_id) if row.user_id == user_id} - {duty}
    if held:
        other = "、".join(DUTY_TITLES[d] for d in sorted(held))
        raise NotAuthorized(f"办审定分离：您已在本案中担任{other}，不能再担任{DUTY_TITLES[duty]}。")


def record_duty(session: Session, *, case_id: int, user_id: int, duty: str, clock, primary: bool = False) -> None:
    existing = session.scalar(select(CaseDuty).where(CaseDuty.case_id == case_id, CaseDuty.user_id == user_id,
                                                     CaseDuty.duty == duty))
    if existing is None:
        session.add(CaseDuty(case_id=case_id, user_id=user_id, duty=duty, is_primary=primary, assigned_at=clock.now()))
    elif primary:
        existing.is_primary = True
    if primary:  # one lead officer (主办人) per case
        for other in session.scalars(select(CaseDuty).where(CaseDuty.case_id == case_id, CaseDuty.duty == duty,
                                                            CaseDuty.user_id != user_id, CaseDuty.is_primary)):
            other.is_primary = False
    session.flush()


def take_duty(session: Session, *, case_id: int, actor: Actor, duty: str, clock) -> None:
    """The actor performs a duty on the case: refuse if they hold another one, else record it."""
    ensure_separation(session, case_id=case_id, user_id=actor.user_id, duty=duty)
    if actor.user_id is not None:
        record_duty(session, case_id=case_id, user_id=actor.user_id, duty=duty, clock=clock)


def primary_officer(session: Session, case_id: int) -> int | None:
    return session.scalar(select(CaseDuty.user_id).where(CaseDuty.case_id == case_id, CaseDuty.duty == "handle",
                                                         CaseDuty.is_primary.is_(True)).limit(1))
