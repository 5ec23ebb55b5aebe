"""A case driven through the real process library by the people who work it, with a travelled clock."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.clock import CHINA_TZ
from engine.scheduler import tick
from engine.services import instances, tasks
from engine.services.views import get_case_view, timeline
from engine.store.models import CaseDocument, HumanTask, Publication

from .document_dates import disorder


class CaseDriver:
    def __init__(self, world, staff, case_id: int):
        self.world, self.staff, self.case_id = world, staff, case_id

    def at(self, moment: str) -> "CaseDriver":
        """Travel to a Beijing-time moment, 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM', and let the scheduler run."""
        text = moment if " " in moment else f"{moment} 09:00"
        self.world.clock.set(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA_TZ))
        tick(database=self.world.database, runner=self.world.runner, clock=self.world.clock)
        return self

    def open_tasks(self) -> list[str]:
        return sorted(task.name for task in self.world.open_tasks(self.case_id))

    def task(self, name: str) -> HumanTask:
        matches = [task for task in self.world.open_tasks(self.case_id) if task.name == name]
        assert matches, f"no open task {name}; open: {self.open_tasks()}"
        return matches[0]

    def do(self, name: str, username: str, **data) -> "CaseDriver":
        tasks.complete_task(task_id=self.task(name).id, data=data, actor=self.staff[username],
                            **self.world.deps(runner=True))
        return self

    def message(self, name: str, **payload) -> "CaseDriver":
        instances.deliver_message(case_id=self.case_id, name=name, payload=payload, actor=self.staff["handler1"],
                                  **self.world.deps(runner=True))
        return self

    def view(self) -> dict:
        with self.world.uow() as uow:
            return get_case_view(uow.session, self.case_id, self.staff["head1"])

    def clock(self, key: str) -> dict:
        return next(d for d in reversed(self.view()["deadlines"]) if d["key"] == key)

    def actions(self) -> list[str]:
        with self.world.uow() as uow:
            return [record["action"] for record in timeline(uow.session, self.case_id)]

    def documents(self) -> list[CaseDocument]:
        with self.world.uow() as uow:
            return list(uow.session.scalars(select(CaseDocument).where(CaseDocument.case_id == self.case_id)
                                            .order_by(CaseDocument.id)))

    def publication(self) -> Publication | None:
        with self.world.uow() as uow:
            return uow.session.scalar(select(Publication).where(Publication.case_id == self.case_id))

    def processes(self) -> dict[str, str]:
        return {i["process_id"]: i["status"] for i in self.view()["instances"]}


@pytest.fixture
def staff(world):
    valid = date(2028, 12, 31)
    return {
        "handler1": world.user("handler1", "handler", certificate="ZJ-0001", valid_until=valid),
        "handler2": world.user("handler2", "handler", certificate="ZJ-0002", valid_until=valid),
        "handler3": world.user("handler3", "handler", certificate="ZJ-0003", valid_until=date(2025, 12, 31)),
        "reviewer1": world.user("reviewer1", "reviewer"),
        "head1": world.user("head1", "head"),
        "head2": world.user("head2", "head"),
        "admin1": world.user("admin1", "admin"),
    }


@pytest.fixture
def new_case(world, staff):
    def register(source="complaint", party_kind="organisation", **overrides) -> CaseDriver:
        party = {"organisation": ("东城建工集团有限公司", "91330100MA27Q8R9XF"),
                 "person": ("周某某", "330102198503150010")}[party_kind]
        data = {"source": source, "party_kind": party_kind, "party_name": party[0], "party_id_number": party[1],
                "summary": "居民投诉工地夜间向河道倾倒建筑垃圾", "discovered_at": "2026-03-01T20:00:00+08:00"}
        data.update(overrides)
        world.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
        case_id = world.register(staff["handler1"], process_id="lead_intake", **data)
        return CaseDriver(world, staff, case_id)
    return register


@pytest.fixture(autouse=True)
def documents_print_dates_in_the_laws_order(request):
    """After every scenario test: every document its cases issued prints its dates in the law's order."""
    world = request.getfixturevalue("world") if "world" in request.fixturenames else None  # torn down after this
    yield
    if world is None:
        return
    with world.uow() as uow:
        problems = disorder(uow.session)
    assert not problems, problems
