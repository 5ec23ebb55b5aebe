"""The dates every issued document prints, read back from its stored HTML, in the order the law sets them:
filed (立案) ≤ prior notice served (事先告知) ≤ decided (决定) ≤ served (送达, 行政处罚法第六十一条), and a
correction ordered by the decision (第二十八条) not due before it. Checked after every scenario test
(conftest.py), so every path of the process library is held to it."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from engine.store.models import CaseDocument

DAY = r'<span class="filled">(\d{4})年(\d{1,2})月(\d{1,2})日'
# kind → (name of the date, where it is printed)
PRINTED = {
    "penalty_decision": (("filed", r"本机关于" + DAY + r"[^<]*</span>立案"),
                         ("notice", r"本机关于" + DAY + r"[^<]*</span>向当事人送达了《行政处罚事先告知书》"),
                         ("decided", r'<div class="seal">.*?' + DAY)),
    "correction_order": (("decided", r"本机关已于" + DAY), ("correction_due", r"于" + DAY + r"[^<]*</span>前改正")),
    "service_receipt": (("served", r"送达时间</th><td>" + DAY),),
}
ORDER = (("filed", "notice"), ("notice", "decided"), ("decided", "served"), ("decided", "correction_due"))


def printed_dates(html: str, kind: str) -> dict[str, date]:
    found = {}
    for name, pattern in PRINTED.get(kind, ()):
        match = re.search(pattern, html, re.S)
        if match:
            found[name] = date(*(int(part) for part in match.groups()))
    return found


def case_dates(session) -> dict[int, dict[str, list[date]]]:
    """case id → date name → every printed value of it (a case may print a date on several documents)."""
    dates: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    for document in session.scalars(select(CaseDocument).order_by(CaseDocument.id)):
        for name, value in printed_dates(document.html, document.kind).items():
            dates[document.case_id][name].append(value)
    return dates


def disorder(session) -> list[str]:
    """Each pair of printed dates out of the law's order, named with its case."""
    return [f"case {case_id}: {problem}" for case_id, dates in case_dates(session).items()
            for problem in out_of_order(dates)]


def out_of_order(dates: dict[str, list[date]]) -> list[str]:
    return [f"{earlier} {max(dates[earlier])} after {later} {min(dates[later])}" for earlier, later in ORDER
            if dates.get(earlier) and dates.get(later) and max(dates[earlier]) > min(dates[later])]
