"""The case list query (案件台账) on both databases: who sees what, officers by duty, few statements, no workflow."""
from __future__ import annotations

from sqlalchemy import event

from engine.actors import Actor
from engine.services.case_list import CaseFilters, iter_cases, list_cases
from engine.services.duties import record_duty
from tests.seeding import clone_case


def found(world, actor, **filters):
    with world.uow() as uow:
        return list_cases(uow.session, actor, filters=CaseFilters(**filters), now=world.clock.now(), limit=200)


def test_agency_isolation_and_who_sees_every_agency(world, staff):
    ours = world.register(staff["handler1"], party_name="周某某")
    xiwan = world.agency(code="xiwan", name="西湾", prefix="西湾案")
    theirs = world.register(world.user("xiwan1", "handler", agency_id=xiwan), party_name="周某某")
    assert [row.id for row in found(world, staff["handler1"]).rows] == [ours]
    assert [row.id for row in found(world, world.actor("xiwan1")).rows] == [theirs]
    assert {row.id for row in found(world, staff["admin1"]).rows} == {ours, theirs}
    assert {row.id for row in found(world, Actor.system()).rows} == {ours, theirs}
    nowhere = Actor(user_id=999, name="无机关", agency_id=None, roles=frozenset({"handler"}))
    assert found(world, nowhere).total == 0


def test_an_investigator_finds_the_case_by_officer_and_is_listed_first(world, staff):
    case_id = world.register(staff["handler1"])
    other = world.register(staff["handler1"], party_name="李某")
    with world.uow() as uow:
        record_duty(uow.session, case_id=case_id, user_id=staff["handler2"].user_id, duty="handle",
                    clock=world.clock, primary=True)
        uow.commit()
    result = found(world, staff["head1"], officer=staff["handler2"].user_id)
    assert [row.id for row in result.rows] == [case_id] and result.rows[0].officers == ["handler2"]
    assert [row.id for row in found(world, staff["head1"], officer="handler2").rows] == [case_id]
    assert other and found(world, staff["head1"], officer="handler1").total == 0  # registering is not working it


def test_a_page_is_four_statements_and_never_reads_a_workflow(world, staff):
    template = world.register(staff["handler1"], party_name="模板")
    with world.uow() as uow:
        clone_case(uow.session, template, 59)
        uow.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        with world.uow() as uow:
            page = list_cases(uow.session, staff["handler1"], filters=CaseFilters(q="模板", overdue=False),
                              now=world.clock.now(), limit=25, offset=50)
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    assert (page.total, len(page.rows)) == (60, 10)
    assert len(statements) <= 4, statements  # rows, total, clocks, officers
    assert not any("state_json" in s for s in statements)
    statements.clear()
    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        with world.uow() as uow:
            nothing = list_cases(uow.session, staff["handler1"], filters=CaseFilters(q="无此当事人"),
                                 now=world.clock.now(), limit=25)
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    assert nothing.total == 0 and len(statements) == 1  # a search that finds little needs no separate count
    assert all(row.next_due_at is not None for row in page.rows)  # each clone has its filing clock

    with world.uow() as uow:
        everything = list(iter_cases(uow.session, staff["handler1"], filters=CaseFilters(), now=world.clock.now(),
                                     batch=7, most=45))
    assert len(everything) == 45 and len({row.id for row in everything}) == 45
