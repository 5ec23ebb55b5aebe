"""The task inbox (我的待办): one indexed query per page, deadlines first, paged on the server.

A page is at most three SQL statements — the rows, the total (skipped when the counts or the rows already
tell it), and the navigation counts — and never deserializes a workflow: everything comes from the indexed
`human_task` mirror joined to its case, instance and definition rows.

It does not grow with the queue: each part of a view (my tasks, each of my roles' queues) is walked in deadline
order along its own index and only as far as the page reaches, and counts stop at COUNT_CAP ("10,000+"):
exactly counting a queue of 100,000 tasks would cost more than the whole page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, literal_column, or_, select, union_all

from engine.actors import Actor
from engine.deadlines.calendar_store import load_calendar
from engine.deadlines.counting import add_working_days, end_of_day, local_day, working_days_between
from engine.errors import NotAuthorized
from engine.services.case_admin import staff_by_role
from engine.store.models import Case, HumanTask, ProcessDefinition, ProcessInstance, User

VIEWS = ("all", "mine", "queue", "agency")
DUE_FILTERS = ("overdue", "soon")
SOON_WORKING_DAYS = 3
SUPERVISING_ROLES = ("head", "admin")  # may see the whole agency's open tasks and assign them (assign_task)
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000  # a count beyond it is shown as "10,000+" (MoreThan), past it only when a page needs it
# a literal, so the planner matches the partial queue index even on a generic plan
OPEN = literal_column("'open'")  # type: ignore[var-annotated]


class MoreThan(int):
    """A count that stopped at a cap: more than this many. Shown as "10,000+"; a sum with it stays a bound."""

    def __str__(self) -> str:
        return f"{int(self):,}+"

    def __repr__(self) -> str:
        return f"MoreThan({int(self)})"

    def __add__(self, other):
        return MoreThan(int(self) + int(other))

    __radd__ = __add__


def _capped(count: int) -> int:
    return MoreThan(COUNT_CAP) if count > COUNT_CAP else count


@dataclass(frozen=True)
class InboxCounts:
    """Open tasks assigned to the actor, waiting unassigned in their roles' queue, and overdue among both."""

    mine: int = 0
    queue: int = 0
    overdue_mine: int = 0
    overdue_queue: int = 0

    @property
    def all(self) -> int:
        return self.mine + self.queue

    @property
    def overdue(self) -> int:
        return self.overdue_mine + self.overdue_queue

    def of(self, view: str) -> int | None:
        """How many open tasks a view shows without filters (None for a head's whole-agency view)."""
        return {"all": self.all, "mine": self.mine, "queue": self.queue}.get(view)

    def overdue_of(self, view: str) -> int | None:
        return {"all": self.overdue, "mine": self.overdue_mine, "queue": self.overdue_queue}.get(view)


@dataclass(frozen=True)
class InboxRow:
    id: str
    case_id: int
    case_number: str
    party_name: str
    stage: str
    process_id: str
    process_name: str
    name: str
    title: str
    candidate_role: str
    assignee_id: int | None
    assignee_name: str | None
    created_at: datetime
    due_at: datetime | None
    due_unit: str | None  # the unit of the clock the task is due by
    due_party_side: bool  # ... and whether that clock is the party's
    urgency: str | None  # "overdue", "lapsed" (the party's window ran out), "soon" (within SOON_WORKING_DAYS
    # working days), "ok", or None (no deadline)
    workdays_left: int | None = None  # a working-day clock counts down in working days (today not counted)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    counts: InboxCounts
    page: int = 1
    page_size: int = 50
    now: datetime | None = None
    soon_before: datetime | None = None

    @property
    def pages(self) -> int:
        """The number of pages; a MoreThan ("200+") while the total is one ("10,000+")."""
        if isinstance(self.total, MoreThan):
            return MoreThan(int(self.total) // self.page_size)
        return max((self.total + self.page_size - 1) // self.page_size, 1)

    @property
    def has_next(self) -> bool:
        return isinstance(self.pages, MoreThan) or self.page < self.pages


def due_soon_before(session, now: datetime, working_days: int = SOON_WORKING_DAYS) -> datetime:
    """24:00 (Beijing time) of the `working_days`-th working day after today (today not counted).

    A deadline up to and including this moment is "soon": statutory deadlines end at 24:00 of their last day,
    so one ending on the third working day falls exactly on it and must count.
    """
    day = add_working_days(load_calendar(session), local_day(now), working_days, set())
    return end_of_day(day)


def overdue_task(now: datetime):
    """An open task past its due moment, unless that moment was the party's (a lapsed window is no failure)."""
    return and_(HumanTask.due_at < now, HumanTask.due_party_side.is_(False))


def urgency(due_at: datetime | None, now: datetime, soon: datetime, party_side: bool = False) -> str | None:
    if due_at is None:
        return None
    if due_at < now:
        return "lapsed" if party_side else "overdue"
    return "soon" if due_at <= soon else "ok"


def workdays_left(session, due_at: datetime | None, unit: str | None, now: datetime) -> int | None:
    """Working days after today up to the clock's last day, for a working-day clock not yet run out."""
    if unit != "workday" or due_at is None or due_at < now:
        return None
    last_day = local_day(due_at - timedelta(microseconds=1))  # a period ends at 24:00 of its last day
    return working_days_between(load_calendar(session), local_day(now), last_day, set())


def _open():
    return HumanTask.status == OPEN


def _mine(actor: Actor):
    if actor.user_id is None:
        return false()
    return and_(HumanTask.assignee_id == actor.user_id, HumanTask.agency_id == actor.agency_id)


def _queue(actor: Actor):
    if not actor.roles or actor.agency_id is None:
        return false()
    return and_(HumanTask.assignee_id.is_(None), HumanTask.candidate_role.in_(sorted(actor.roles)),
                HumanTask.agency_id == actor.agency_id)


def can_see_agency(actor: Actor) -> bool:
    return actor.agency_id is not None and actor.has_role(*SUPERVISING_ROLES)


def _scope(actor: Actor, view: str):
    if view == "mine":
        return _mine(actor)
    if view == "queue":
        return _queue(actor)
    if view == "agency":
        if not can_see_agency(actor):
            raise NotAuthorized("只有本机关负责人可以查看本机关全部待办。")
        return HumanTask.agency_id == actor.agency_id
    return or_(_mine(actor), _queue(actor))


def _parts(actor: Actor, view: str) -> list:
    """The view as disjoint parts, each of which one index walks in deadline order: my tasks, each role's queue."""
    if view == "agency":
        return [_scope(actor, view)]
    parts = [_mine(actor)] if view in ("all", "mine") and actor.user_id is not None else []
    if view in ("all", "queue") and actor.roles and actor.agency_id is not None:
        parts += [and_(HumanTask.assignee_id.is_(None), HumanTask.candidate_role == role,
                       HumanTask.agency_id == actor.agency_id) for role in sorted(actor.roles)]
    return parts or [false()]


def _capped_count(condition):
    """How many open tasks meet `condition`, counting no further than one past COUNT_CAP."""
    found = select(HumanTask.id).where(_open(), condition).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(found).scalar_subquery()


def inbox_counts(session, actor: Actor, *, now: datetime) -> InboxCounts:
    """The navigation's counts in one query, each along an inbox index and stopping at COUNT_CAP."""
    mine, queue = _mine(actor), _queue(actor)
    late = overdue_task(now)
    row = session.execute(select(_capped_count(mine), _capped_count(queue), _capped_count(and_(mine, late)),
                                 _capped_count(and_(queue, late)))).one()
    return InboxCounts(*(_capped(count) for count in row))


def inbox(session, actor: Actor, *, view: str = "all", stage: str | None = None, process_id: str | None = None,
          due: str | None = None, q: str | None = None, page: int = 1, page_size: int = 50, now: datetime,
          soon_before: datetime | None = None) -> InboxPage:
    """One page of the actor's open tasks, nearest deadline first (tasks without one last, then oldest first).

    view: "mine" (assigned to me), "queue" (unassigned, one of my roles, my agency), "all" (both), or, for a
    head, "agency" (every open task of the agency). due: "overdue" (due before now) or "soon" (due from now up
    to and including `soon_before`, by default 24:00 of the third working day after today). q: a fragment of
    the case number or party name, matched literally (% and _ are not wildcards), ignoring case.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown inbox view {view!r}")
    if due not in (None, *DUE_FILTERS):
        raise ValueError(f"unknown due filter {due!r}")
    if soon_before is None:
        soon_before = due_soon_before(session, now)
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    page = max(int(page), 1)
    q = (q or "").strip() or None

    parts = _parts(actor, view)
    conditions = []
    needs_case = needs_definition = False
    if stage:
        conditions.append(Case.stage == stage)
        needs_case = True
    if process_id:
        conditions.append(ProcessDefinition.process_id == process_id)
        needs_definition = True
    if due == "overdue":
        conditions.append(overdue_task(now))
    elif due == "soon":
        conditions.append(and_(HumanTask.due_at >= now, HumanTask.due_at <= soon_before))
    if q:
        conditions.append(or_(Case.number.icontains(q, autoescape=True),
                              Case.party_name.icontains(q, autoescape=True)))
        needs_case = True

    order = (HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id)

    def matching(part, *columns):
        query = select(*columns).select_from(HumanTask)
        if needs_case:
            query = query.join(Case, Case.id == HumanTask.case_id)
        if needs_definition:
            query = (query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                     .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id))
        return query.where(_open(), part, *conditions)

    def every(*columns):
        return union_all(*(matching(part, *columns) for part in parts))

    def page_of_ids(offset: int):
        if len(parts) == 1:
            return matching(parts[0], HumanTask.id).order_by(*order).limit(page_size).offset(offset).subquery()
        # each part's first offset + page_size tasks along its own index, then the page among those: one
        # ordered walk per part, never a sort of a whole queue (PostgreSQL does not merge a UNION in order)
        heads = [part.subquery() for part in (
            matching(part, HumanTask.id, HumanTask.due_at, HumanTask.created_at).order_by(*order)
            .limit(offset + page_size) for part in parts)]
        merged = union_all(*(select(head).select_from(head) for head in heads)).subquery()
        return (select(merged.c.id)
                .order_by(merged.c.due_at.asc().nulls_last(), merged.c.created_at, merged.c.id)
                .limit(page_size).offset(offset).subquery())

    def fetch(number: int) -> list[InboxRow]:
        # the page's tasks first (from the task indexes alone), then their case, process and assignee: joining
        # before the LIMIT would make PostgreSQL join every open task of a large database to sort a queue
        page_ids = page_of_ids((number - 1) * page_size)
        result = session.execute(
            select(HumanTask.id, HumanTask.case_id, Case.number, Case.party_name, Case.stage,
                   ProcessDefinition.process_id, ProcessDefinition.name, HumanTask.name, HumanTask.title,
                   HumanTask.candidate_role, HumanTask.assignee_id, User.display_name, HumanTask.created_at,
                   HumanTask.due_at, HumanTask.due_unit, HumanTask.due_party_side)
            .select_from(page_ids)
            .join(HumanTask, HumanTask.id == page_ids.c.id)
            .join(Case, Case.id == HumanTask.case_id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .outerjoin(User, User.id == HumanTask.assignee_id)
            .order_by(*order))
        return [InboxRow(*row, urgency=urgency(row.due_at, now, soon_before, row.due_party_side),  # type: ignore[misc]
                         workdays_left=workdays_left(session, row.due_at, row.due_unit, now)) for row in result]

    def exact_total() -> int:
        return session.scalar(select(func.count()).select_from(every(HumanTask.id).subquery()))

    counts = inbox_counts(session, actor, now=now)
    rows = fetch(page)
    if (rows and len(rows) < page_size) or (not rows and page == 1):
        total = (page - 1) * page_size + len(rows)  # the last page says it
    elif not (stage or process_id or q) and (due is None or due == "overdue") and view != "agency":
        total = counts.overdue_of(view) if due else counts.of(view)  # type: ignore[assignment]  # the counts say it
    else:
        total = _capped(session.scalar(
            select(func.count()).select_from(every(HumanTask.id).limit(COUNT_CAP + 1).subquery())))
    if isinstance(total, MoreThan) and (page * page_size > COUNT_CAP or not rows):
        total = exact_total()  # deep in a very long list (or past its end): the pager needs the exact number
    if not rows and total and page > 1:  # past the end (the last task on the last page was just claimed)
        page = (total + page_size - 1) // page_size
        rows = fetch(page)
    return InboxPage(rows=rows, total=total, counts=counts, page=page, page_size=page_size, now=now,
                     soon_before=soon_before)


def latest_processes(session) -> list[tuple[str, str]]:
    """(process_id, name) of each deployed process, named as in its latest version, ordered by name."""
    latest = (select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.process_id).subquery())
    return [tuple(row) for row in session.execute(
        select(ProcessDefinition.process_id, ProcessDefinition.name)
        .join(latest, and_(latest.c.process_id == ProcessDefinition.process_id,
                           latest.c.version == ProcessDefinition.version))
        .order_by(ProcessDefinition.name, ProcessDefinition.process_id))]


def assignable_colleagues(session, actor: Actor, roles) -> dict[str, list[tuple[int, str]]]:
    """For a head: the agency's active staff holding each of `roles`, whom assign_task accepts. One query."""
    roles = sorted(set(roles))
    if not roles or not can_see_agency(actor):
        return {}
    return staff_by_role(session, actor.agency_id, roles)  # type: ignore[arg-type]
