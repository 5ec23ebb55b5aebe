"""Deadline use cases outside a process step: list, toll with a case's suspension, extend, mark overdue,
agency settings, and the admin's holiday table."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.calendar import LIBRARY_YEARS, DayEntry
from engine.clock import Clock
from engine.deadlines import extensions, records
from engine.deadlines.calendar_store import forget as forget_calendar
from engine.deadlines import scope as functions
from engine.deadlines.catalog import entry as catalog_entry

from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.runner import WorkflowRunner
from engine.store.database import Database, UnitOfWork
from engine.store.models import CalendarDay, CalendarYear, CaseDeadline, DeadlineSetting, ProcessInstance, User
from engine.store.statuses import ClockStatus, InstanceStatus

from .cases import get_case_for
from .stepping import ACTIVE_STATUSES, audit_deadline_events, case_scope, load_workflow, run_step, save_workflow


OVERDUE_MONITOR = Actor.system("期限监控")


def case_deadlines(session: Session, case_id: int) -> list[dict]:
    rows = session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id)
                           .order_by(CaseDeadline.due_at, CaseDeadline.id))
    return [records.as_json(row) for row in rows]


def toll_case_clocks(session: Session, *, instance: ProcessInstance, reason: str, pause: bool, clock: Clock, actor: Actor,
                     runner: WorkflowRunner) -> None:
    """Pause (or resume) the agency's running clocks of a case and re-arm the timers that wait on them.

    Party-side periods (payment, appeal…) keep running: a case's suspension does not stop the party's time.
    """
    wanted = (ClockStatus.RUNNING, ClockStatus.OVERDUE) if pause else (ClockStatus.PAUSED,)
    with case_scope(session, instance=instance, clock=clock, actor=actor) as scope:
        rows = session.scalars(select(CaseDeadline).where(
            CaseDeadline.case_id == instance.case_id, CaseDeadline.status.in_(wanted),
            CaseDeadline.party_side.is_(False))).all()
        for row in rows:
            if pause:
                functions.pause_deadline(row.key, reason)
            else:
                functions.resume_deadline(row.key)
        _rearm_case(session, scope=scope, clock=clock, actor=actor, runner=runner)


def extend_case_deadline(*, case_id: int, key: str, period: int, reason: str, actor: Actor, uow: UnitOfWork,
                         clock: Clock, runner: WorkflowRunner, collective_discussion: str | None = None) -> dict:
    """A head approves a longer period (e.g. decision +30 days) within what the law allows for that clock (the
    catalog's `extension`); the case's timers move with it. A further extension of the decision period cites the
    recorded collective discussion of the heads (`collective_discussion`), kept with the extension."""
    if not actor.has_role("head"):
        raise NotAuthorized("延长法定期限须经负责人批准。")
    errors = extensions.check_request(period=period, reason=reason, collective_discussion=collective_discussion)
    if errors:
        raise ValidationFailed("延长期限的申请有误。", fields=errors)
    catalog_entry(key)

    def body(session: Session) -> dict:
        case = get_case_for(session, case_id, actor)
        instance = session.execute(select(ProcessInstance).where(ProcessInstance.case_id == case.id)
                                   .order_by(ProcessInstance.id.desc()).limit(1)).scalar_one()
        with case_scope(session, instance=instance, clock=clock, actor=actor) as scope:
            if not functions.extend_deadline(key, period, reason, collective_discussion):
                raise NotFound(f"案件没有正在计算的「{catalog_entry(key).title}」。")
            _rearm_case(session, scope=scope, clock=clock, actor=actor, runner=runner)
            return records.as_json(scope.current(key))

    return run_step(uow, instance_id=None, clock=clock, actor=actor, body=body)


def record_approved_extension(*, case_id: int, key: str, period: int, reason: str, approver_id: int,
                              approval_ref: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                              runner: WorkflowRunner, collective_discussion: str | None = None) -> dict:
    """An admin enters a head's written approval of a longer period (延期审批表), within what the law allows for
    that clock: the extension names the head as approver and keeps who recorded it and the approval's
    reference; the case's timers move with it."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以登记负责人的延期批准。")
    errors = extensions.check_request(period=period, reason=reason, collective_discussion=collective_discussion)
    if not isinstance(approval_ref, str) or not approval_ref.strip():
        errors["approval_ref"] = ["此项为必填项。"]
    elif len(approval_ref.strip()) > 200:
        errors["approval_ref"] = ["批准文书不能超过 200 字。"]
    if errors:
        raise ValidationFailed("延长期限的登记有误。", fields=errors)
    entry = catalog_entry(key)

    def body(session: Session) -> dict:
        case = get_case_for(session, case_id, actor)
        approver = session.get(User, approver_id)
        if approver is None or not approver.is_active or "head" not in approver.role_ids \
                or approver.agency_id != case.agency_id:
            raise ValidationFailed("批准人须为本案所属机关在岗的负责人。", fields={"approver_id": ["批准人不符合条件。"]})
        instance = session.execute(select(ProcessInstance).where(ProcessInstance.case_id == case.id)
                                   .order_by(ProcessInstance.id.desc()).limit(1)).scalar_one()
        with case_scope(session, instance=instance, clock=clock, actor=actor) as scope:
            row = scope.current(key)
            if row is None or row.status in (ClockStatus.MET, ClockStatus.CANCELLED):
                raise NotFound(f"案件没有正在计算的「{entry.title}」。")
            allowed = extensions.check_extension(row, entry, period=period, reason=reason,
                                                 collective_discussion=collective_discussion)
            ref, why = approval_ref.strip(), reason.strip()
            records.extend(row, entry=entry, calendar=scope.calendar, period=period, reason=why,
                           approved_by=approver.display_name, approved_by_id=approver.id, now=clock.now(),
                           details={"recorded_by": actor.name, "recorded_by_id": actor.user_id,
                                    "approval_ref": ref, **allowed})
            scope.changed.add(key)
            discussed = f"经集体讨论（{allowed['collective_discussion']}）" if allowed.get("further") else ""
            scope.events.append(("deadline_extended", row,
                                 f"「{row.title}」{discussed}经{approver.display_name}书面批准（{ref}）延长 {period}"
                                 f"，由{actor.name}登记：{why}；{row.explanation}"))
            _rearm_case(session, scope=scope, clock=clock, actor=actor, runner=runner)
            return records.as_json(row)

    return run_step(uow, instance_id=None, clock=clock, actor=actor, body=body)


def _rearm_case(session: Session, *, scope, clock: Clock, actor: Actor, runner: WorkflowRunner) -> None:
    changed = set(scope.changed)
    audit_deadline_events(session, scope, clock=clock, actor=actor)
    instances = session.scalars(select(ProcessInstance).where(
        ProcessInstance.case_id == scope.case_id,
        ProcessInstance.status.in_((*ACTIVE_STATUSES, InstanceStatus.SUSPENDED)))).all()
    for instance in instances:
        scope.instance_id = instance.id
        scope.changed = set(changed)
        workflow = load_workflow(session, instance, runner)
        save_workflow(session, instance=instance, workflow=workflow, runner=runner, clock=clock, actor=actor)
    scope.changed.clear()


def mark_overdue(*, database: Database, clock: Clock, batch_size: int = 500) -> int:
    """Flip running clocks past their due moment to overdue, once each however many workers race.

    Rows are taken in small batches with FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never wait on
    (or deadlock with) each other or with a step that is touching the same clock.
    """
    now = clock.now()
    total = 0
    while True:
        with database.unit_of_work() as uow:
            session = uow.session
            due = (select(CaseDeadline.id).where(CaseDeadline.status == ClockStatus.RUNNING, CaseDeadline.due_at < now)
                   .order_by(CaseDeadline.id).limit(batch_size))
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            ids = list(session.scalars(due))
            if not ids:
                return total
            flipped: list[Any] = []  # rows returned by the two updates
            for party_side, status in ((False, ClockStatus.OVERDUE), (True, ClockStatus.LAPSED)):
                # a party's window that ran out is a fact about the party ('lapsed'), not the agency's failure
                flipped += session.execute(update(CaseDeadline).where(
                    CaseDeadline.id.in_(ids), CaseDeadline.status == ClockStatus.RUNNING,
                    CaseDeadline.party_side.is_(party_side))
                    .values(status=status, overdue_at=now, updated_at=now)
                    .returning(CaseDeadline.id, CaseDeadline.case_id, CaseDeadline.instance_id, CaseDeadline.title,
                               CaseDeadline.due_date, CaseDeadline.key, CaseDeadline.party_side)
                    .execution_options(synchronize_session=False)).all()
            for row in flipped:
                lapsed = row.party_side
                audit.record(session, clock=clock, actor=OVERDUE_MONITOR,
                             action="deadline_lapsed" if lapsed else "deadline_overdue",
                             case_id=row.case_id, instance_id=row.instance_id,
                             summary=f"「{row.title}」{'已届满' if lapsed else '已超期'}（届满日 {row.due_date.isoformat()}）",
                             data={"key": row.key, "due": row.due_date.isoformat()})
            uow.commit()
            total += len(flipped)
            if len(ids) < batch_size:
                return total


def configure_deadline(*, agency_id: int, key: str, period: int, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    """An agency sets its own period for a configurable entry; new clocks use it, running ones keep theirs."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有管理员可以设置期限。")
    entry = catalog_entry(key)
    if not entry.configurable:
        raise ValidationFailed(f"「{entry.title}」为法定期限，不能修改。", fields={"key": ["该期限不可配置。"]})
    if period <= 0:
        raise ValidationFailed("期限应为正整数。", fields={"period": ["期限应为正整数。"]})
    with uow:
        setting = uow.session.get(DeadlineSetting, (agency_id, key))
        if setting is None:
            setting = DeadlineSetting(agency_id=agency_id, key=key)
            uow.session.add(setting)
        setting.period, setting.updated_at, setting.updated_by_id = period, clock.now(), actor.user_id
        audit.record(uow.session, clock=clock, actor=actor, action="deadline_configured",
                     summary=f"设置「{entry.title}」为 {period}（法定/默认 {entry.period}）",
                     data={"agency_id": agency_id, "key": key, "period": period})
        uow.commit()


def import_calendar_year(*, year: int, days: list[DayEntry], confirmed: bool, source: str, actor: Actor,
                         uow: UnitOfWork, clock: Clock) -> dict:
    """Enter (or correct) a year's holiday schedule: holidays and make-up working days (调休)."""
    if not (actor.has_role("admin") or actor.is_system):
        raise NotAuthorized("只有管理员可以维护节假日表。")
    wrong = [d.day.isoformat() for d in days if d.day.year != year]
    if wrong:
        raise ValidationFailed(f"以下日期不属于 {year} 年：{'、'.join(wrong)}", fields={"days": wrong})
    now = clock.now()
    with uow:
        session = uow.session
        for entry in days:
            row = session.get(CalendarDay, entry.day)
            if row is None:
                row = CalendarDay(day=entry.day)
                session.add(row)
            row.is_workday, row.name, row.updated_at = entry.is_workday, entry.name, now
        if confirmed and not days and year not in LIBRARY_YEARS and session.scalar(
                select(CalendarDay.day).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
                .limit(1)) is None:
            raise ValidationFailed(f"{year} 年尚未录入任何节假日安排，不能确认。", fields={"days": ["请先录入该年安排。"]})
        year_row = session.get(CalendarYear, year)
        if year_row is None:
            year_row = CalendarYear(year=year)
            session.add(year_row)
        year_row.confirmed = confirmed or bool(year_row.confirmed)
        year_row.source, year_row.updated_at, year_row.updated_by_id = source, now, actor.user_id
        uow.session.flush()
        audit.record(session, clock=clock, actor=actor, action="calendar_imported",
                     summary=f"导入 {year} 年节假日安排 {len(days)} 天" + ("（已确认）" if year_row.confirmed else ""),
                     data={"year": year, "days": len(days), "confirmed": year_row.confirmed, "source": source})
        uow.commit()
        forget_calendar()
        return {"year": year, "days": len(days), "confirmed": year_row.confirmed}


def parse_calendar_lines(lines: list[str]) -> list[DayEntry]:
    """`YYYY-MM-DD,holiday|workday[,name]` per line; `#` starts a comment."""
    days, errors = [], []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = [part.strip() for part in text.split(",")]
        try:
            day = date.fromisoformat(parts[0])
            kind = parts[1]
            if kind not in ("holiday", "workday"):
                raise ValueError
        except (ValueError, IndexError):
            errors.append(f"第 {number} 行：{line.strip()}")
            continue
        days.append(DayEntry(day, kind == "workday", parts[2] if len(parts) > 2 else ""))
    if errors:
        raise ValidationFailed("节假日文件格式应为「日期,holiday|workday,名称」：" + "；".join(errors),
                               fields={"file": errors})
    return days


