"""Bulk actions are worked through by the scheduler item by item, each with its own audit record and result;
every tick leaves a heartbeat with its lag, and a failing tick leaves its error there."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine import scheduler
from engine.clock import CHINA_TZ
from engine.errors import InvalidState, NotAuthorized, ValidationFailed
from engine.scheduler import tick
from engine.services import bulk, monitoring
from engine.services.views import timeline
from engine.store.models import BulkOperationItem, HumanTask, ProcessInstance, WorkerHeartbeat
from tests.trouble import engine_error, instance_of


def run_ticks(world, times: int = 1, worker: str = "w1"):
    return [tick(database=world.database, runner=world.runner, clock=world.clock, worker=worker)
            for _ in range(times)]


def progress(world, operation_id):
    with world.uow() as uow:
        return bulk.progress(uow.session, operation_id)


def test_bulk_retry_does_each_item_in_its_own_transaction_and_reports_each(world, staff):
    failing = [instance_of(world, engine_error(world, staff)) for _ in range(3)]
    healthy = instance_of(world, world.register(staff["handler1"]))
    targets = [str(i) for i in failing] + [str(healthy), str(failing[0])]  # a duplicate is done once
    with pytest.raises(NotAuthorized):
        bulk.create_bulk(action="retry", targets=targets, reason="已修复", actor=staff["head1"], **world.deps())
    with pytest.raises(ValidationFailed):
        bulk.create_bulk(action="retry", targets=["999999"], reason="已修复", actor=staff["admin1"], **world.deps())
    operation_id = bulk.create_bulk(action="retry", targets=targets, reason="脚本已修复", actor=staff["admin1"],
                                    **world.deps())
    queued = progress(world, operation_id)
    assert (queued["status"], queued["total"], queued["pending"], queued["percent"]) == ("queued", 4, 4, 0)
    [result] = run_ticks(world)
    assert result.bulk_items == 4
    done = progress(world, operation_id)
    assert (done["status"], done["ok"], done["failed"], done["percent"]) == ("done", 3, 1, 100)
    [refused] = [item for item in done["items"] if item["status"] == "failed"]
    assert refused["target"] == str(healthy) and "只有出错的流程可以重试" in refused["message"]
    with world.uow() as uow:
        assert monitoring.errors(uow.session).total == 0
        instance = uow.session.get(ProcessInstance, failing[1])
        records = timeline(uow.session, instance.case_id)
    assert any(r["action"] == "instance_retried" and f"批量操作 #{operation_id}" in r["summary"] for r in records)


def test_a_bulk_operation_is_done_a_batch_per_tick_and_can_be_cancelled(world, staff):
    cases = [world.register(staff["handler1"]) for _ in range(5)]
    targets = [str(instance_of(world, case_id)) for case_id in cases]
    operation_id = bulk.create_bulk(action="suspend", targets=targets, reason="集中鉴定", actor=staff["admin1"],
                                    **world.deps())
    done = bulk.run_bulk_operations(database=world.database, runner=world.runner, clock=world.clock, worker="w1",
                                    lease=timedelta(seconds=30), max_items=2)
    assert done == 2 and progress(world, operation_id)["status"] == "running"
    bulk.cancel_bulk(operation_id=operation_id, actor=staff["admin1"], **world.deps())
    run_ticks(world)
    cancelled = progress(world, operation_id)
    assert (cancelled["status"], cancelled["ok"], cancelled["skipped"]) == ("cancelled", 2, 3)
    with pytest.raises(InvalidState):
        bulk.cancel_bulk(operation_id=operation_id, actor=staff["admin1"], **world.deps())
    with world.uow() as uow:
        statuses = [uow.session.get(ProcessInstance, int(t)).status for t in targets]
    assert statuses == ["suspended", "suspended", "waiting", "waiting", "waiting"]


def test_an_item_a_dead_worker_was_on_is_reported_as_interrupted(world, staff):
    target = str(instance_of(world, world.register(staff["handler1"])))
    operation_id = bulk.create_bulk(action="suspend", targets=[target], reason="鉴定", actor=staff["admin1"],
                                    **world.deps())
    with world.uow() as uow:  # a worker took the item, then died with its lease
        uow.session.execute(BulkOperationItem.__table__.update().values(status="running"))
        uow.commit()
    run_ticks(world)
    [item] = progress(world, operation_id)["items"]
    assert item["status"] == "failed" and "中断" in item["message"]


def test_bulk_reassign_moves_tasks_and_refuses_the_wrong_agency(world, staff):
    other = world.agency(code="xiwan", name="西湾", prefix="西湾案")
    outsider = world.user("xiwan1", "handler", agency_id=other)
    mine = [world.only_task(world.register(staff["handler1"])).id for _ in range(2)]
    theirs = world.only_task(world.register(outsider)).id
    operation_id = bulk.create_bulk(action="reassign", targets=[*mine, theirs], reason="承办人调整",
                                    assignee_id=staff["handler2"].user_id, actor=staff["admin1"], **world.deps())
    run_ticks(world)
    result = progress(world, operation_id)
    assert (result["ok"], result["failed"]) == (2, 1)
    with world.uow() as uow:
        assert [uow.session.get(HumanTask, t).assignee_id for t in mine] == [staff["handler2"].user_id] * 2
        assert uow.session.get(HumanTask, theirs).assignee_id is None


def test_every_tick_leaves_a_heartbeat_with_its_lag(world, staff):
    world.register(staff["handler1"])  # its warning timer is due on 03-18 at 00:00
    run_ticks(world, worker="host:1")
    world.clock.set(datetime(2026, 3, 18, 0, 10, tzinfo=CHINA_TZ))
    run_ticks(world, worker="host:1")
    with world.uow() as uow:
        beat = uow.session.get(WorkerHeartbeat, "host:1")
        health = monitoring.summary(uow.session, now=world.clock.now(), thresholds=monitoring.Thresholds())
    assert beat.ticks == 2 and beat.total_fired == 1 and beat.timers_fired == 1
    assert 590_000 <= beat.lag_ms <= 610_000  # due at 00:00, the tick began at 00:10
    assert beat.last_tick_at == world.clock.now() and beat.last_error is None
    assert [w["worker"] for w in health["workers"]] == ["host:1"] and health["workers"][0]["alive"]
    world.clock.advance(timedelta(minutes=5))
    with world.uow() as uow:
        [stale] = monitoring.summary(uow.session, now=world.clock.now(), thresholds=monitoring.Thresholds())["workers"]
    assert not stale["alive"]


def test_a_failing_tick_records_its_error_and_still_fails(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scheduler, "fire_due_timers", broken)
    with pytest.raises(RuntimeError):
        run_ticks(world, worker="host:2")
    with world.uow() as uow:
        beat = uow.session.scalar(select(WorkerHeartbeat).where(WorkerHeartbeat.worker == "host:2"))
    assert "database went away" in beat.last_error and beat.last_error_at == world.clock.now()
