"""Case-file review (案卷评查) by the judicial bureau's supervisors: a scored checklist per closed case.

The checklist follows the common structure of provincial 行政处罚案卷评查标准 (subject, filing, facts and
evidence, law and discretion, procedure, documents, execution and archiving: 100 points). Beside it the
reviewer sees what the system itself recorded about the case — who handled, reviewed and decided it, the
documents issued, clocks met late or missed — so the review starts from the record, not from memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import InvalidState, NotAuthorized, NotFound, ValidationFailed
from engine.store.database import UnitOfWork
from engine.store.models import (
    Agency, AuditRecord, Case, CaseDeadline, CaseDocument, CaseDuty, CaseReview, HumanTask, User,
)
from engine.store.statuses import CaseStatus, ClockStatus


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    points: int
    standard: str


CHECKLIST = (
    ChecklistItem("competence", "执法主体与人员", 10,
                  "执法主体合法；调查、检查由两名以上持有效行政执法证件的人员进行（行政处罚法第四十二条、第五十五条）。"),
    ChecklistItem("filing", "立案", 10, "线索登记完整，立案（不予立案）审批手续完备，在规定期限内作出。"),
    ChecklistItem("facts_evidence", "事实与证据", 20, "违法事实清楚；证据合法、真实、充分，能够相互印证。"),
    ChecklistItem("law_discretion", "法律适用与裁量", 15, "适用依据准确、完整；处罚种类、幅度符合裁量基准，理由充分。"),
    ChecklistItem("procedure", "程序", 20,
                  "告知、陈述申辩、听证、法制审核、集体讨论等程序合法；办审定三分离；各环节在法定期限内完成。"),
    ChecklistItem("documents", "文书制作与送达", 15, "文书齐全、格式规范、内容完整、编号正确；依法送达，送达回证齐全。"),
    ChecklistItem("execution_archive", "执行与归档", 10, "决定得到执行或依法申请强制执行；结案审批、立卷归档规范。"),
)
GRADES = ((90, "excellent", "优秀"), (75, "good", "良好"), (60, "pass", "合格"), (0, "fail", "不合格"))
GRADE_TITLES = {key: title for _, key, title in GRADES}
REVIEWABLE = (CaseStatus.CLOSED,)


def grade_of(score: int) -> str:
    return next(key for floor, key, _ in GRADES if score >= floor)


def reviewable_cases(session: Session, *, agency_id: int | None = None, reviewed: bool | None = None, page: int = 1,
                     page_size: int = 50) -> tuple[list[dict], int]:
    """Closed case files, newest first, with their review if they have one."""
    query = (select(Case.id, Case.number, Case.party_name, Case.stage, Case.updated_at, Agency.name,
                    CaseReview.score, CaseReview.grade, CaseReview.reviewer_name, CaseReview.reviewed_at)
             .join(Agency, Agency.id == Case.agency_id).outerjoin(CaseReview, CaseReview.case_id == Case.id)
             .where(Case.status.in_(REVIEWABLE)))
    if agency_id:
        query = query.where(Case.agency_id == agency_id)
    if reviewed is not None:
        query = query.where(CaseReview.id.is_not(None) if reviewed else CaseReview.id.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Case.updated_at.desc(), Case.id.desc())
                           .limit(page_size).offset((max(page, 1) - 1) * page_size)).all()
    return [{"case_id": r.id, "number": r.number, "party_name": r.party_name, "stage": r.stage,
             "closed_at": r.updated_at, "agency": r.name, "score": r.score, "grade": r.grade,
             "reviewer": r.reviewer_name, "reviewed_at": r.reviewed_at} for r in rows], total


def case_record(session: Session, case_id: int) -> dict:
    """What the system recorded about a case, for the reviewer."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在。")
    duties = session.execute(select(CaseDuty.duty, User.display_name).join(User, User.id == CaseDuty.user_id)
                             .where(CaseDuty.case_id == case_id).order_by(CaseDuty.duty, CaseDuty.id)).all()
    documents = session.execute(select(CaseDocument.id, CaseDocument.title, CaseDocument.number,
                                       CaseDocument.created_at).where(CaseDocument.case_id == case_id)
                                .order_by(CaseDocument.id)).all()
    clocks = session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id)
                             .order_by(CaseDeadline.start_at, CaseDeadline.id)).all()
    steps = session.execute(select(HumanTask.form_key, AuditRecord.task_title, AuditRecord.actor_name, AuditRecord.at,
                                   AuditRecord.data)
                            .join(HumanTask, HumanTask.id == AuditRecord.task_id)
                            .where(AuditRecord.case_id == case_id, AuditRecord.action == "task_completed")
                            .order_by(AuditRecord.id)).all()
    officers = [o for step in steps if step.form_key == "investigation_assignment"
                for o in (step.data or {}).get("officers", []) if isinstance(o, dict)]
    admin_moves = session.scalar(select(func.count()).where(
        AuditRecord.case_id == case_id, AuditRecord.action.in_(("task_skipped", "step_rerun")))) or 0
    return {
        "case": case,
        "duties": [(duty, name) for duty, name in duties],
        "officers": officers,
        "documents": [dict(row._mapping) for row in documents],
        "clocks": [{"title": c.title, "status": c.status, "due_date": c.due_date, "met_at": c.met_at,
                    "late": c.status == ClockStatus.OVERDUE or (c.met_at is not None and c.met_at > c.due_at)}
                   for c in clocks],
        "steps": [{"form_key": s.form_key, "title": s.task_title, "actor": s.actor_name, "at": s.at} for s in steps],
        "legal_review": any(step.form_key == "legal_review" for step in steps),
        "admin_moves": admin_moves,
        "review": session.scalar(select(CaseReview).where(CaseReview.case_id == case_id)),
    }


def save_review(*, case_id: int, scores: dict, notes: dict, comment: str, actor: Actor, uow: UnitOfWork,
                clock: Clock) -> int:
    """Record (or revise) the review of a closed case file. Returns the total score."""
    if not actor.has_role("supervisor") or actor.user_id is None:
        raise NotAuthorized("案卷评查由执法监督人员进行。")
    items: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for item in CHECKLIST:
        value: Any = scores.get(item.key)
        try:
            points = int(value)
        except (TypeError, ValueError):
            errors[item.key] = [f"请填写 0 至 {item.points} 之间的整数。"]
            continue
        if not 0 <= points <= item.points:
            errors[item.key] = [f"请填写 0 至 {item.points} 之间的整数。"]
            continue
        note = str(notes.get(item.key) or "").strip()[:1000]
        if points < item.points and not note:
            errors[f"{item.key}_note"] = ["扣分的，请写明扣分理由。"]
        items[item.key] = {"points": points, "note": note}
    if errors:
        raise ValidationFailed("评查表填写有误，请按提示修改。", fields=errors)
    score = sum(entry["points"] for entry in items.values())
    with uow:
        session = uow.session
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在。")
        if case.status not in REVIEWABLE:
            raise InvalidState("只能评查已结案的案卷。")
        review = session.scalar(select(CaseReview).where(CaseReview.case_id == case_id))
        previous = {"score": review.score, "reviewer": review.reviewer_name} if review else None
        if review is None:
            review = CaseReview(case_id=case_id, agency_id=case.agency_id)
            session.add(review)
        review.reviewer_id, review.reviewer_name, review.reviewed_at = actor.user_id, actor.name, clock.now()
        review.items, review.score, review.grade = items, score, grade_of(score)
        review.comment = (comment or "").strip()[:5000]
        audit.record(session, clock=clock, actor=actor, action="case_reviewed", case_id=case_id,
                     summary=f"案卷评查 {case.number}：{score} 分（{GRADE_TITLES[review.grade]}）"
                     + (f"，原 {previous['score']} 分" if previous else ""),
                     data={"score": score, "grade": review.grade, "items": items, "comment": review.comment,
                           "previous": previous})
        uow.commit()
        return score
