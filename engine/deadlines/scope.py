"""Deadline functions for BPMN scripts and timer expressions, bound to the case being stepped.

A designer writes `start_deadline("decision_90d")` in a script task and `deadline("decision_90d")` (or
`deadline_warning("decision_90d")`) as a timer's timeDate, and never an ISO duration for a statutory period.
The functions read and write the case's deadline records through the scope the service opened for this step.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ, Clock
from engine.deadlines import extensions, records
from engine.deadlines.catalog import UNIT_WORDS
from engine.deadlines.catalog import entry as catalog_entry
from engine.errors import NotAuthorized, ValidationFailed
from engine.store.models import CaseDeadline, DeadlineSetting
from engine.store.statuses import ClockStatus


@dataclass
class DeadlineScope:
    session: Session
    case_id: int
    agency_id: int
    instance_id: int | None
    clock: Clock
    actor: Actor
    calendar: WorkCalendar
    changed: set[str] = field(default_factory=set)  # keys whose due moment moved: their timers need re-arming
    events: list[tuple[str, CaseDeadline, str]] = field(default_factory=list)  # (action, row, summary) to audit
    outbox: list[tuple[str, dict]] = field(default_factory=list)  # messages for the case's other processes
    _rows: list[CaseDeadline] | None = None  # the case's clocks, read once per step

    def rows(self) -> list[CaseDeadline]:
        if self._rows is None:
            self._rows = list(self.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == self.case_id)
                                                   .order_by(CaseDeadline.id)))
        return self._rows

    def current(self, key: str) -> CaseDeadline | None:
        """The latest clock of this kind on the case that was not cancelled."""
        return next((row for row in reversed(self.rows())
                     if row.key == key and row.status != ClockStatus.CANCELLED), None)

    def due_of(self, keys) -> "tuple[datetime | None, str | None, bool]":
        """The earliest due moment among these clocks, that clock's unit and whether it is the party's; with no
        keys, none."""
        if not keys:  # a task watching no clock has none: never another clock's countdown
            return None, None, False
        rows = [row for row in self.rows() if row.status in records.OPEN_STATUSES and row.key in keys]
        first = min(rows, key=lambda row: row.due_at, default=None)
        return (first.due_at, first.unit, bool(first.party_side)) if first else (None, None, False)

    def ended(self, key: str) -> bool:
        """The clock of this kind was cancelled (its cause went away) and none runs now: a timer waiting on it
        must not start it again."""
        return self.current(key) is None and any(row.key == key for row in self.rows())

    def period_for(self, key: str) -> int:
        entry = catalog_entry(key)
        if entry.configurable:
            setting = self.session.get(DeadlineSetting, (self.agency_id, key))
            if setting is not None:
                return setting.period
        return entry.period

    def start(self, key: str, start=None) -> CaseDeadline:
        entry = catalog_entry(key)
        now = self.clock.now()
        row = records.start_record(entry=entry, period=self.period_for(key), case_id=self.case_id,
                                   instance_id=self.instance_id, start=records.parse_start(start, now, entry=entry),
                                   calendar=self.calendar, now=now)
        self.session.add(row)
        self.rows().append(row)
        self.changed.add(key)
        self.events.append(("deadline_started", row, f"开始计算「{row.title}」：{row.explanation}"))
        return row


_scope: ContextVar[DeadlineScope | None] = ContextVar("zhifa_deadline_scope", default=None)


@contextmanager
def deadline_scope(scope: DeadlineScope):
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> DeadlineScope | None:
    return _scope.get()


def _active() -> DeadlineScope:
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("deadline functions are only available while a case is being processed")
    return scope


# -- functions designers call from BPMN ---------------------------------------------------------------------

def start_deadline(key: str, start=None) -> str:
    """Start a statutory clock (again, if it ran before); returns its due moment for a timer."""
    scope = _active()
    return records.timer_value(scope.start(key, start))


def deadline(key: str) -> str:
    """The due moment of a clock, for a timer's timeDate; starts the clock now if it is not running yet."""
    scope = _active()
    if scope.ended(key):
        return records.PAUSED_FAR_FUTURE
    row = scope.current(key) or scope.start(key)
    return records.timer_value(row)


def deadline_warning(key: str, working_days: int | None = None) -> str:
    """The moment to warn before a clock runs out (the catalog's warn_before working days by default)."""
    scope = _active()
    if scope.ended(key):
        return records.PAUSED_FAR_FUTURE
    row = scope.current(key) or scope.start(key)
    if row.status == ClockStatus.PAUSED:
        return records.PAUSED_FAR_FUTURE
    days = working_days if working_days is not None else catalog_entry(key).warn_before
    return records.warning_moment(row, working_days=days, calendar=scope.calendar).astimezone(CHINA_TZ).isoformat()


def meet_deadline(key: str) -> bool:
    """The act the clock was waiting for is done."""
    scope = _active()
    row = scope.current(key)
    if row is None or row.status in (ClockStatus.MET, ClockStatus.CANCELLED):
        return False
    now = scope.clock.now()
    late = now > row.due_at
    row.status, row.met_at, row.updated_at = ClockStatus.MET, now, now
    scope.changed.add(key)
    scope.events.append(("deadline_met", row, f"「{row.title}」已办结" + ("（已超期）" if late else "（期限内）")))
    return True


EVENT_TITLES = {"lawsuit_filed": "当事人已提起行政诉讼", "reconsideration_filed": "当事人已申请行政复议",
                "decision_revoked": "行政处罚决定已被撤销"}


def case_event(event: str) -> list[str]:
    """Something happened on the case that ends the party's windows the catalog ties to it: the party's act
    (a lawsuit, a reconsideration application) meets them; a revoked decision cancels those it caused (the
    payment clock and with it any surcharge). Returns the keys ended."""
    scope = _active()
    now, why = scope.clock.now(), EVENT_TITLES.get(event, event)
    ended = []
    for row in scope.rows():
        if row.status not in (*records.OPEN_STATUSES, ClockStatus.PAUSED):
            continue
        outcome = catalog_entry(row.key).ends_on(event)
        if outcome is None:
            continue
        row.paused_at, row.pause_reason = None, None
        row.status, row.updated_at = outcome, now
        if outcome == "met":
            row.met_at = now
        scope.changed.add(row.key)
        ended.append(row.key)
        scope.events.append((f"deadline_{outcome}", row,
                             f"「{row.title}」{'已结束' if outcome == 'met' else '不再计算'}：{why}"))
    return ended


def warn_deadline(key: str) -> bool:
    """Record that the warning before a clock's end was given (called on a warning timer's path)."""
    scope = _active()
    row = scope.current(key)
    if row is None:
        return False
    row.warned_at = scope.clock.now()
    scope.events.append(("deadline_warning", row, f"「{row.title}」即将届满（{row.due_date.isoformat()}）"))
    return True


def pause_deadline(key: str, reason: str) -> bool:
    """Stop a clock for a period that is not counted (hearing, appraisal, public notice, suspension)."""
    scope = _active()
    row = scope.current(key)
    if row is None or not records.pause(row, reason=reason, now=scope.clock.now()):
        return False
    scope.changed.add(key)
    scope.events.append(("deadline_paused", row, f"「{row.title}」暂停计算：{reason}"))
    return True


def resume_deadline(key: str) -> bool:
    scope = _active()
    row = scope.current(key)
    if row is None or not records.resume(row, entry=catalog_entry(key), calendar=scope.calendar,
                                         now=scope.clock.now()):
        return False
    scope.changed.add(key)
    scope.events.append(("deadline_resumed", row, f"「{row.title}」恢复计算：{row.explanation}"))
    return True


def extend_deadline(key: str, period: int, reason: str, collective_discussion: str | None = None) -> bool:
    """Extend a clock on the approval of the head completing this step (e.g. decision +30 days), within what the
    catalog allows (once, at most thirty days…); a further extension of the decision period names the collective
    discussion of the heads it rests on. A request beyond the law raises ValidationFailed naming the limit."""
    scope = _active()
    entry = catalog_entry(key)
    approver = entry.extension.by if entry.extension else "head"
    if not (scope.actor.has_role(approver) or scope.actor.is_system):
        raise NotAuthorized("延长法定期限须经负责人批准。")
    row = scope.current(key)
    if row is None:
        return False
    period = _whole_number(period)
    details = extensions.check_extension(row, entry, period=period, reason=reason,
                                         collective_discussion=collective_discussion)
    reason = reason.strip()
    records.extend(row, entry=entry, calendar=scope.calendar, period=period, reason=reason,
                   approved_by=scope.actor.name, approved_by_id=scope.actor.user_id, now=scope.clock.now(),
                   details=details)
    scope.changed.add(key)
    basis = f"经集体讨论（{details['collective_discussion']}）" if details.get("further") else ""
    scope.events.append(("deadline_extended", row,
                         f"「{row.title}」{basis}延长 {period}{UNIT_WORDS[row.unit]}：{reason}；{row.explanation}"))
    return True


def _whole_number(value):
    """A period as a script passes it (an int, or the text of one); anything else is left for the check to refuse."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def defer_deadline(key: str, until, reason: str) -> bool:
    """Move a day clock's last day to `until` on the approval of the head completing this step (延期缴纳罚款,
    行政处罚法第六十六条第二款): one clock, its history kept as an extension that names the approved day."""
    scope = _active()
    if not (scope.actor.has_role("head") or scope.actor.is_system):
        raise NotAuthorized("延期须经负责人批准。")
    row = scope.current(key)
    if row is None or row.unit != "day" or row.status in (ClockStatus.MET, ClockStatus.CANCELLED):
        return False  # paid meanwhile, or the decision was revoked: nothing left to defer
    until = until if isinstance(until, date) else date.fromisoformat(str(until)[:10])
    period = (until - row.strict_due_date).days
    if period <= 0 or until <= row.due_date:
        raise ValidationFailed("批准的日期应晚于当前期限的最后一日。",
                               fields={"_schema": [f"批准的日期应晚于当前期限的最后一日（{row.due_date.isoformat()}）。"]})
    records.extend(row, entry=catalog_entry(key), calendar=scope.calendar, period=period, reason=reason,
                   approved_by=scope.actor.name, approved_by_id=scope.actor.user_id, now=scope.clock.now(),
                   details={"until": until.isoformat()})
    scope.changed.add(key)
    scope.events.append(("deadline_extended", row, f"「{row.title}」经{scope.actor.name}批准延期至 {until.isoformat()}："
                                                   f"{reason}；{row.explanation}"))
    return True


SCRIPT_FUNCTIONS = {
    "start_deadline": start_deadline, "deadline": deadline, "deadline_warning": deadline_warning,
    "meet_deadline": meet_deadline, "warn_deadline": warn_deadline, "pause_deadline": pause_deadline,
    "resume_deadline": resume_deadline, "extend_deadline": extend_deadline, "defer_deadline": defer_deadline,
    "case_event": case_event,
}


