"""Read models: plain dicts for the API and the pages, built from indexed columns (no deserialization)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

import forms

from engine.actors import Actor
from engine.store.models import AuditRecord, Case, HumanTask, ProcessDefinition, ProcessInstance, User

from .cases import get_case_for
from .attachments import list_attachments
from .deadlines import case_deadlines
from .documents import list_documents
from .tasks import workable_tasks_query


def iso(moment):
    return moment.isoformat() if moment else None


# A task row as task_view() reads it, in one statement: the case and the assignee's name, not the assignee's
# roles and certificates (which would cost two more queries per list)
TASK_VIEW_OPTIONS = (joinedload(HumanTask.assignee).options(lazyload(User.roles), lazyload(User.certificates),
                                                           lazyload(User.agency)),)


def task_view(task: HumanTask) -> dict:
    return {
        "id": task.id, "case_id": task.case_id, "case_number": task.case.number, "party_name": task.case.party_name,
        "stage": task.case.stage, "name": task.name, "title": task.title, "form_key": task.form_key,
        "candidate_role": task.candidate_role, "assignee": task.assignee.username if task.assignee else None,
        "assignee_name": task.assignee.display_name if task.assignee else None, "status": task.status,
        "created_at": iso(task.created_at), "due_at": iso(task.due_at),
    }


def case_view(session, case: Case, actor: Actor) -> dict:
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
        "party": {"name": case.party_name, "kind": case.party_kind, "id_number": case.party_id_number},
        "location": case.location, "discovered_at": iso(case.discovered_at),
        "agency": {"id": case.agency.id, "name": case.agency.name},
        "created_at": iso(case.created_at), "updated_at": iso(case.updated_at),
        "instances": [{
            "id": row.id, "process_id": row.process_id, "process_name": row.name, "version": row.version,
            "status": row.status, "next_due_at": iso(row.next_due_at), "started_at": iso(row.created_at),
            "error": {"element_id": row.error_element, "message": row.error_message}
            if row.status == "error" else None,
            "cancel_reason": row.cancel_reason,
        } for row in instances],
        "tasks": [task_view(task) for task in tasks],
        "deadlines": case_deadlines(session, case.id),
        "attachments": list_attachments(session, case.id),
        "documents": list_documents(session, case.id),
    }


def open_tasks_of(session, case_id: int) -> list[HumanTask]:
    return session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == "open")
                           .order_by(HumanTask.created_at).options(*TASK_VIEW_OPTIONS)).all()


def step_view(session, case_id: int) -> dict:
    """What a client needs after completing a task: where the case stands and its open tasks now."""
    tasks = open_tasks_of(session, case_id)
    case = tasks[0].case if tasks else session.get(Case, case_id)
    return {"id": case.id, "number": case.number, "status": case.status, "stage": case.stage,
            "tasks": [task_view(task) for task in tasks]}


def get_case_view(session, case_id: int, actor: Actor) -> dict:
    return case_view(session, get_case_for(session, case_id, actor), actor)


def timeline(session, case_id: int) -> list[dict]:
    rows = session.scalars(select(AuditRecord).where(AuditRecord.case_id == case_id).order_by(AuditRecord.id))
    return [{"id": r.id, "at": iso(r.at), "actor": r.actor_name, "action": r.action, "summary": r.summary,
             "task_title": r.task_title, "data": r.data} for r in rows]


def workable_tasks(session, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[dict]:
    return [task_view(task) for task in session.scalars(
        workable_tasks_query(actor).options(*TASK_VIEW_OPTIONS).limit(limit).offset(offset))]


def completed_steps(session, case_id: int) -> list[dict]:
    """What was done on the case so far, with each step's form data labelled, for the person doing the next."""
    rows = session.scalars(select(AuditRecord).where(AuditRecord.case_id == case_id,
                                                     AuditRecord.action == "task_completed").order_by(AuditRecord.id))
    return [{"title": r.task_title, "actor": r.actor_name, "at": iso(r.at), "fields": forms.describe(r.data or {})}
            for r in rows]
