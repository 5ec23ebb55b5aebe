"""Bulk seeding for tests and benchmarks: clone a real instance's rows many times in a few statements.

Each clone is a full, independent case: its own case row, instance row (same serialized state, so the same
waiting timers), open task mirrors and deadline records. Task ids are ours, so clones never collide.
"""
from __future__ import annotations

import uuid

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from engine.clock import FrozenClock

from engine.store.models import Case, CaseDeadline, HumanTask, ProcessInstance

CASE_COLUMNS = ("agency_id", "source", "summary", "party_name", "party_kind", "party_id_number", "location",
                "discovered_at", "stage", "status", "created_by_id", "created_at", "updated_at")
INSTANCE_COLUMNS = ("definition_id", "status", "state_json", "next_due_at", "version", "created_at", "updated_at")
TASK_COLUMNS = ("spiff_task_id", "agency_id", "name", "title", "lane", "candidate_role", "form_key", "assignee_id",
                "status", "created_at", "due_at")
DEADLINE_COLUMNS = ("key", "title", "period", "unit", "party_side", "legal_basis", "start_at", "strict_due_date",
                    "due_date", "due_at", "status", "provisional", "calendar_version", "explanation", "tolled",
                    "extensions", "created_at", "updated_at")


def clone_case(session, case_id: int, copies: int, *, prefix: str = "SEED", agency_id: int | None = None) -> list[int]:
    """Insert `copies` clones of a case with its instance, open tasks and deadlines; returns instance ids.
    `agency_id` puts the clones in another agency (to seed other agencies' work around one queue)."""
    case = session.get(Case, case_id)
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
    tasks = session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == "open")).all()
    clocks = session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case_id)).all()
    instance_ids = []
    for start in range(0, copies, 1000):
        size = min(1000, copies - start)
        case_rows = [{**{c: getattr(case, c) for c in CASE_COLUMNS}, "number": f"{prefix}-{case_id}-{start + i}",
                      **({"agency_id": agency_id} if agency_id else {})} for i in range(size)]
        new_cases = session.scalars(insert(Case).returning(Case.id), case_rows).all()
        new_instances = session.scalars(insert(ProcessInstance).returning(ProcessInstance.id), [
            {**{c: getattr(instance, c) for c in INSTANCE_COLUMNS}, "case_id": new_case} for new_case in new_cases
        ]).all()
        pairs = list(zip(new_cases, new_instances))
        if tasks:
            session.execute(insert(HumanTask), [
                {**{c: getattr(task, c) for c in TASK_COLUMNS}, "id": str(uuid.uuid4()), "case_id": c_id,
                 "instance_id": i_id, **({"agency_id": agency_id} if agency_id else {})}
                for c_id, i_id in pairs for task in tasks])
        if clocks:
            session.execute(insert(CaseDeadline), [
                {**{c: getattr(clock, c) for c in DEADLINE_COLUMNS}, "case_id": c_id, "instance_id": i_id}
                for c_id, i_id in pairs for clock in clocks])
        instance_ids += new_instances
    return instance_ids


def seed_due_leads(database, count: int):
    """`count` leads registered 60 days ago, whose filing-clock warning timer is long due by the wall clock.
    Expects a migrated schema holding nothing but (perhaps) the process library. Returns the World-like context
    used to create them."""
    from tests.conftest import World

    world = World(database=database, clock=FrozenClock(datetime.now(timezone.utc) - timedelta(days=60)))
    world.deploy_processes()
    world.agency_id = world.agency()
    handler = world.user("handler1", "handler")
    template = world.register(handler, discovered_at=world.clock.now().isoformat())
    with database.unit_of_work() as uow:
        clone_case(uow.session, template, count - 1)
        uow.commit()
    return world



