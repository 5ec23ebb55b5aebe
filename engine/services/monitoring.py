"""What is wrong right now (运行监控): failing, overdue and stuck cases, and the numbers behind the dashboard,
the admin API and /metrics. Every list is one indexed query over the mirror tables (never a workflow load)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from engine.clock import CHINA_TZ
from engine.store.models import (
    Agency, Case, CaseDeadline, Certificate, HumanTask, ProcessDefinition, ProcessInstance, User, user_role,
)
from engine.store.statuses import CaseStatus, ClockStatus, InstanceStatus, TaskStatus

from .heartbeats import oldest_due_timer, worker_health
from .inbox import due_soon_before

REFERRAL_FEEDBACK = "referral_feedback_15wd"
TROUBLE_STATES = ("error", "overdue", "due_soon", "stuck", "suspended")
STUCK_KINDS = ("no_progress", "timer_unfired", "referral_unanswered", "task_unclaimed")
ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)


@dataclass(frozen=True)
class Thresholds:
    """When something counts as stuck; the console and the API may override each per request."""

    stuck_days: int = 10  # an open case without a step for this long
    unclaimed_days: int = 3  # a task nobody has claimed for this long
    timer_grace: timedelta = timedelta(minutes=5)  # a timer due longer ago than this was not fired
    stale_worker: timedelta = timedelta(seconds=60)  # a worker silent this long has stopped
    certificate_days: int = 30  # certificates expiring within this many days are listed


@dataclass(frozen=True)
class Listing:
    rows: list[dict]
    total: int


def _case(row) -> dict:
    return {"id": row.case_id, "number": row.case_number, "party_name": row.party_name, "stage": row.stage,
            "status": row.case_status, "agency": row.agency_name}


def _case_columns():
    return (Case.id.label("case_id"), Case.number.label("case_number"), Case.party_name, Case.stage,
            Case.status.label("case_status"), Agency.name.label("agency_name"))


def _page(session: Session, query, *, limit: int, offset: int, shape, count=None) -> Listing:
    """A page of `query` and the total. `count` (from _count) counts the same rows without the display joins,
    which matters when a list holds tens of thousands of rows."""
    total = session.scalar(count if count is not None else
                           select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(max(limit, 0)).offset(max(offset, 0))).all() if limit else []
    return Listing([shape(row) for row in rows], total or 0)


def _by_agency(query, agency_id: int | None):
    return query.where(Case.agency_id == agency_id) if agency_id else query


def _count(case_id_column, condition, agency_id: int | None):
    """How many rows of case_id_column's table meet the condition (in the agency's cases, if one is given)."""
    query = select(func.count()).select_from(case_id_column.table).where(condition)
    if agency_id:
        query = query.join(Case, Case.id == case_id_column).where(Case.agency_id == agency_id)
    return query


def errors(session: Session, *, agency_id=None, limit=50, offset=0) -> Listing:
    """Instances the engine stopped: the failing element, its message and stack, when, and how often."""
    query = (select(ProcessInstance.id, ProcessInstance.error_element, ProcessInstance.error_message,
                    ProcessInstance.error_detail, ProcessInstance.error_at, ProcessInstance.error_count,
                    ProcessDefinition.name.label("process_name"), *_case_columns())
             .join(Case, Case.id == ProcessInstance.case_id).join(Agency, Agency.id == Case.agency_id)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessInstance.status == InstanceStatus.ERROR)
             .order_by(ProcessInstance.error_at.desc(), ProcessInstance.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset, shape=lambda row: {
        "kind": "error", "case": _case(row), "instance_id": row.id, "process_name": row.process_name,
        "element": row.error_element, "message": row.error_message, "detail": row.error_detail,
        "since": row.error_at, "count": row.error_count})


def suspended(session: Session, *, agency_id=None, limit=50, offset=0) -> Listing:
    query = (select(ProcessInstance.id, ProcessInstance.updated_at, ProcessDefinition.name.label("process_name"),
                    *_case_columns())
             .join(Case, Case.id == ProcessInstance.case_id).join(Agency, Agency.id == Case.agency_id)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessInstance.status == InstanceStatus.SUSPENDED)
             .order_by(ProcessInstance.updated_at, ProcessInstance.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset, shape=lambda row: {
        "kind": "suspended", "case": _case(row), "instance_id": row.id, "process_name": row.process_name,
        "since": row.updated_at})


def _deadlines(session: Session, condition, *, agency_id, limit, offset, kind: str, order) -> Listing:
    query = (select(CaseDeadline.id, CaseDeadline.key, CaseDeadline.title, CaseDeadline.due_at,
                    CaseDeadline.due_date, CaseDeadline.status.label("clock_status"), CaseDeadline.legal_basis,
                    CaseDeadline.instance_id, CaseDeadline.provisional, *_case_columns())
             .join(Case, Case.id == CaseDeadline.case_id).join(Agency, Agency.id == Case.agency_id)
             .where(condition).order_by(order, CaseDeadline.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset,
                 count=_count(CaseDeadline.case_id, condition, agency_id), shape=lambda row: {
        "kind": kind, "case": _case(row), "deadline_id": row.id, "key": row.key, "title": row.title,
        "due_at": row.due_at, "due_date": row.due_date, "status": row.clock_status, "instance_id": row.instance_id,
        "legal_basis": row.legal_basis, "provisional": row.provisional, "since": row.due_at})


def overdue(session: Session, *, now: datetime, agency_id=None, limit=50, offset=0) -> Listing:
    """The agency's clocks past their end that were not met: flagged overdue, or running past due (before the
    next tick). A party's window that ran out (lapsed) is no failure of the agency's and is never listed."""
    condition = and_(CaseDeadline.status.in_((ClockStatus.RUNNING, ClockStatus.OVERDUE)), CaseDeadline.due_at < now,
                     CaseDeadline.party_side.is_(False))
    return _deadlines(session, condition, agency_id=agency_id, limit=limit, offset=offset, kind="overdue",
                      order=CaseDeadline.due_at)


def due_soon(session: Session, *, now: datetime, agency_id=None, limit=50, offset=0, before: datetime | None = None
             ) -> Listing:
    """Running clocks ending within three working days (by the holiday calendar), as the inbox counts them."""
    before = before or due_soon_before(session, now)
    condition = and_(CaseDeadline.status == ClockStatus.RUNNING, CaseDeadline.due_at >= now,
                     CaseDeadline.due_at <= before, CaseDeadline.party_side.is_(False))
    return _deadlines(session, condition, agency_id=agency_id, limit=limit, offset=offset, kind="due_soon",
                      order=CaseDeadline.due_at)


def no_progress(session: Session, *, now: datetime, days: int, agency_id=None, limit=50, offset=0) -> Listing:
    """Open cases with a process waiting but no step taken for `days` days."""
    waiting = exists().where(ProcessInstance.case_id == Case.id, ProcessInstance.status.in_(ACTIVE))
    query = (select(Case.updated_at, *_case_columns()).join(Agency, Agency.id == Case.agency_id)
             .where(Case.status == CaseStatus.OPEN, Case.updated_at < now - timedelta(days=days), waiting)
             .order_by(Case.updated_at, Case.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset, shape=lambda row: {
        "kind": "no_progress", "case": _case(row), "since": row.updated_at})


def unfired_timers(session: Session, *, now: datetime, grace: timedelta, agency_id=None, limit=50, offset=0) -> Listing:
    """Timers due longer ago than `grace` and still not fired: the scheduler is stopped or cannot fire them."""
    condition = and_(ProcessInstance.status == InstanceStatus.WAITING, ProcessInstance.next_due_at < now - grace)
    query = (select(ProcessInstance.id, ProcessInstance.next_due_at, ProcessInstance.claimed_by,
                    ProcessDefinition.name.label("process_name"), *_case_columns())
             .join(Case, Case.id == ProcessInstance.case_id).join(Agency, Agency.id == Case.agency_id)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(condition).order_by(ProcessInstance.next_due_at, ProcessInstance.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset,
                 count=_count(ProcessInstance.case_id, condition, agency_id), shape=lambda row: {
        "kind": "timer_unfired", "case": _case(row), "instance_id": row.id, "process_name": row.process_name,
        "due_at": row.next_due_at, "claimed_by": row.claimed_by, "since": row.next_due_at})


def unanswered_referrals(session: Session, *, now: datetime, agency_id=None, limit=50, offset=0) -> Listing:
    """Cases referred out whose receiving agency has not fed back within the 15 working days."""
    condition = and_(CaseDeadline.key == REFERRAL_FEEDBACK,
                     CaseDeadline.status.in_((ClockStatus.RUNNING, ClockStatus.OVERDUE)), CaseDeadline.due_at < now)
    return _deadlines(session, condition, agency_id=agency_id, limit=limit, offset=offset,
                      kind="referral_unanswered", order=CaseDeadline.due_at)


def unclaimed_tasks(session: Session, *, now: datetime, days: int, agency_id=None, limit=50, offset=0) -> Listing:
    condition = and_(HumanTask.status == TaskStatus.OPEN, HumanTask.assignee_id.is_(None),
                     HumanTask.created_at < now - timedelta(days=days))
    query = (select(HumanTask.id, HumanTask.title, HumanTask.candidate_role, HumanTask.created_at,
                    HumanTask.due_at, HumanTask.instance_id, HumanTask.agency_id, *_case_columns())
             .join(Case, Case.id == HumanTask.case_id).join(Agency, Agency.id == Case.agency_id)
             .where(condition).order_by(HumanTask.created_at, HumanTask.id))
    return _page(session, _by_agency(query, agency_id), limit=limit, offset=offset,
                 count=_count(HumanTask.case_id, condition, agency_id), shape=lambda row: {
        "kind": "task_unclaimed", "case": _case(row), "task_id": row.id, "title": row.title,
        "candidate_role": row.candidate_role, "instance_id": row.instance_id, "agency_id": row.agency_id,
        "due_at": row.due_at, "since": row.created_at})


def stuck(session: Session, *, now: datetime, thresholds: Thresholds, agency_id=None, limit=50, offset=0,
          kinds=STUCK_KINDS) -> dict[str, Listing]:
    found = {
        "no_progress": lambda: no_progress(session, now=now, days=thresholds.stuck_days, agency_id=agency_id,
                                           limit=limit, offset=offset),
        "timer_unfired": lambda: unfired_timers(session, now=now, grace=thresholds.timer_grace, agency_id=agency_id,
                                                limit=limit, offset=offset),
        "referral_unanswered": lambda: unanswered_referrals(session, now=now, agency_id=agency_id, limit=limit,
                                                            offset=offset),
        "task_unclaimed": lambda: unclaimed_tasks(session, now=now, days=thresholds.unclaimed_days,
                                                  agency_id=agency_id, limit=limit, offset=offset),
    }
    return {kind: found[kind]() for kind in kinds}


def trouble(session: Session, state: str, *, now: datetime, thresholds: Thresholds, agency_id=None, limit=50, offset=0,
            kind: str | None = None) -> dict[str, Listing]:
    """One kind of trouble as {kind: Listing}; `stuck` gives its four kinds (or the one asked for)."""
    if state == "stuck":
        return stuck(session, now=now, thresholds=thresholds, agency_id=agency_id, limit=limit, offset=offset,
                     kinds=(kind,) if kind in STUCK_KINDS else STUCK_KINDS)
    listers: dict[str, Callable[..., Listing]] = {
        "error": errors, "suspended": suspended,
        "overdue": lambda s, **kw: overdue(s, now=now, **kw),
        "due_soon": lambda s, **kw: due_soon(s, now=now, **kw)}
    lister = listers[state]
    return {state: lister(session, agency_id=agency_id, limit=limit, offset=offset)}


# -- the dashboard's figures -------------------------------------------------------------------------------------

def open_cases_by_stage(session: Session, agency_id=None) -> list[dict]:
    # counted on the case table alone (an index-only scan), agency names put on afterwards
    query = (select(Case.agency_id, Case.stage, func.count()).where(Case.status == CaseStatus.OPEN)
             .group_by(Case.agency_id, Case.stage))
    names = dict(agencies(session))
    counts = [{"agency": names.get(agency), "stage": stage, "count": count}
              for agency, stage, count in session.execute(_by_agency(query, agency_id))]
    return sorted(counts, key=lambda row: (row["agency"] or "", row["stage"] or ""))


def instance_counts(session: Session, agency_id=None) -> dict[str, int]:
    query = select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
    if agency_id:
        query = query.join(Case, Case.id == ProcessInstance.case_id).where(Case.agency_id == agency_id)
    return dict(session.execute(query).all())


def certificates_expiring(session: Session, *, today: date, days: int, agency_id=None) -> list[dict]:
    """Certificates of active staff that have expired (while the holder is still a handler) or expire within
    `days`: an expired one takes the officer off the investigators that may be assigned."""
    handler = exists().where(user_role.c.user_id == User.id, user_role.c.role_id == "handler")
    query = (select(Certificate.number, Certificate.valid_until, User.id, User.display_name, User.username,
                    Agency.name).join(User, User.id == Certificate.user_id).join(Agency, Agency.id == User.agency_id)
             .where(User.is_active.is_(True), handler, Certificate.valid_until <= today + timedelta(days=days))
             .order_by(Certificate.valid_until, User.display_name))
    if agency_id:
        query = query.where(User.agency_id == agency_id)
    rows = []
    for number, valid_until, user_id, name, username, agency in session.execute(query):
        rows.append({"number": number, "valid_until": valid_until, "user_id": user_id, "name": name,
                     "username": username, "agency": agency, "days_left": (valid_until - today).days,
                     "expired": valid_until < today})
    return rows


def timers_due(session: Session, now: datetime) -> dict:
    count = session.scalar(select(func.count()).where(ProcessInstance.status == InstanceStatus.WAITING,
                                                      ProcessInstance.next_due_at < now))
    oldest = oldest_due_timer(session, now)
    return {"count": count or 0, "oldest_due_at": oldest,
            "oldest_age_seconds": (now - oldest).total_seconds() if oldest else 0.0}


def summary(session: Session, *, now: datetime, thresholds: Thresholds, agency_id=None, sample: int = 10) -> dict:
    """Everything the monitor dashboard shows: counts, the first rows of each list, charts' data, workers."""
    today = now.astimezone(CHINA_TZ).date()
    return {
        "now": now,
        "by_stage": open_cases_by_stage(session, agency_id),
        "instances": instance_counts(session, agency_id),
        "errors": errors(session, agency_id=agency_id, limit=sample),
        "overdue": overdue(session, now=now, agency_id=agency_id, limit=sample),
        "due_soon": due_soon(session, now=now, agency_id=agency_id, limit=sample),
        "stuck": stuck(session, now=now, thresholds=thresholds, agency_id=agency_id, limit=sample),
        "suspended": suspended(session, agency_id=agency_id, limit=sample),
        "certificates": certificates_expiring(session, today=today, days=thresholds.certificate_days,
                                              agency_id=agency_id),
        "workers": worker_health(session, now=now, stale_after=thresholds.stale_worker),
        "timers_due": timers_due(session, now),
    }


def agencies(session: Session) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in session.execute(select(Agency.id, Agency.name).order_by(Agency.id))]
