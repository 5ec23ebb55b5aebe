"""The case's own chronology: a date typed into a form is checked against the moment it is typed and against the
facts the case already holds, before anything is saved (a service date before the decision would start the
payment clock too early and make an innocent party overdue at once).

The rules are data: which facts lie ahead when typed (`PLANNED`), and which fact may not precede which (`ORDER`).
Every other date is a fact that has happened: not in the future (a date up to the end of today, Beijing time; a
moment up to `MOMENT_TOLERANCE` ahead of the clock, for a clerk whose watch runs fast), and not before the lead
was discovered. `now` comes from the service's injectable clock; the earlier facts from the case's process data
and its record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")
MOMENT_TOLERANCE = timedelta(minutes=10)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100  # a year outside is a typing slip, never a date of a case
ANCHOR = "discovered_at"  # nothing on a case happens before its lead was discovered or received

# dates that are appointments, not facts: typed ahead of time (the hearing is notified at least 7 WD before)
# and the day by which a party is ordered to correct a violation (行政处罚法第二十八条), and the day a party asks or
# is allowed to pay a fine by (延期缴纳, 第六十六条第二款)
PLANNED = frozenset({"hearing_time", "correction_deadline", "requested_last_day", "approved_last_day"})


@dataclass(frozen=True)
class NotBefore:
    """`field` (being typed) may not lie before the case's `earlier` fact."""

    field: str
    earlier: str


ORDER = (
    NotBefore("decision_date", "notice_date"),    # 事先告知 before the decision (行政处罚法第四十四条、第六十二条)
    NotBefore("decision_date", "held_on"),        # the hearing is held before the decision
    NotBefore("held_on", "hearing_time"),         # not before the notified day: it would cut the 7 WD notice short
    NotBefore("correction_deadline", "decision_date"),  # a correction is ordered by the decision, for later
    NotBefore("served_at", "decision_date"),      # a decision is served once issued (第六十一条)
    NotBefore("published_on", "decision_date"),
    NotBefore("paid_on", "served_at"),            # the 15 days run from service (第六十七条)
    NotBefore("paid_on", "decision_date"),
    NotBefore("deferral_applied_on", "served_at"),  # a deferral is asked for a fine already served
)

# how an earlier fact is named in a refusal (the typed field is named by its own label on the form)
FACT_NAMES = {
    "discovered_at": "发现（收到）时间", "notice_date": "事先告知书送达日期", "held_on": "听证日期",
    "hearing_time": "通知的听证时间", "decision_date": "决定日期", "served_at": "送达日期",
}


def chronology_errors(values: dict, labels: dict[str, str], context: dict) -> dict[str, str]:
    """Field errors for the typed `values` (dates and datetimes as parsed), given `context["now"]` and the case's
    earlier facts in `context["data"]` (ISO text or date/datetime values). Without `now`, only the order is."""
    now = context.get("now")
    facts = {**(context.get("data") or {}), **{k: v for k, v in values.items() if v is not None}}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(value, date):
            continue
        label = labels.get(name, name)
        problem = _in_future(label, value, now) if now is not None and name not in PLANNED else None
        if problem is None:
            earlier = [ANCHOR] if name != ANCHOR else []
            earlier += [rule.earlier for rule in ORDER if rule.field == name]
            problem = next(filter(None, (_before(label, value, other, _parse(facts.get(other)))
                                         for other in earlier)), None)
        if problem:
            errors[name] = problem
    return errors


# dates a message to a case carries (a reconsideration or a lawsuit received), checked like a form's dates
MESSAGE_DATES = {"received_on": "收到日期"}


def message_date_errors(payload: dict, context: dict) -> dict[str, list[str]]:
    """Field errors for the dates a message payload carries: ISO dates within 1900–2100, in the case's order."""
    values, errors = {}, {}
    for name in MESSAGE_DATES:
        text = payload.get(name)
        if text is None:
            continue
        value = _parse(text) if isinstance(text, str) and len(text) == 10 else None
        if value is None:
            errors[name] = ["日期格式不正确，应为 YYYY-MM-DD。"]
        elif not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            errors[name] = [f"日期应在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间，请核对年份。"]
        else:
            values[name] = value
    errors.update({name: [message] for name, message in chronology_errors(values, MESSAGE_DATES, context).items()})
    return errors


def _in_future(label: str, value: date, now: datetime) -> str | None:
    if isinstance(value, datetime):
        if value > now + MOMENT_TOLERANCE:
            current = now.astimezone(CHINA_TZ)
            return f"{label} {_text(value)} 晚于当前时间 {_text(current)}，不能填写将来的时间。"
        return None
    today = now.astimezone(CHINA_TZ).date()
    if value > today:
        return f"{label} {value.isoformat()} 晚于今天（{today.isoformat()}），不能填写将来的日期。"
    return None


def _before(label: str, value: date, other: str, earlier: date | None) -> str | None:
    if earlier is None:
        return None
    if isinstance(value, datetime) and isinstance(earlier, datetime) and value.tzinfo and earlier.tzinfo:
        wrong = value < earlier
    else:
        wrong = _day(value) < _day(earlier)
    if not wrong:
        return None
    return f"{label} {_text(value)} 早于{FACT_NAMES.get(other, other)} {_text(earlier)}。"


def _parse(value) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return None


def _day(value: date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo else value.date()
    return value


def _text(value: date) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(CHINA_TZ) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
