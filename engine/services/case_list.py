"""The case list (案件台账): every case the actor may see, searched and paged on the server.

A page is at most four indexed SQL statements — the page's cases, the total (skipped when the last page already
tells it), then the nearest open clock and the officers of those cases only — and never deserializes a workflow.
Who may see a case is the case page's rule (`can_view_case`): the actor's own agency, or every agency for
supervisors and admins.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import case, exists, false, func, literal, or_, select, true, union
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import CHINA_TZ
from engine.deadlines.counting import end_of_day
from engine.store.models import Agency, Case, CaseDeadline, CaseDuty, HumanTask, User
from engine.store.statuses import CaseStatus, ClockStatus

CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.CLOSED, CaseStatus.CANCELLED)
ALL_AGENCIES_ROLES = ("supervisor", "admin")  # as can_view_case
MAX_PAGE_SIZE = 200
OPEN_CLOCK_STATUSES = (ClockStatus.RUNNING, ClockStatus.OVERDUE)


@dataclass(frozen=True)
class CaseFilters:
    """q: a fragment of the case number, party name or party ID number; matter: of the summary or legal basis;
    officer: a user id, or a username or name (exact); registered_from / registered_to: Beijing-time days of
    registration, both included; overdue: only cases with a clock past its end and not met."""

    q: str | None = None
    matter: str | None = None
    status: str | None = None
    stage: str | None = None
    officer: int | str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    overdue: bool = False

    def __post_init__(self):
        if self.status is not None and self.status not in CASE_STATUSES:
            raise ValueError(f"unknown case status {self.status!r}")


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    party_name: str
    party_id_number: str | None
    agency_name: str
    status: str
    stage: str
    summary: str
    discovered_at: datetime
    registered_at: datetime
    next_due_at: datetime | None = None
    overdue: bool = False
    officers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseListPage:
    rows: list[CaseRow]
    total: int
    limit: int
    offset: int


def sees_all_agencies(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(*ALL_AGENCIES_ROLES)


def _scope(actor: Actor):
    if sees_all_agencies(actor):
        return true()
    if actor.agency_id is None:
        return false()
    return Case.agency_id == actor.agency_id


def _overdue_clock(now: datetime):
    return exists().where(CaseDeadline.case_id == Case.id, CaseDeadline.status.in_(OPEN_CLOCK_STATUSES),
                          CaseDeadline.due_at < now, CaseDeadline.party_side.is_(False))


def _officer_user_ids(officer: int | str):
    if isinstance(officer, int):
        return select(User.id).where(User.id == officer)
    return select(User.id).where(or_(User.username == officer, User.display_name == officer))


def _officer_cases(officer: int | str):
    """Cases the officer worked or holds a task of, or was assigned to as investigator (办案人员)."""
    users = _officer_user_ids(officer)
    return union(select(HumanTask.case_id).where(HumanTask.assignee_id.in_(users)),
                 select(HumanTask.case_id).where(HumanTask.completed_by_id.in_(users)),
                 select(CaseDuty.case_id).where(CaseDuty.user_id.in_(users), CaseDuty.duty == "handle"))


def _conditions(actor: Actor, filters: CaseFilters, now: datetime) -> list:
    conditions = [_scope(actor)]
    if filters.q:
        conditions.append(or_(Case.number.icontains(filters.q, autoescape=True),
                              Case.party_name.icontains(filters.q, autoescape=True),
                              Case.party_id_number.icontains(filters.q, autoescape=True)))
    if filters.matter:
        conditions.append(or_(Case.summary.icontains(filters.matter, autoescape=True),
                              Case.legal_basis.icontains(filters.matter, autoescape=True)))
    if filters.status:
        conditions.append(Case.status == filters.status)
    if filters.stage:
        conditions.append(Case.stage == filters.stage)
    if filters.officer not in (None, ""):
        conditions.append(Case.id.in_(_officer_cases(filters.officer)))
    if filters.registered_from:
        conditions.append(Case.created_at >= datetime.combine(filters.registered_from, time(0), tzinfo=CHINA_TZ))
    if filters.registered_to:
        conditions.append(Case.created_at < end_of_day(filters.registered_to))
    if filters.overdue:
        conditions.append(_overdue_clock(now))
    return conditions


def list_cases(session: Session, actor: Actor, *, filters: CaseFilters, now: datetime, limit: int = 50,
               offset: int = 0) -> CaseListPage:
    """One page of the cases the actor may see, newest registration first."""
    limit = min(max(int(limit), 0), MAX_PAGE_SIZE)
    offset = max(int(offset), 0)
    conditions = _conditions(actor, filters, now)
    rows = _fetch(session, conditions, now=now, limit=limit, offset=offset) if limit else []
    if 0 < len(rows) < limit or (not rows and limit and offset == 0):
        total = offset + len(rows)  # the last page says it: a search that finds a few cases costs one scan, not two
    else:
        total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    return CaseListPage(rows=rows, total=total, limit=limit, offset=offset)


def iter_cases(session: Session, actor: Actor, *, filters: CaseFilters, now: datetime, batch: int = MAX_PAGE_SIZE,
               most: int | None = None):
    """Every matching case (up to `most`) in the list's order, fetched a batch at a time (the Excel export)."""
    conditions = _conditions(actor, filters, now)
    offset = 0
    while most is None or offset < most:
        size = batch if most is None else min(batch, most - offset)
        rows = _fetch(session, conditions, now=now, limit=size, offset=offset)
        yield from rows
        if len(rows) < size:
            return
        offset += size


def _fetch(session: Session, conditions, *, now: datetime, limit: int, offset: int) -> list[CaseRow]:
    # the page of cases first (walking the created_at indexes, joined to their agency only), then the clocks and
    # officers of those cases alone: joining clocks before the LIMIT would aggregate every clock of the agency
    order = (Case.created_at.desc(), Case.id.desc())
    cases = session.execute(
        select(Case.id, Case.number, Case.party_name, Case.party_id_number, Case.status, Case.stage, Case.summary,
               Case.discovered_at, Case.created_at, Agency.name.label("agency_name"))
        .join(Agency, Agency.id == Case.agency_id)
        .where(*conditions).order_by(*order).limit(limit).offset(offset)).all()
    if not cases:
        return []
    ids = [row.id for row in cases]
    clocks = {row.case_id: row for row in session.execute(
        select(CaseDeadline.case_id, func.min(CaseDeadline.due_at).label("next_due_at"),
               func.max(case(((CaseDeadline.due_at < now) & CaseDeadline.party_side.is_(False), 1), else_=0))
               .label("overdue"))
        .where(CaseDeadline.case_id.in_(ids), CaseDeadline.status.in_(OPEN_CLOCK_STATUSES))
        .group_by(CaseDeadline.case_id))}
    officers = _officers(session, ids)
    return [CaseRow(id=row.id, number=row.number, party_name=row.party_name, party_id_number=row.party_id_number,
                    agency_name=row.agency_name, status=row.status, stage=row.stage,
                    summary=row.summary, discovered_at=row.discovered_at, registered_at=row.created_at,
                    next_due_at=clocks[row.id].next_due_at if row.id in clocks else None,
                    overdue=bool(clocks[row.id].overdue) if row.id in clocks else False,
                    officers=officers.get(row.id, [])) for row in cases]


def _officers(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """The investigators of each case first (primary first), then whoever holds or worked a task on it."""
    people = union(
        select(CaseDuty.case_id, CaseDuty.user_id, case((CaseDuty.is_primary, 0), else_=1).label("rank"))
        .where(CaseDuty.case_id.in_(case_ids), CaseDuty.duty == "handle"),
        select(HumanTask.case_id, HumanTask.assignee_id, literal(2))
        .where(HumanTask.case_id.in_(case_ids), HumanTask.assignee_id.is_not(None)),
        select(HumanTask.case_id, HumanTask.completed_by_id, literal(2))
        .where(HumanTask.case_id.in_(case_ids), HumanTask.completed_by_id.is_not(None)),
    ).subquery()
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for case_id, name, rank in session.execute(
            select(people.c.case_id, User.display_name, people.c.rank)
            .join(User, User.id == people.c.user_id).order_by(people.c.case_id, people.c.rank, User.display_name)):
        found[case_id].setdefault(name, rank)
    return {case_id: list(names) for case_id, names in found.items()}


def officer_choices(session: Session, actor: Actor, *, most: int = 300) -> list[tuple[str, str]]:
    """(username, name) of the active staff of the actor's own agency, for the officer filter's suggestions."""
    if actor.agency_id is None:
        return []
    return [(row[0], row[1]) for row in session.execute(
        select(User.username, User.display_name).where(User.agency_id == actor.agency_id, User.is_active.is_(True))
        .order_by(User.display_name, User.username).limit(most))]
