"""Enforcement statistics (执法统计) and the annual report (行政执法统计年报), from what the system recorded:

- cases registered: `enforcement_case.created_at`, by agency and by case source (案源 `enforcement_case.source`);
- filed (立案), referred out, transferred to the police, reconsiderations, lawsuits: the processes started
  (`penalty_ordinary`, `referral_out`, `crime_transfer`, `reconsideration`, `litigation`);
- decisions, penalty kind and fine: the decision form in the full-process record — the data of the completed
  `penalty_decision` (一般程序) and `onsite_decision` (简易程序) tasks, counted when the decision was recorded;
- violation type: the first law named in 《》 in the legal basis of the investigation report (一般程序) or of
  the on-the-spot decision (简易程序) — the product keeps no separate violation code;
- hearings held and legal reviews: the completed `hearing_record` and `legal_review` tasks;
- decisions revoked or changed: publications withdrawn (`publication.withdrawn_at`);
- timeliness: statutory clocks (`case_deadline`) met in the period, in time or late, and clocks that ran out
  unmet; the decision rate is `decision_90d` (立案起九十日) met by its due moment, over all that ended;
- case-file reviews: `case_review` scores.
Periods are Beijing-time days, both ends included.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import CHINA_TZ
from forms.common import PENALTY_KINDS
from forms.intake import LEAD_SOURCES
from engine.store.models import (
    Agency, AuditRecord, Case, CaseDeadline, CaseReview, HumanTask, ProcessDefinition, ProcessInstance, Publication,
)
from engine.store.statuses import ClockStatus

DECISION_FORMS = {"penalty_decision": "ordinary", "onsite_decision": "summary"}
BASIS_FORMS = ("investigation_report", "onsite_decision")
COUNTED_PROCESSES = {"penalty_ordinary": "filed", "referral_out": "referred_out", "crime_transfer": "crime_transfers",
                     "reconsideration": "reconsiderations", "litigation": "litigations"}
SOURCE_TITLES = dict(LEAD_SOURCES)
KIND_TITLES = dict(PENALTY_KINDS)
LAW = re.compile(r"《([^》]{1,60})》")
NO_BASIS = "未注明依据"

ANNUAL_COLUMNS = (
    ("agency", "执法机关"), ("registered", "受理案源（件）"), ("filed", "立案（件）"),
    ("summary_penalties", "简易程序处罚（件）"), ("ordinary_penalties", "一般程序处罚决定（件）"),
    ("no_penalty", "不予处罚（件）"), ("referred_out", "移送其他机关（件）"), ("crime_transfers", "涉嫌犯罪移送（件）"),
    ("warning", "警告、通报批评（件）"), ("fine", "罚款（件）"), ("fine_total", "罚款金额（元）"),
    ("confiscation", "没收（件）"), ("suspension", "暂扣许可证件、降低资质等级（件）"),
    ("revocation", "吊销许可证件、责令停产停业等（件）"), ("hearings", "听证（次）"), ("legal_reviews", "法制审核（件）"),
    ("reconsiderations", "行政复议（件）"), ("litigations", "行政诉讼（件）"), ("revoked", "决定被撤销、变更（件）"),
    ("decisions_in_time", "按期作出决定（件）"), ("decisions_timed", "应作出决定（件）"),
    ("in_time_rate", "按期作出决定率（%）"), ("reviewed", "案卷评查（件）"), ("review_average", "评查平均分"),
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def moments(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, tzinfo=CHINA_TZ),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=CHINA_TZ))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


def violation_type(basis: str | None) -> str:
    match = LAW.search(basis or "")
    if match:
        return f"《{match.group(1)}》"
    return (basis or "").strip()[:30] or NO_BASIS


def _local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def decisions(session: Session, period: Period, agency_id: int | None = None) -> list[dict]:
    """Every decision recorded in the period, with its kind, fine and the legal basis of its case."""
    lo, hi = period.moments
    query = (select(AuditRecord.case_id, AuditRecord.at, AuditRecord.data, HumanTask.form_key, Case.agency_id,
                    Case.source)
             .join(HumanTask, HumanTask.id == AuditRecord.task_id).join(Case, Case.id == AuditRecord.case_id)
             .where(AuditRecord.action == "task_completed", AuditRecord.at >= lo, AuditRecord.at < hi,
                    HumanTask.form_key.in_(list(DECISION_FORMS))).order_by(AuditRecord.id))
    if agency_id:
        query = query.where(Case.agency_id == agency_id)
    rows = session.execute(query).all()
    bases = _legal_bases(session, {row.case_id for row in rows if row.form_key == "penalty_decision"})
    out = []
    for row in rows:
        data = row.data or {}
        procedure = DECISION_FORMS[row.form_key]
        decision = data.get("decision", "penalty") if procedure == "ordinary" else "penalty"
        kind = data.get("penalty_kind") if decision == "penalty" else None
        basis = data.get("legal_basis") if procedure == "summary" else bases.get(row.case_id)
        fine = float(data.get("fine_amount") or 0) if kind == "fine" else 0.0
        out.append({"case_id": row.case_id, "agency_id": row.agency_id, "source": row.source, "at": row.at,
                    "procedure": procedure, "decision": decision, "penalty_kind": kind, "fine": fine,
                    "legal_basis": basis, "violation": violation_type(basis)})
    return out


def _legal_bases(session: Session, case_ids: set[int]) -> dict[int, str | None]:
    """The legal basis of each case's latest investigation report."""
    if not case_ids:
        return {}
    found = {}
    for case_id, data in session.execute(
            select(AuditRecord.case_id, AuditRecord.data).join(HumanTask, HumanTask.id == AuditRecord.task_id)
            .where(AuditRecord.action == "task_completed", AuditRecord.case_id.in_(sorted(case_ids)),
                   HumanTask.form_key == "investigation_report").order_by(AuditRecord.id)):
        found[case_id] = (data or {}).get("legal_basis")
    return found


def _count_by_agency(session: Session, query, agency_id) -> Counter:
    if agency_id:
        query = query.where(Case.agency_id == agency_id)
    return Counter(dict(session.execute(query.group_by(Case.agency_id)).all()))


def statistics(session: Session, period: Period, *, agency_id: int | None = None) -> dict:
    lo, hi = period.moments
    agencies = dict(session.execute(select(Agency.id, Agency.name).order_by(Agency.id)).all())
    if agency_id:
        agencies = {agency_id: agencies.get(agency_id, str(agency_id))}
    per: dict[int, Counter] = defaultdict(Counter)

    registered = session.execute(_scoped(select(Case.agency_id, Case.source, Case.created_at)
                                         .where(Case.created_at >= lo, Case.created_at < hi), agency_id)).all()
    by_source: dict[str, Counter] = defaultdict(Counter)
    by_month: dict[str, Counter] = defaultdict(Counter)
    for agency, source, created_at in registered:
        per[agency]["registered"] += 1
        by_source[source]["registered"] += 1
        by_month[_local_day(created_at).strftime("%Y-%m")]["registered"] += 1

    started = session.execute(_scoped(
        select(Case.agency_id, ProcessDefinition.process_id, func.count())
        .join(ProcessInstance, ProcessInstance.case_id == Case.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.created_at >= lo, ProcessInstance.created_at < hi,
               ProcessDefinition.process_id.in_(list(COUNTED_PROCESSES)))
        .group_by(Case.agency_id, ProcessDefinition.process_id), agency_id)).all()
    for agency, process_id, count in started:
        per[agency][COUNTED_PROCESSES[process_id]] += count

    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_violation: dict[str, Counter] = defaultdict(Counter)
    for row in decisions(session, period, agency_id):
        counter = per[row["agency_id"]]
        if row["decision"] == "penalty":
            counter["summary_penalties" if row["procedure"] == "summary" else "ordinary_penalties"] += 1
            kind = row["penalty_kind"] or "unknown"
            counter[kind] += 1
            counter["fine_total"] += row["fine"]
            by_kind[kind]["count"] += 1
            by_kind[kind]["fine_total"] += row["fine"]
            by_violation[row["violation"]]["count"] += 1
            by_violation[row["violation"]]["fine_total"] += row["fine"]
            by_source[row["source"]]["penalties"] += 1
            by_month[_local_day(row["at"]).strftime("%Y-%m")]["penalties"] += 1
        elif row["decision"] == "no_penalty":
            counter["no_penalty"] += 1

    for form_key, column in (("hearing_record", "hearings"), ("legal_review", "legal_reviews")):
        for agency, count in _count_by_agency(session, select(Case.agency_id, func.count())
                                              .select_from(AuditRecord).join(HumanTask, HumanTask.id == AuditRecord.task_id)
                                              .join(Case, Case.id == AuditRecord.case_id)
                                              .where(AuditRecord.action == "task_completed", HumanTask.form_key == form_key,
                                                     AuditRecord.at >= lo, AuditRecord.at < hi), agency_id).items():
            per[agency][column] += count
    revoked = select(Publication.agency_id, func.count()).where(Publication.withdrawn_at >= lo, Publication.withdrawn_at < hi)
    if agency_id:
        revoked = revoked.where(Publication.agency_id == agency_id)
    for agency, count in session.execute(revoked.group_by(Publication.agency_id)):
        per[agency]["revoked"] += count

    timeliness = _timeliness(session, lo, hi, agency_id, per)
    reviews = _reviews(session, lo, hi, agency_id, per)

    rows = []
    for agency, name in agencies.items():
        counter = per.get(agency, Counter())
        rows.append(_annual_row(name, counter))
    total = sum((per.get(agency, Counter()) for agency in agencies), Counter())
    return {
        "period": period, "agencies": rows, "total": _annual_row("合计", total),
        "by_source": [{"source": key, "title": SOURCE_TITLES.get(key, key), **value}
                      for key, value in sorted(by_source.items())],
        "by_kind": [{"kind": key, "title": KIND_TITLES.get(key, "未注明"), "count": value["count"],
                     "fine_total": round(value["fine_total"], 2)}
                    for key, value in sorted(by_kind.items(), key=lambda item: -item[1]["count"])],
        "by_violation": [{"violation": key, "count": value["count"], "fine_total": round(value["fine_total"], 2)}
                         for key, value in sorted(by_violation.items(), key=lambda item: (-item[1]["count"], item[0]))],
        "by_month": [{"month": key, **value} for key, value in sorted(by_month.items())],
        "timeliness": timeliness, "reviews": reviews,
    }


def _scoped(query, agency_id):
    return query.where(Case.agency_id == agency_id) if agency_id else query


def _timeliness(session: Session, lo, hi, agency_id, per) -> list[dict]:
    """Per clock: met in time, met late, and run out unmet (due within the period and not met)."""
    query = (select(Case.agency_id, CaseDeadline.key, CaseDeadline.title, CaseDeadline.status, CaseDeadline.met_at,
                    CaseDeadline.due_at).join(Case, Case.id == CaseDeadline.case_id)
             .where(CaseDeadline.party_side.is_(False))  # the party's windows are not the agency's timeliness
             .where(((CaseDeadline.status == ClockStatus.MET) & (CaseDeadline.met_at >= lo)
                     & (CaseDeadline.met_at < hi))
                    | ((CaseDeadline.status == ClockStatus.OVERDUE) & (CaseDeadline.due_at >= lo)
                       & (CaseDeadline.due_at < hi))))
    by_key: dict[str, dict] = {}
    for agency, key, title, status, met_at, due_at in session.execute(_scoped(query, agency_id)):
        entry = by_key.setdefault(key, {"key": key, "title": title, "in_time": 0, "late": 0, "missed": 0})
        outcome = "missed" if status == ClockStatus.OVERDUE else "in_time" if met_at <= due_at else "late"
        entry[outcome] += 1
        if key == "decision_90d":
            per[agency]["decisions_timed"] += 1
            per[agency]["decisions_in_time"] += outcome == "in_time"
    for entry in by_key.values():
        ended = entry["in_time"] + entry["late"] + entry["missed"]
        entry["rate"] = round(100 * entry["in_time"] / ended, 1) if ended else None
    return sorted(by_key.values(), key=lambda entry: entry["key"])


def _reviews(session: Session, lo, hi, agency_id, per) -> dict:
    query = select(CaseReview.agency_id, CaseReview.score, CaseReview.grade).where(
        CaseReview.reviewed_at >= lo, CaseReview.reviewed_at < hi)
    if agency_id:
        query = query.where(CaseReview.agency_id == agency_id)
    grades: Counter[str] = Counter()
    scores: list[int] = []
    for agency, score, grade in session.execute(query):
        per[agency]["reviewed"] += 1
        per[agency]["review_points"] += score
        grades[grade] += 1
        scores.append(score)
    return {"count": len(scores), "average": round(sum(scores) / len(scores), 1) if scores else None,
            "grades": dict(grades)}


def _annual_row(name: str, counter: Counter) -> dict:
    row: dict[str, object] = {key: counter.get(key, 0) for key, _ in ANNUAL_COLUMNS if key != "agency"}
    row["agency"] = name
    row["fine_total"] = round(float(counter.get("fine_total", 0)), 2)
    timed = counter.get("decisions_timed", 0)
    row["in_time_rate"] = round(100 * counter.get("decisions_in_time", 0) / timed, 1) if timed else None
    reviewed = counter.get("reviewed", 0)
    row["review_average"] = round(counter.get("review_points", 0) / reviewed, 1) if reviewed else None
    return row
