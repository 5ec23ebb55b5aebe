"""Checks a user task declares with `<camunda:property name="check" .../>`, run by the engine when the task is
completed, because they need the database or the calendar: who may be assigned, how far ahead a notice is."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.deadlines.calendar_store import load_calendar
from engine.deadlines.counting import working_days_before
from engine.errors import ValidationFailed
from engine.services.duties import ensure_separation, record_duty
from engine.store.models import Case, HumanTask, ProcessDefinition, ProcessInstance, User
from engine.store.statuses import TaskStatus

MIN_INVESTIGATORS = 2  # 执法人员不得少于两人（行政处罚法第四十二条、第五十五条）


def certified_officers(session: Session, *, agency_id: int, on: date) -> list[User]:
    """Handlers of an agency holding an enforcement certificate valid on that day: who may be assigned."""
    users = session.scalars(select(User).where(User.agency_id == agency_id, User.is_active.is_(True))
                            .order_by(User.display_name)).all()
    return [user for user in users if "handler" in user.role_ids and user.valid_certificate(on) is not None]


def investigator_team(data: dict) -> tuple[list, str]:
    """The lead officer first, then the co-officers, each once, and the field a problem belongs to. The lead is
    the one chosen as 主办人; a client that sends only the old `officers` list has its first as the lead."""
    lead, co, listed = data.get("lead_officer"), data.get("co_officers") or [], data.get("officers") or []
    if lead is None and co:
        raise ValidationFailed("请选择主办人。", fields={"lead_officer": ["请选择主办人。"]})
    team = list(dict.fromkeys(([lead] if lead is not None else []) + list(co) + list(listed)))
    return team, "co_officers" if lead is not None else "officers"


def check_investigators(session: Session, *, case: Case, data: dict, actor: Actor, clock: Clock) -> dict:
    today = clock.now().astimezone(CHINA_TZ).date()
    ids, field = investigator_team(data)
    if len(ids) < MIN_INVESTIGATORS:
        raise ValidationFailed("调查取证须由两名以上执法人员进行。",
                               fields={field: [f"请至少选择 {MIN_INVESTIGATORS} 名不同的执法人员（主办人和协办人）。"]})
    officers: list[dict[str, Any]] = []
    problems: list[str] = []
    for user_id in ids:
        user = session.get(User, user_id)
        if user is None or user.agency_id != case.agency_id or not user.is_active or "handler" not in user.role_ids:
            problems.append(f"编号 {user_id} 不是本机关在岗的执法人员。")
            continue
        certificate = user.valid_certificate(today)
        if certificate is None:
            problems.append(f"{user.display_name}没有有效的行政执法证件，不能参与调查。")
            continue
        ensure_separation(session, case_id=case.id, user_id=user.id, duty="handle")
        officers.append({"id": user.id, "name": user.display_name, "certificate_number": certificate.number})
    if problems:
        raise ValidationFailed("指派的执法人员不符合条件。", fields={field: problems})
    for index, officer in enumerate(officers):
        record_duty(session, case_id=case.id, user_id=officer["id"], duty="handle", clock=clock, primary=index == 0)
    # `officers` stays the whole team, lead first: documents, reviews and the case list read it
    return {"officers": officers, "lead_officer": officers[0], "co_officers": officers[1:]}


def check_certified_actor(session: Session, *, case: Case, data: dict, actor: Actor, clock: Clock) -> dict:
    user = session.get(User, actor.user_id) if actor.user_id else None
    certificate = user.valid_certificate(clock.now().astimezone(CHINA_TZ).date()) if user else None
    if user is None or certificate is None:
        raise ValidationFailed("当场处罚须由持有效行政执法证件的执法人员作出。",
                               fields={"_schema": ["您没有有效的行政执法证件。"]})
    return {"officers": [{"id": user.id, "name": user.display_name, "certificate_number": certificate.number}]}


def check_hearing_notice(session: Session, *, case: Case, data: dict, actor: Actor, clock: Clock) -> dict:
    hearing_at = datetime.fromisoformat(data["hearing_time"])
    hearing_day = hearing_at.astimezone(CHINA_TZ).date() if hearing_at.tzinfo else hearing_at.date()
    latest = working_days_before(load_calendar(session), hearing_day, 7, set())
    today = clock.now().astimezone(CHINA_TZ).date()
    if today > latest:
        raise ValidationFailed("听证通知应当在举行听证的七个工作日前送达。",
                               fields={"hearing_time": [f"{hearing_day.isoformat()} 举行听证的，最迟应于 "
                                                        f"{latest.isoformat()} 通知；请推迟听证日期。"]})
    return {}


CLOSING_PROCESS = "case_closing"


def check_case_complete(session: Session, *, case: Case, data: dict, actor: Actor, clock: Clock) -> dict:
    """Archiving closes the case: a step still open elsewhere on it (告知投诉举报人, a publication to withdraw…)
    must be done first, or it would stay open on a closed file."""
    open_elsewhere = session.scalars(
        select(HumanTask.title).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN,
               ProcessDefinition.process_id != CLOSING_PROCESS)
        .order_by(HumanTask.created_at)).all()
    if open_elsewhere:
        names = "、".join(f"「{title}」" for title in dict.fromkeys(open_elsewhere))
        raise ValidationFailed(f"本案尚有未办结的待办{names}，请先办结后再立卷归档。",
                               fields={"_schema": [f"尚未办结：{names}。归档即结案，结案前须办结本案全部待办。"]})
    return {}


CHECKS = {
    "investigators": check_investigators,
    "certified_actor": check_certified_actor,
    "hearing_notice": check_hearing_notice,
    "case_complete": check_case_complete,
}


def run_check(name: str | None, session: Session, *, case: Case, data: dict, actor: Actor, clock: Clock) -> dict:
    if not name:
        return {}
    return CHECKS[name](session, case=case, data=data, actor=actor, clock=clock)
