"""The inbox query: views, filters, deadline urgency by working days, literal search, paging, few statements."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, update

from engine.clock import CHINA_TZ
from engine.errors import NotAuthorized
from engine.services import tasks
from engine.services.inbox import assignable_colleagues, due_soon_before, inbox, inbox_counts, latest_processes
from engine.store.models import Case, HumanTask
from tests.seeding import clone_case


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def lead(world, actor, party: str, discovered: str = "2026-03-01T10:00", **extra) -> int:
    """A patrol lead through the shipped intake process: one open `lead_check` task in the handler queue."""
    return world.register(actor, process_id="lead_intake", source="patrol", party_name=party,
                          discovered_at=f"{discovered}:00+08:00", **extra)


def page(world, actor, **kwargs):
    kwargs.setdefault("now", world.clock.now())
    with world.uow() as uow:
        return inbox(uow.session, actor, **kwargs)


def parties(result) -> list[str]:
    return [row.party_name for row in result.rows]


def set_columns(world, model, row_id, **values):
    with world.uow() as uow:
        uow.session.execute(update(model).where(model.id == row_id).values(**values))
        uow.commit()


def test_views_split_my_tasks_from_my_roles_queue_and_never_cross_agencies(world, staff):
    handler1, handler2 = staff["handler1"], staff["handler2"]
    first, second = lead(world, handler1, "甲"), lead(world, handler1, "乙")
    lead(world, handler1, "丙")
    tasks.claim_task(task_id=world.only_task(first).id, actor=handler1, **world.deps())
    tasks.claim_task(task_id=world.only_task(second).id, actor=handler2, **world.deps())
    xiwan = world.agency("xiwan", "西湾街道综合行政执法队", "西湾综执案")
    outsider = world.user("xiwan_handler", "handler", agency_id=xiwan)
    lead(world, outsider, "西湾当事人")

    assert parties(page(world, handler1, view="mine")) == ["甲"]
    assert parties(page(world, handler1, view="queue")) == ["丙"]
    assert sorted(parties(page(world, handler1))) == ["丙", "甲"]
    everything = page(world, handler1, view="all")
    assert everything.total == 2 and everything.counts.mine == 1 and everything.counts.queue == 1
    assert parties(page(world, outsider)) == ["西湾当事人"]
    assert page(world, staff["reviewer1"]).rows == []  # no reviewer task is open

    whole = page(world, staff["head1"], view="agency")  # a head sees the agency's open tasks, whoever has them
    assert sorted(parties(whole)) == ["丙", "乙", "甲"] and whole.total == 3
    with pytest.raises(NotAuthorized):
        page(world, handler1, view="agency")


def test_nearest_deadline_first_tasks_without_one_last_then_oldest(world, staff):
    handler = staff["handler1"]
    ids = {name: world.only_task(lead(world, handler, name)).id for name in ("无期限", "晚", "早", "也无期限")}
    set_columns(world, HumanTask, ids["无期限"], due_at=None)
    set_columns(world, HumanTask, ids["也无期限"], due_at=None, created_at=at("2026-03-02T10:00"))
    set_columns(world, HumanTask, ids["晚"], due_at=at("2026-03-25T00:00"))
    set_columns(world, HumanTask, ids["早"], due_at=at("2026-03-10T00:00"))
    assert parties(page(world, handler)) == ["早", "晚", "无期限", "也无期限"]


def test_stage_process_and_due_filters(world, staff):
    handler = staff["handler1"]
    early = lead(world, handler, "早", discovered="2026-02-24T10:00")   # due 24:00 Mon 03-16
    middle = lead(world, handler, "中", discovered="2026-02-26T10:00")  # due 24:00 Wed 03-18
    late = lead(world, handler, "晚", discovered="2026-03-02T08:00")    # due 24:00 Mon 03-23
    other_process = world.register(handler, party_name="示例流程当事人")  # the case_lead fixture process
    set_columns(world, Case, late, stage="filed")
    set_columns(world, HumanTask, world.only_task(other_process).id, due_at=None)

    assert parties(page(world, handler, stage="filed")) == ["晚"]
    assert sorted(parties(page(world, handler, stage="lead"))) == ["中", "早", "示例流程当事人"]
    assert parties(page(world, handler, process_id="case_lead")) == ["示例流程当事人"]
    assert parties(page(world, handler, process_id="lead_intake")) == ["早", "中", "晚"]
    assert page(world, handler, process_id="lead_intake", stage="filed").total == 1

    world.clock.set(at("2026-03-13T09:00"))  # Friday: soon means up to 24:00 of Wednesday 03-18 (not 72 hours)
    result = page(world, handler, process_id="lead_intake")
    assert result.soon_before == at("2026-03-19T00:00")
    assert [row.urgency for row in result.rows] == ["soon", "soon", "ok"]
    assert parties(page(world, handler, due="soon")) == ["早", "中"]
    assert page(world, handler, due="overdue").rows == []

    world.clock.set(at("2026-03-17T09:00"))
    result = page(world, handler, process_id="lead_intake")
    assert [row.urgency for row in result.rows] == ["overdue", "soon", "ok"]
    assert parties(page(world, handler, due="overdue")) == ["早"]
    assert parties(page(world, handler, due="soon")) == ["中"]
    assert page(world, handler, due="overdue").total == 1 and result.counts.overdue == 1
    assert [row.urgency for row in page(world, handler, stage="lead").rows][-1] is None  # no deadline at all
    assert early and middle


def test_soon_counts_working_days_across_holidays_and_make_up_days(world):
    with world.uow() as uow:
        # Thursday before the Labour Day holiday (05-01 to 05-05): the third working day is Friday 05-08.
        assert due_soon_before(uow.session, at("2026-04-30T10:00")) == at("2026-05-09T00:00")
        # Thursday 05-07: Friday, the make-up working Saturday 05-09, then Monday 05-11.
        assert due_soon_before(uow.session, at("2026-05-07T10:00")) == at("2026-05-12T00:00")


def test_search_matches_case_number_or_party_literally(world, staff):
    handler = staff["handler1"]
    lead(world, handler, "100%_纯净水有限公司")
    lead(world, handler, "100ab纯净水")
    lead(world, handler, "Acme 饮品店")
    assert parties(page(world, handler, q="100%_")) == ["100%_纯净水有限公司"]
    assert parties(page(world, handler, q="_")) == ["100%_纯净水有限公司"]
    assert sorted(parties(page(world, handler, q="纯净水"))) == ["100%_纯净水有限公司", "100ab纯净水"]
    assert parties(page(world, handler, q="acme")) == ["Acme 饮品店"]  # case does not matter
    assert parties(page(world, handler, q="〔2026〕3号")) == ["Acme 饮品店"]
    assert page(world, handler, q="  ").total == 3  # blank search is no search


def test_server_side_paging_of_many_tasks_in_three_statements(world, staff):
    handler = staff["handler1"]
    template = lead(world, handler, "模板")
    with world.uow() as uow:
        clone_case(uow.session, template, 59)
        uow.commit()

    first = page(world, handler, page_size=25)
    assert (first.total, first.pages, len(first.rows)) == (60, 3, 25)
    last = page(world, handler, page=3, page_size=25)
    assert len(last.rows) == 10 and not {r.id for r in last.rows} & {r.id for r in first.rows}
    beyond = page(world, handler, page=9, page_size=25)  # past the end: the last page
    assert beyond.page == 3 and len(beyond.rows) == 10
    assert page(world, handler, q="SEED", page=2, page_size=25).total == 59

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        with world.uow() as uow:
            now = world.clock.now()
            inbox(uow.session, handler, q="SEED", page=2, page_size=25, now=now, soon_before=now)
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    assert len(statements) <= 3, statements  # rows, total, navigation counts
    assert not any("state_json" in s for s in statements)  # never a workflow


def test_counts_are_one_query_and_include_overdue(world, staff):
    handler = staff["handler1"]
    mine = lead(world, handler, "甲", discovered="2026-02-24T10:00")
    lead(world, handler, "乙")
    tasks.claim_task(task_id=world.only_task(mine).id, actor=handler, **world.deps())
    with world.uow() as uow:
        counts = inbox_counts(uow.session, handler, now=at("2026-03-17T09:00"))
    assert (counts.mine, counts.queue, counts.all, counts.overdue, counts.overdue_mine) == (1, 1, 2, 1, 1)


def test_process_names_and_assignable_colleagues(world, staff):
    xiwan = world.agency("xiwan", "西湾街道综合行政执法队", "西湾综执案")
    world.user("xiwan_handler", "handler", agency_id=xiwan)
    with world.uow() as uow:
        names = dict(latest_processes(uow.session))
        colleagues = assignable_colleagues(uow.session, staff["head1"], {"handler", "reviewer"})
        assert assignable_colleagues(uow.session, staff["handler1"], {"handler"}) == {}
    assert names["lead_intake"] == "案源登记与立案审查" and names["case_lead"] == "案源处理（示例流程）"
    assert [name for _, name in colleagues["handler"]] == ["handler1", "handler2"]
    assert [name for _, name in colleagues["reviewer"]] == ["reviewer1"]
