"""Who works the case is explicit: the head picks the lead officer (主办人) and the co-officers (协办人) apart, the
lead's tasks go to the lead, and a reassignment that changes the lead takes the later tasks with it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.services import tasks
from engine.store.models import AuditRecord, CaseDuty

from .conftest import csrf_from, login


def at_assignment(world, staff) -> tuple[int, object]:
    case_id = world.register(staff["handler1"], process_id="lead_intake")
    for name, actor, data in (("lead_check", "handler1", {"findings": "属实", "recommendation": "file"}),
                              ("filing_approval", "head1", {"approval": "approve", "approval_opinion": "同意"})):
        task = next(t for t in world.open_tasks(case_id) if t.name == name)
        tasks.complete_task(task_id=task.id, data=data, actor=staff[actor], **world.deps(runner=True))
    return case_id, next(t for t in world.open_tasks(case_id) if t.name == "investigation_assignment")


def task_named(world, case_id, name):
    return next(t for t in world.open_tasks(case_id) if t.name == name)


def test_the_second_person_in_the_list_chosen_as_lead_gets_the_task(client, world, staff):
    case_id, assignment = at_assignment(world, staff)
    login(client, "head1")
    page = client.get(f"/tasks/{assignment.id}").get_data(as_text=True)
    assert 'name="lead_officer"' in page and 'name="co_officers"' in page
    first, second = staff["handler1"].user_id, staff["handler2"].user_id
    assert page.index(f'value="{first}"') < page.index(f'value="{second}"')  # handler2 is second in the list
    done = client.post(f"/tasks/{assignment.id}", data={"csrf_token": csrf_from(page), "lead_officer": str(second),
                                                         "co_officers": [str(first)]})
    assert done.status_code == 302
    investigation = task_named(world, case_id, "investigation")
    assert investigation.assignee_id == second
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "handler2")
    assert investigation.id in client.get("/inbox?view=mine").get_data(as_text=True)


def test_a_co_officer_without_a_lead_is_refused_and_the_old_list_keeps_its_first_as_lead(client, world, staff):
    case_id, assignment = at_assignment(world, staff)
    first, second = staff["handler1"].user_id, staff["handler2"].user_id
    login(client, "head1")
    token = csrf_from(client.get(f"/tasks/{assignment.id}").get_data(as_text=True))
    refused = client.post(f"/tasks/{assignment.id}", data={"csrf_token": token, "co_officers": [str(first)]})
    assert refused.status_code == 422 and "请选择主办人" in refused.get_data(as_text=True)
    old_client = client.post(f"/api/v1/tasks/{assignment.id}/complete", json={"officers": [second, first]},
                             headers={"X-CSRFToken": token})
    assert old_client.status_code == 200
    assert task_named(world, case_id, "investigation").assignee_id == second


def test_reassigning_with_a_lead_change_moves_the_later_tasks(client, world, staff):
    staff["handler3"] = world.user("handler3", "handler", certificate="C-0003", valid_until=date(2028, 12, 31))
    case_id, assignment = at_assignment(world, staff)
    first, third = staff["handler1"].user_id, staff["handler3"].user_id
    tasks.complete_task(task_id=assignment.id, data={"lead_officer": first, "co_officers": [staff["handler2"].user_id]},
                        actor=staff["head1"], **world.deps(runner=True))
    investigation = task_named(world, case_id, "investigation")
    assert investigation.assignee_id == first
    login(client, "head1")
    inbox = client.get("/inbox?view=agency").get_data(as_text=True)
    assert "同时变更主办人" in inbox
    client.post(f"/tasks/{investigation.id}/assign", data={"csrf_token": csrf_from(inbox), "assignee_id": third,
                                                           "change_lead": "1", "next": "/inbox"})
    assert task_named(world, case_id, "investigation").assignee_id == third
    tasks.complete_task(task_id=investigation.id, actor=staff["handler3"], **world.deps(runner=True), data={
        "inspection_time": "2026-03-01T11:00", "inspection_place": "人民路 88 号", "inspection_findings": "占道经营",
        "evidence_preserved": "no", "seized": "no"})
    assert task_named(world, case_id, "investigation_report").assignee_id == third  # the later task follows
    with world.uow() as uow:
        lead = uow.session.scalar(select(CaseDuty.user_id).where(CaseDuty.case_id == case_id,
                                                                 CaseDuty.is_primary.is_(True)))
        record = uow.session.scalar(select(AuditRecord).where(AuditRecord.case_id == case_id,
                                                              AuditRecord.action == "lead_officer_changed"))
    assert lead == third and record is not None and "handler3" in record.summary


def test_reassigning_without_a_lead_change_moves_that_task_only(client, world, staff):
    staff["handler3"] = world.user("handler3", "handler", certificate="C-0003", valid_until=date(2028, 12, 31))
    case_id, assignment = at_assignment(world, staff)
    first, third = staff["handler1"].user_id, staff["handler3"].user_id
    tasks.complete_task(task_id=assignment.id, data={"lead_officer": first, "co_officers": [staff["handler2"].user_id]},
                        actor=staff["head1"], **world.deps(runner=True))
    investigation = task_named(world, case_id, "investigation")
    tasks.assign_task(task_id=investigation.id, assignee_id=third, actor=staff["head1"], **world.deps())
    tasks.complete_task(task_id=investigation.id, actor=staff["handler3"], **world.deps(runner=True), data={
        "inspection_time": "2026-03-01T11:00", "inspection_place": "人民路 88 号", "inspection_findings": "占道经营",
        "evidence_preserved": "no", "seized": "no"})
    assert task_named(world, case_id, "investigation_report").assignee_id == first
