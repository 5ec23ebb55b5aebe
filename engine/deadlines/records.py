"""Per-case deadline records: start, recompute, pause (toll), resume, extend, meet. Pure logic on rows."""
from __future__ import annotations

from datetime import date, datetime

from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ
from engine.deadlines.catalog import UNIT_WORDS, CatalogEntry
from engine.deadlines.counting import (
    Count, count_period, due_label, end_of_day, local_day, moment_required, working_days_before, working_days_between,
)
from engine.deadlines.explain import explain
from engine.store.models import CaseDeadline
from engine.store.statuses import ClockStatus

PAUSED_FAR_FUTURE = "9999-12-31T00:00:00+00:00"  # a timer on a paused clock must not fire
# 'overdue': the agency's clock ran out unmet; 'lapsed': the party's window ran out (a fact, not a failure)
OPEN_STATUSES = (ClockStatus.RUNNING, ClockStatus.OVERDUE, ClockStatus.LAPSED)


def ended_status(row: CaseDeadline) -> str:
    """What a clock past its end without the act becomes."""
    return ClockStatus.LAPSED if row.party_side else ClockStatus.OVERDUE


def start_record(*, entry: CatalogEntry, period: int, case_id: int, instance_id: int | None, start: datetime,
                 calendar: WorkCalendar, now: datetime) -> CaseDeadline:
    row = CaseDeadline(case_id=case_id, instance_id=instance_id, key=entry.key, title=entry.title, period=period,
                       unit=entry.unit, party_side=entry.party_side, legal_basis=entry.basis, start_at=start,
                       status=ClockStatus.RUNNING, tolled=[], extensions=[], created_at=now, updated_at=now)
    recompute(row, entry=entry, calendar=calendar)
    return row


def recompute(row: CaseDeadline, *, entry: CatalogEntry, calendar: WorkCalendar) -> Count:
    extension = sum(int(e["period"]) for e in row.extensions or [])
    tolled_days = sum(int(t.get("days", 0)) for t in row.tolled or [] if t.get("to"))
    tolled_hours = sum(float(t.get("hours", 0)) for t in row.tolled or [] if t.get("to"))
    start = row.start_at
    if entry.direction == "before":
        unknown: set[int] = set()
        day = working_days_before(calendar, local_day(start), row.period, unknown)
        count = Count(local_day(start), day, day, end_of_day(day), bool(unknown), unknown)
    elif row.unit == "workday":
        count = count_period(calendar, start=start, period=row.period + extension, unit="workday",
                             extra_workdays=tolled_days)
    elif row.unit == "hour":
        count = count_period(calendar, start=start, period=row.period + extension, unit="hour",
                             extra_hours=tolled_hours)
    else:
        count = count_period(calendar, start=start, period=row.period, unit=row.unit,
                             extra_days=tolled_days + (extension if row.unit == "day" else 0))
        if row.unit in ("month", "year") and extension:
            count = count_period(calendar, start=start, period=row.period + extension, unit=row.unit,
                                 extra_days=tolled_days)
    row.strict_due_date, row.due_date, row.due_at = count.strict_last_day, count.last_day, count.due_at
    row.provisional, row.calendar_version = count.provisional, calendar.version
    row.explanation = explain(
        starts_on=entry.starts_on, start=start if row.unit == "hour" else count.start_day, period=row.period,
        unit=row.unit, basis=entry.basis, count=count, calendar=calendar, party_side=row.party_side,
        tolled_text=_tolled_text(row), extension_text=_extension_text(row))
    return count


def pause(row: CaseDeadline, *, reason: str, now: datetime) -> bool:
    if row.status not in OPEN_STATUSES:
        return False
    row.status, row.paused_at, row.pause_reason, row.updated_at = ClockStatus.PAUSED, now, reason, now
    row.tolled = [*(row.tolled or []), {"from": now.isoformat(), "to": None, "reason": reason}]
    return True


def resume(row: CaseDeadline, *, entry: CatalogEntry, calendar: WorkCalendar, now: datetime) -> bool:
    if row.status != ClockStatus.PAUSED:
        return False
    tolled = list(row.tolled or [])
    current = dict(tolled[-1])
    paused_from = datetime.fromisoformat(current["from"])
    current["to"] = now.isoformat()
    if row.unit == "hour":
        current["hours"] = round((now - paused_from).total_seconds() / 3600, 2)
    elif row.unit == "workday":
        current["days"] = working_days_between(calendar, local_day(paused_from), local_day(now), set())
    else:
        current["days"] = (local_day(now) - local_day(paused_from)).days
    tolled[-1] = current
    row.tolled, row.paused_at, row.pause_reason, row.updated_at = tolled, None, None, now
    recompute(row, entry=entry, calendar=calendar)
    if row.due_at > now:
        row.status, row.overdue_at = ClockStatus.RUNNING, None
    else:
        row.status = ended_status(row)
    return True


def extend(row: CaseDeadline, *, entry: CatalogEntry, calendar: WorkCalendar, period: int, reason: str,
           approved_by: str, approved_by_id: int | None, now: datetime, details: dict | None = None) -> None:
    """`details`: more to keep with the extension (who recorded a head's written approval, its reference)."""
    row.extensions = [*(row.extensions or []), {"period": period, "reason": reason, "approved_by": approved_by,
                                                "approved_by_id": approved_by_id, "at": now.isoformat(),
                                                **(details or {})}]
    recompute(row, entry=entry, calendar=calendar)
    if row.status == ClockStatus.OVERDUE and row.due_at > now:
        row.status, row.overdue_at = ClockStatus.RUNNING, None
    row.updated_at = now


def timer_value(row: CaseDeadline | None) -> str:
    if row is None or row.status == ClockStatus.PAUSED:
        return PAUSED_FAR_FUTURE
    return row.due_at.astimezone(CHINA_TZ).isoformat()


def warning_moment(row: CaseDeadline, *, working_days: int, calendar: WorkCalendar) -> datetime:
    """The start of the day from which `working_days` working days remain, counting the last day itself."""
    if row.unit == "hour":
        return row.due_at - (row.due_at - row.start_at) / 4
    first = working_days_before(calendar, row.due_date, max(working_days - 1, 0), set()) \
        if working_days > 1 else row.due_date
    return datetime.combine(first, datetime.min.time(), tzinfo=CHINA_TZ)


def as_json(row: CaseDeadline) -> dict:
    return {
        "key": row.key, "title": row.title, "start": row.start_at.isoformat(), "due": row.due_date.isoformat(),
        "due_at": row.due_at.isoformat(), "due_text": due_label(row.due_at), "strict_due": row.strict_due_date.isoformat(), "unit": row.unit,
        "period": row.period, "status": row.status, "provisional": row.provisional, "legal_basis": row.legal_basis,
        "explanation": row.explanation, "calendar_version": row.calendar_version, "party_side": row.party_side,
        "tolled": row.tolled or [], "extensions": row.extensions or [],
        "met_at": row.met_at.isoformat() if row.met_at else None,
    }


def _tolled_text(row: CaseDeadline) -> str:
    done = [t for t in row.tolled or [] if t.get("to")]
    if not done:
        return ""
    if row.unit == "hour":
        return "，" + "，".join(f"不计入 {t['hours']:g} 小时（{t['reason']}）" for t in done)
    word = "个工作日" if row.unit == "workday" else "日"
    return "，" + "，".join(f"不计入 {t['days']}{word}（{t['reason']}）" for t in done)


def _extension_text(row: CaseDeadline) -> str:
    return "".join(f"，经{e['approved_by']}批准延期缴纳至 {e['until']}（{e['reason']}）" if e.get("until")
                   else f"，经{e['approved_by']}批准延长 {e['period']}{UNIT_WORDS[row.unit]}（{e['reason']}）"
                   for e in row.extensions or [])


def parse_start(value, default: datetime, *, entry: CatalogEntry | None = None) -> datetime:
    """A clock's start given by a script: a datetime, a date, an ISO string, or nothing (now). An hour clock
    (`entry.unit == "hour"`) needs a moment: a bare date raises ValidationFailed rather than starting at midnight."""
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    day = value if isinstance(value, date) else _date_only(str(value))
    if day is not None:
        if entry is not None and entry.unit == "hour":
            raise moment_required(day, entry.title)
        return datetime.combine(day, datetime.min.time(), tzinfo=CHINA_TZ)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def _date_only(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
