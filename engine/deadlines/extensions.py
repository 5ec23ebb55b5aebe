"""How far the agency may extend a clock, as the catalog's `extension` says: checked before anything is saved.

The law bounds every extension (行政强制法第二十五条: once, at most thirty days; 行政复议法第六十二条: at most
thirty days; the decision period: once by thirty days on a head's approval, more only as the heads decide
collectively). A period the law gives no extension, the party's periods and the court's periods are refused.
"""
from __future__ import annotations

from engine.deadlines.catalog import UNIT_WORDS, CatalogEntry
from engine.errors import ValidationFailed
from engine.store.models import CaseDeadline
from engine.store.statuses import ClockStatus

class ExtensionRefused(ValidationFailed):
    """An extension the law does not allow. Raised inside a process step (the escalation's script), it refuses the
    step for the person who asked, with nothing saved, instead of putting the process in error."""


REASON_MAX = 500  # characters: a reason is a paragraph in the file, never a document of its own
APPROVERS = {"head": "负责人"}
DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1 → 一, 15 → 十五, 30 → 三十 (as the law writes its periods); beyond 99 in digits."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones else "")


def limit_text(entry: CatalogEntry) -> str:
    """The extension the law allows for this clock, in a sentence naming the article."""
    rule = entry.extension
    if rule is None:
        return not_extendable_text(entry)
    times = "一次" if rule.times == 1 else f"{chinese_number(rule.times)}次"
    text = (f"「{entry.title}」经{APPROVERS.get(rule.by, rule.by)}批准只能延长{times}，"
            f"最多{chinese_number(rule.max)}{UNIT_WORDS[entry.unit]}")
    if rule.further == "collective_discussion":
        text += "；再延长须经负责人集体讨论决定，并写明集体讨论记录"
    return f"{text}（{rule.basis}）。"


def not_extendable_text(entry: CatalogEntry) -> str:
    if entry.party_side:
        return f"「{entry.title}」是当事人的期限，行政机关不能延长（{entry.basis}）。"
    if entry.court:
        return f"「{entry.title}」由人民法院掌握，行政机关不能延长（{entry.basis}）。"
    return f"法律没有规定「{entry.title}」可以延长（{entry.basis}）。"


def ordinary_extensions(row: CaseDeadline | dict) -> list[dict]:
    """The extensions granted on the approver's own authority (not a payment deferral, not a further one)."""
    extensions = row["extensions"] if isinstance(row, dict) else row.extensions
    return [e for e in extensions or [] if not e.get("until") and not e.get("further")]


def offer(row: CaseDeadline | dict, entry: CatalogEntry) -> dict | None:
    """What may still be asked for on this clock: {'max': …, 'needs_discussion': bool}, or None."""
    rule = entry.extension
    status = row["status"] if isinstance(row, dict) else row.status
    if rule is None or status not in (ClockStatus.RUNNING, ClockStatus.OVERDUE, ClockStatus.PAUSED):
        return None
    if len(ordinary_extensions(row)) < rule.times:
        return {"max": rule.max, "needs_discussion": False}
    if rule.further == "collective_discussion":
        return {"max": None, "needs_discussion": True}
    return None


def check_request(*, period, reason, collective_discussion=None) -> dict:
    """Field errors of the request itself, before any clock is read."""
    errors = {}
    if not isinstance(period, int) or isinstance(period, bool) or period <= 0 or period > 366:
        errors["period"] = ["延长期限应为 1 至 366 之间的整数。"]
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = ["请填写延长理由。"]
    elif len(reason.strip()) > REASON_MAX:
        errors["reason"] = [f"延长理由不能超过 {REASON_MAX} 字（现有 {len(reason.strip())} 字）。"]
    if collective_discussion is not None and not isinstance(collective_discussion, str):
        errors["collective_discussion"] = ["集体讨论记录应为文字。"]
    elif collective_discussion and len(collective_discussion.strip()) > REASON_MAX:
        errors["collective_discussion"] = [f"集体讨论记录不能超过 {REASON_MAX} 字。"]
    return errors


def check_extension(row: CaseDeadline, entry: CatalogEntry, *, period, reason,
                    collective_discussion: str | None = None) -> dict:
    """Refuse an extension the law does not allow (ValidationFailed naming the limit and the article); return
    what to keep with an allowed one (the collective discussion it rests on)."""
    errors = check_request(period=period, reason=reason, collective_discussion=collective_discussion)
    if errors:
        raise ExtensionRefused("延长期限的申请有误。", fields=errors)
    if entry.extension is None:
        message = not_extendable_text(entry)
        raise ExtensionRefused(message, fields={"period": [message]})
    if row.status in (ClockStatus.MET, ClockStatus.CANCELLED):
        message = f"「{entry.title}」已{'办结' if row.status == 'met' else '不再计算'}，不能延长。"
        raise ExtensionRefused(message, fields={"period": [message]})
    rule, discussion = entry.extension, (collective_discussion or "").strip()
    if len(ordinary_extensions(row)) < rule.times:
        if period > rule.max:
            message = limit_text(entry)
            raise ExtensionRefused(message, fields={"period": [message]})
        return {"collective_discussion": discussion} if discussion else {}
    if rule.further != "collective_discussion":
        message = limit_text(entry)
        raise ExtensionRefused(message, fields={"period": [message]})
    if not discussion:
        message = limit_text(entry)
        raise ExtensionRefused(message, fields={"collective_discussion": [message]})
    return {"collective_discussion": discussion, "further": True}
