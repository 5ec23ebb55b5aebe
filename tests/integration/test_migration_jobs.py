"""Migration jobs wait on the job queue the scheduler works, like bulk actions: any worker's tick moves the
instances, a job a stopped worker left half-done is taken over once its lease runs out, and two workers never
migrate the same instance."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from engine.scheduler import tick
from engine.services import migration
from engine.store.models import AuditRecord, ProcessDefinition, ProcessInstance
from tests.integration.test_designer import V1, deploy_version, with_site_visit

LEASE = timedelta(seconds=30)


class WorkerKilled(BaseException):
    """The worker process died (a restart, a kill): nothing of the transaction it was in is committed."""


def queue_migration(world, staff, designer, cases: int) -> tuple[int, list[int]]:
    case_ids = [world.register(staff["handler1"]) for _ in range(cases)]
    deploy_version(world, designer, with_site_visit(V1), "增加现场核查环节")
    job_id = migration.start_job(process_id="case_lead", target_version=None, instance_ids=None, actor=designer,
                                 **world.deps())
    return job_id, case_ids


def progress(world, job_id: int) -> dict:
    with world.uow() as uow:
        return migration.job_progress(uow.session, job_id, now=world.clock.now())


def versions(world, case_ids: list[int]) -> list[int]:
    with world.uow() as uow:
        return list(uow.session.scalars(
            select(ProcessDefinition.version).join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id.in_(case_ids)).order_by(ProcessInstance.case_id)))


def records(world, action: str) -> list[AuditRecord]:
    with world.uow() as uow:
        return list(uow.session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_a_queued_job_waits_for_a_scheduler_tick_which_migrates_it(world, staff):
    designer = world.user("designer1", "designer")
    job_id, case_ids = queue_migration(world, staff, designer, cases=2)
    queued = progress(world, job_id)
    assert (queued["status"], queued["done"], queued["total"]) == ("queued", 0, 2)
    assert versions(world, case_ids) == [1, 1]  # queuing moved nothing

    result = tick(database=world.database, runner=world.runner, clock=world.clock, worker="host-b:7")
    assert result.migration_items == 2
    done = progress(world, job_id)
    assert (done["status"], done["migrated"], done["failed"]) == ("done", 2, 0)
    assert versions(world, case_ids) == [2, 2]
    assert [r.actor_name for r in records(world, "instance_migrated")] == ["designer1", "designer1"]
    [finished] = records(world, "migration_finished")
    assert finished.data == {"job_id": job_id, "migrated": 2, "skipped": 0, "failed": 0}
    assert tick(database=world.database, runner=world.runner, clock=world.clock).migration_items == 0


def test_a_job_a_killed_worker_left_half_done_is_resumed_by_the_next_tick(world, staff, monkeypatch):
    designer = world.user("designer1", "designer")
    job_id, case_ids = queue_migration(world, staff, designer, cases=3)
    migrate, calls = world.runner.migrate, []

    def dies_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise WorkerKilled
        return migrate(*args, **kwargs)

    monkeypatch.setattr(world.runner, "migrate", dies_on_the_second)
    try:
        migration.run_migration_jobs(database=world.database, runner=world.runner, clock=world.clock,
                                     worker="host-a:1", lease=LEASE)
    except WorkerKilled:
        pass
    else:
        raise AssertionError("the worker should have died on the second instance")
    monkeypatch.undo()
    half = progress(world, job_id)
    assert (half["status"], half["migrated"], half["done"]) == ("running", 1, 1)
    assert versions(world, case_ids) == [2, 1, 1]  # the instance it died on is untouched

    # the dead worker's lease still holds: another worker leaves the job alone until it runs out
    assert tick(database=world.database, runner=world.runner, clock=world.clock, worker="host-b:1").migration_items == 0
    world.clock.advance(LEASE + timedelta(seconds=1))
    assert tick(database=world.database, runner=world.runner, clock=world.clock, worker="host-b:1").migration_items == 2
    done = progress(world, job_id)
    assert (done["status"], done["migrated"], done["skipped"], done["failed"]) == ("done", 3, 0, 0)
    assert versions(world, case_ids) == [2, 2, 2]
    assert sorted(r.instance_id for r in records(world, "instance_migrated")) == \
        sorted({r.instance_id for r in records(world, "instance_migrated")})  # each moved once
    assert len(records(world, "migration_finished")) == 1


def test_two_workers_on_one_job_never_migrate_the_same_instance(world, staff):
    designer = world.user("designer1", "designer")
    job_id, case_ids = queue_migration(world, staff, designer, cases=6)
    start = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            start.wait()
            for _tick in range(20):  # tick after tick until the job is done
                # a lease that has already run out: each may take the job over from the other at any moment
                migration.run_migration_jobs(database=world.database, runner=world.runner, clock=world.clock,
                                             worker=worker, lease=timedelta(seconds=-1), max_items=2)
                if progress(world, job_id)["status"] == "done":
                    break
        except BaseException as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"host-{n}:1",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    done = progress(world, job_id)
    assert (done["status"], done["migrated"], done["skipped"], done["failed"]) == ("done", 6, 0, 0)
    assert [item["status"] for item in done["items"]] == ["migrated"] * 6
    migrated = [r.instance_id for r in records(world, "instance_migrated")]
    assert len(migrated) == len(set(migrated)) == 6
    assert len(records(world, "migration_finished")) == 1
    assert versions(world, case_ids) == [2] * 6
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProcessInstance)
                                  .where(ProcessInstance.case_id.in_(case_ids))) == 6


def test_resuming_a_stalled_job_lets_the_next_tick_take_it_at_once(world, staff):
    designer = world.user("designer1", "designer")
    job_id, case_ids = queue_migration(world, staff, designer, cases=1)
    with world.uow() as uow:  # a worker claimed it and then stopped, a minute and more ago
        uow.session.execute(migration.MigrationJob.__table__.update().values(
            status="running", claimed_by="host-a:1", claim_expires_at=world.clock.now() + timedelta(minutes=10),
            heartbeat_at=world.clock.now() - timedelta(minutes=2)))
        uow.commit()
    assert progress(world, job_id)["status"] == "interrupted"
    migration.resume_job(job_id=job_id, actor=designer, **world.deps())
    assert progress(world, job_id)["status"] == "queued"
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="host-b:1")
    assert progress(world, job_id)["status"] == "done" and versions(world, case_ids) == [2]
