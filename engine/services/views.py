"""Read models: plain dicts for the API and the pages, built from indexed columns (no deserialization)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms

from engine.actors import Actor
from engine.deadlines.counting import due_label
from engine.payments import as_json as amount_json, case_amount_due
from engine.store.models import AuditRecord, Case, HumanTask, ProcessDefinition, ProcessInstance, User
from engine.store.statuses import InstanceStatus, TaskStatus

from .cases import get_case_for
from .attachments import list_attachments
from .deadlines import case_deadlines
from .documents import list_documents
from .tasks import WORKABLE_ORDER, workable_tasks_query


def iso(moment):
    return moment.isoformat() if moment else None


def task_view(session: Session, task_id: str) -> dict | None:
    """One task as the task lists show it, or None if there is no such task."""
    found = task_views(session, select(HumanTask.id).where(HumanTask.id == task_id))
    return found[0] if found else None


def task_views(session: Session, task_ids, *order) -> list[dict]:
    """The tasks `task_ids` (a select of HumanTask.id, already limited) as task_view() shows them, in `order`:
    read as plain columns, the page picked before the joins, so a long list builds no ORM objects."""
    page = task_ids.subquery()
    rows = session.execute(
        select(HumanTask.id, HumanTask.case_id, Case.number, Case.party_name, Case.stage, HumanTask.name,
               HumanTask.title, HumanTask.form_key, HumanTask.candidate_role, User.username, User.display_name,
               HumanTask.status, HumanTask.created_at, HumanTask.due_at)
        .select_from(page).join(HumanTask, HumanTask.id == page.c.id).join(Case, Case.id == HumanTask.case_id)
        .outerjoin(User, User.id == HumanTask.assignee_id).order_by(*order))
    return [{"id": row.id, "case_id": row.case_id, "case_number": row.number, "party_name": row.party_name,
             "stage": row.stage, "name": row.name, "title": row.title, "form_key": row.form_key,
             "candidate_role": row.candidate_role, "assignee": row.username, "assignee_name": row.display_name,
             "status": row.status, "created_at": iso(row.created_at), "due_at": iso(row.due_at),
             "due_text": due_label(row.due_at) if row.due_at else None} for row in rows]


def case_view(session: Session, case: Case, actor: Actor, *, today: date | None = None) -> dict:
    """`today` (Beijing): the day what is owed on a fine is computed to (`amount_due`, None without a fine to
    pay or without a day given)."""
    instances = session.execute(
        select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.next_due_at,
               ProcessInstance.error_element, ProcessInstance.error_message, ProcessInstance.created_at,
               ProcessInstance.cancel_reason, ProcessDefinition.process_id, ProcessDefinition.version,
               ProcessDefinition.name)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.case_id == case.id).order_by(ProcessInstance.id)).all()
    tasks = open_tasks_of(session, case.id)
    return {
        "id": case.id, "number": case.number, "status": case.status, "stage": case.stage,
        "source": case.source, "summary": case.summary,
        "party": {"name": case.party_name, "kind": case.party_kind, "id_number": case.party_id_number,
                  "address": case.party_address},
        "location": case.location, "discovered_at": iso(case.discovered_at),
        "agency": {"id": case.agency.id, "name": case.agency.name},
        "created_at": iso(case.created_at), "updated_at": iso(case.updated_at),
        "instances": [{
            "id": row.id, "process_id": row.process_id, "process_name": row.name, "version": row.version,
            "status": row.status, "next_due_at": iso(row.next_due_at), "started_at": iso(row.created_at),
            "error": {"element_id": row.error_element, "message": row.error_message}
            if row.status == InstanceStatus.ERROR else None,
            "cancel_reason": row.cancel_reason,
        } for row in instances],
        "tasks": tasks,
        "deadlines": case_deadlines(session, case.id),
        "attachments": list_attachments(session, case.id),
        "documents": list_documents(session, case.id),
        "amount_due": amount_due_view(session, case.id, today),
    }


def amount_due_view(session: Session, case_id: int, today: date | None) -> dict | None:
    """{fine, surcharge, total, paid, outstanding, as_of, last_day, payments}: what the party owes on the fine,
    as of today (or of the last payment once everything is paid)."""
    due = case_amount_due(session, case_id, today=today) if today is not None else None
    return amount_json(due) if due is not None else None


def open_tasks_of(session: Session, case_id: int) -> list[dict]:
    return task_views(session,
                      select(HumanTask.id).where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN),
                      HumanTask.created_at, HumanTask.id)


def step_view(session: Session, case_id: int) -> dict:
    """What a client needs after completing a task: where the case stands and its open tasks now."""
    case = session.execute(select(Case.id, Case.number, Case.status, Case.stage).where(Case.id == case_id)).one()
    return {"id": case.id, "number": case.number, "status": case.status, "stage": case.stage,
            "tasks": open_tasks_of(session, case_id)}


def get_case_view(session: Session, case_id: int, actor: Actor, *, today: date | None = None) -> dict:
    return case_view(session, get_case_for(session, case_id, actor), actor, today=today)


def timeline(session: Session, case_id: int) -> list[dict]:
    rows = session.scalars(select(AuditRecord).where(AuditRecord.case_id == case_id).order_by(AuditRecord.id))
    return [{"id": r.id, "at": iso(r.at), "actor": r.actor_name, "action": r.action, "summary": r.summary,
             "task_title": r.task_title, "data": r.data} for r in rows]


def workable_tasks(session: Session, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[dict]:
    return task_views(session, workable_tasks_query(actor, HumanTask.id).limit(limit).offset(offset),
                      *WORKABLE_ORDER)


def completed_steps(session: Session, case_id: int) -> list[dict]:
    """What was done on the case so far, with each step's form data labelled, for the person doing the next."""
    rows = session.scalars(select(AuditRecord).where(AuditRecord.case_id == case_id,
                                                     AuditRecord.action == "task_completed").order_by(AuditRecord.id))
    return [{"title": r.task_title, "actor": r.actor_name, "at": iso(r.at), "fields": forms.describe(r.data or {})}
            for r in rows]
