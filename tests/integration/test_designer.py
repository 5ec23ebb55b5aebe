"""The designer's use cases on SQLite and PostgreSQL: drafts, deploy as a new version with a comment, history
and diff, new cases on the newest version, and migration of running instances after a dry run."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from engine.errors import ConcurrencyConflict, DefinitionProblem, NotAuthorized
from engine.scheduler import tick
from engine.services import designer, migration, tasks
from engine.store.models import AuditRecord, HumanTask, ProcessDefinition, ProcessDraft, ProcessInstance
from tests.conftest import FIXTURES

V1 = (FIXTURES / "case_lead.bpmn").read_text(encoding="utf-8")
NEW_TASK = '''    <bpmn:userTask id="site_visit" name="现场核查" camunda:formKey="lead_check">
      <bpmn:incoming>flow_checked</bpmn:incoming>
      <bpmn:outgoing>flow_visited</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_visited" sourceRef="site_visit" targetRef="check_outcome" />
'''


def with_site_visit(xml: str) -> str:
    """Version 2: a new user task 现场核查 between 案源初查 and its gateway."""
    xml = xml.replace('<bpmn:sequenceFlow id="flow_checked" sourceRef="lead_check" targetRef="check_outcome" />',
                      '<bpmn:sequenceFlow id="flow_checked" sourceRef="lead_check" targetRef="site_visit" />'
                      + NEW_TASK)
    xml = xml.replace("<bpmn:flowNodeRef>lead_check</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>lead_check</bpmn:flowNodeRef><bpmn:flowNodeRef>site_visit</bpmn:flowNodeRef>")
    return xml.replace('''      <bpmn:incoming>flow_checked</bpmn:incoming>
      <bpmn:outgoing>flow_recommend_file</bpmn:outgoing>''', '''      <bpmn:incoming>flow_visited</bpmn:incoming>
      <bpmn:outgoing>flow_recommend_file</bpmn:outgoing>''')


def without_lead_check(xml: str) -> str:
    """A version where 案源初查 was replaced by a new element: instances waiting there cannot move."""
    return xml.replace('"lead_check"', '"lead_review"').replace(">lead_check<", ">lead_review<") \
        .replace('camunda:formKey="lead_review"', 'camunda:formKey="lead_check"')


@pytest.fixture
def designer1(world):
    return world.user("designer1", "designer")


def deploy_version(world, actor, xml: str, comment: str):
    draft_id = designer.open_draft(process_id="case_lead", version=None, actor=actor, **world.deps())
    with world.uow() as uow:
        lock = designer.get_draft(uow.session, draft_id)["lock_version"]
    return designer.deploy_draft(draft_id=draft_id, xml=xml, lock_version=lock, comment=comment, actor=actor,
                                 **world.deps(runner=True))


def work_the_queue(world) -> None:
    """A scheduler tick, as any worker process runs it: migration jobs wait on its queue."""
    tick(database=world.database, runner=world.runner, clock=world.clock, worker="worker-1")


def instance_of(world, case_id: int) -> ProcessInstance:
    with world.uow() as uow:
        return uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))


def test_a_draft_is_deployed_as_a_new_version_with_history_and_a_readable_diff(world, staff, designer1):
    row, created = deploy_version(world, designer1, with_site_visit(V1), "增加现场核查环节")
    assert created and row.version == 2 and row.comment == "增加现场核查环节"
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(ProcessDraft.id))) == 0  # the draft became the version
        history = designer.process_history(uow.session, "case_lead")
        diff = designer.version_diff(uow.session, "case_lead", 1, 2)
        deployed = uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "definition_deployed")
                                      .order_by(AuditRecord.id.desc()))
    assert [(v["version"], v["deployed_by"], v["comment"]) for v in history["versions"]][0] == \
        (2, "designer1", "增加现场核查环节")
    assert deployed.actor_name == "designer1"
    assert {(a["id"], a["name"]) for a in diff["added"]} == {("site_visit", "现场核查"), ("flow_visited", "")}
    assert diff["removed"] == []
    [flow] = [c for c in diff["changed"] if c["id"] == "flow_checked"]
    assert flow["changes"] == [{"field": "target", "title": "终点", "before": "check_outcome", "after": "site_visit"}]


def test_new_cases_start_on_the_newest_version_and_running_ones_stay_on_theirs(world, staff, designer1):
    old_case = world.register(staff["handler1"])
    deploy_version(world, designer1, with_site_visit(V1), "v2")
    new_case = world.register(staff["handler1"])
    with world.uow() as uow:
        versions = dict(uow.session.execute(
            select(ProcessInstance.case_id, ProcessDefinition.version).join(ProcessDefinition)).all())
    assert versions == {old_case: 1, new_case: 2}
    for case_id, next_task in ((old_case, "filing_approval"), (new_case, "site_visit")):
        tasks.complete_task(task_id=world.only_task(case_id).id, data={"findings": "属实", "recommendation": "file"},
                            actor=staff["handler1"], **world.deps(runner=True))
        assert world.only_task(case_id).name == next_task


def test_migration_after_a_dry_run_moves_the_instance_and_keeps_its_task_and_timers(world, staff, designer1):
    case_id = world.register(staff["handler1"])
    before = instance_of(world, case_id)
    tasks.claim_task(task_id=world.only_task(case_id).id, actor=staff["handler1"], **world.deps())
    task_before = world.only_task(case_id)
    deploy_version(world, designer1, with_site_visit(V1), "v2")

    with world.uow() as uow:
        report = migration.dry_run(uow.session, process_id="case_lead", target_version=None, actor=designer1,
                                   runner=world.runner)
    [row] = report["instances"]
    assert row["can_migrate"] and row["current"] == ["案源初查", "线索撤回", "立案审查临期"] and row["version"] == 1
    job_id = migration.start_job(process_id="case_lead", target_version=None, instance_ids=None, actor=designer1,
                                 **world.deps())
    work_the_queue(world)

    after = instance_of(world, case_id)
    task_after = world.only_task(case_id)
    with world.uow() as uow:
        progress = migration.job_progress(uow.session, job_id, now=world.clock.now())
        migrated = uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "instance_migrated"))
        v2 = uow.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.version == 2,
                                                                   ProcessDefinition.process_id == "case_lead"))
    assert progress["status"] == "done" and (progress["migrated"], progress["skipped"], progress["failed"]) == (1, 0, 0)
    assert after.definition_id == v2 and after.version > before.version
    assert after.next_due_at == before.next_due_at  # the statutory warning timer lands on the same moment
    assert (task_after.id, task_after.assignee_id, task_after.due_at) == \
        (task_before.id, task_before.assignee_id, task_before.due_at)  # the claim and due date survive
    assert migrated.instance_id == after.id and migrated.data["from_version"] == 1 and migrated.data["to_version"] == 2
    tasks.complete_task(task_id=task_after.id, data={"findings": "属实", "recommendation": "file"},
                        actor=staff["handler1"], **world.deps(runner=True))
    assert world.only_task(case_id).name == "site_visit"  # it runs on the new version now


def test_an_instance_waiting_at_a_removed_element_is_refused_with_the_reason(world, staff, designer1):
    waiting = world.register(staff["handler1"])
    passed = world.register(staff["handler1"])
    tasks.complete_task(task_id=world.only_task(passed).id, data={"findings": "属实", "recommendation": "file"},
                        actor=staff["handler1"], **world.deps(runner=True))
    deploy_version(world, designer1, without_lead_check(V1), "案源初查改名")
    with world.uow() as uow:
        report = migration.dry_run(uow.session, process_id="case_lead", target_version=2, actor=designer1,
                                   runner=world.runner)
    reasons = {row["case_id"]: row["reasons"] for row in report["instances"]}
    assert reasons[waiting] == ["当前所在的「案源初查」在新版本中已删除"]
    assert any("已经过的「案源初查」" in reason for reason in reasons[passed])
    job_id = migration.start_job(process_id="case_lead", target_version=2, instance_ids=[waiting], actor=designer1,
                                 **world.deps())
    work_the_queue(world)
    with world.uow() as uow:
        progress = migration.job_progress(uow.session, job_id, now=world.clock.now())
    assert (progress["total"], progress["skipped"]) == (1, 1)
    assert "已删除" in progress["items"][0]["message"]
    assert instance_of(world, waiting).definition_id == instance_of(world, passed).definition_id  # both still v1


def test_an_invalid_draft_is_saved_but_not_deployed(world, designer1):
    draft_id = designer.open_draft(process_id="case_lead", version=None, actor=designer1, **world.deps())
    broken = V1.replace('camunda:formKey="filing_approval"', "")
    with world.uow() as uow:
        lock = designer.get_draft(uow.session, draft_id)["lock_version"]
    saved = designer.save_draft(draft_id=draft_id, xml=broken, lock_version=lock, actor=designer1, **world.deps())
    assert saved["problems"] == [{"element_id": "filing_approval", "message": "用户任务「立案审批」没有表单（camunda:formKey）"}]
    with pytest.raises(ConcurrencyConflict):  # a stale save never overwrites a colleague's newer one
        designer.save_draft(draft_id=draft_id, xml=V1, lock_version=lock, actor=designer1, **world.deps())
    with pytest.raises(DefinitionProblem) as raised:
        designer.deploy_draft(draft_id=draft_id, xml=None, lock_version=None, comment="试试", actor=designer1,
                              **world.deps(runner=True))
    assert raised.value.problems[0]["element_id"] == "filing_approval"
    with world.uow() as uow:
        assert uow.session.scalar(select(func.max(ProcessDefinition.version)).where(
            ProcessDefinition.process_id == "case_lead")) == 1


@pytest.fixture
def counted(monkeypatch, world):
    """How often the BPMN is linted and parsed by SpiffWorkflow, and how many transactions commit."""
    from SpiffWorkflow.camunda.parser import CamundaParser

    from engine.specs import loader
    calls = {"lint": 0, "parse": 0, "commit": 0}
    lint, add_bpmn_xml = loader.lint, CamundaParser.add_bpmn_xml

    def counting_lint(*args, **kwargs):
        calls["lint"] += 1
        return lint(*args, **kwargs)

    def counting_parse(self, *args, **kwargs):
        calls["parse"] += 1
        return add_bpmn_xml(self, *args, **kwargs)

    def commit(_session):
        calls["commit"] += 1

    monkeypatch.setattr(loader, "lint", counting_lint)
    monkeypatch.setattr(CamundaParser, "add_bpmn_xml", counting_parse)
    event.listen(world.database.session_factory, "after_commit", commit)
    yield calls
    event.remove(world.database.session_factory, "after_commit", commit)


def test_a_deploy_parses_and_lints_the_document_once_in_one_transaction(world, designer1, counted):
    draft_id = designer.open_draft(process_id="case_lead", version=None, actor=designer1, **world.deps())
    with world.uow() as uow:
        lock = designer.get_draft(uow.session, draft_id)["lock_version"]
    counted.update(lint=0, parse=0, commit=0)
    row, created = designer.deploy_draft(draft_id=draft_id, xml=with_site_visit(V1), lock_version=lock,
                                         comment="增加现场核查环节", actor=designer1, **world.deps(runner=True))
    assert created and row.version == 2
    assert counted == {"lint": 1, "parse": 1, "commit": 1}

    draft_id = designer.open_draft(process_id="case_lead", version=None, actor=designer1, **world.deps())
    with world.uow() as uow:
        lock = designer.get_draft(uow.session, draft_id)["lock_version"]
    counted.update(lint=0, parse=0, commit=0)
    with pytest.raises(DefinitionProblem):  # a broken document: refused, and the work sent is kept in the draft
        designer.deploy_draft(draft_id=draft_id, xml=V1.replace('camunda:formKey="filing_approval"', ""),
                              lock_version=lock, comment="去掉表单", actor=designer1, **world.deps(runner=True))
    assert counted == {"lint": 1, "parse": 1, "commit": 1}
    with world.uow() as uow:
        kept = designer.get_draft(uow.session, draft_id)
        latest = uow.session.scalar(select(func.max(ProcessDefinition.version)).where(
            ProcessDefinition.process_id == "case_lead"))
    assert kept["lock_version"] > lock and kept["problems"][0]["element_id"] == "filing_approval"
    assert 'camunda:formKey="filing_approval"' not in kept["bpmn_xml"] and latest == 2


def test_only_designers_and_admins_design(world, staff):
    with pytest.raises(NotAuthorized):
        designer.open_draft(process_id="case_lead", version=None, actor=staff["handler1"], **world.deps())
    assert designer.open_draft(process_id="case_lead", version=None, actor=staff["admin1"], **world.deps())


def test_a_task_whose_lane_changed_goes_to_the_new_roles_queue(world, staff, designer1):
    case_id = world.register(staff["handler1"])
    task = world.only_task(case_id)
    tasks.claim_task(task_id=task.id, actor=staff["handler1"], **world.deps())
    moved = V1.replace("<bpmn:flowNodeRef>lead_check</bpmn:flowNodeRef>\n", "").replace(
        "<bpmn:flowNodeRef>filing_approval</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>filing_approval</bpmn:flowNodeRef><bpmn:flowNodeRef>lead_check</bpmn:flowNodeRef>")
    deploy_version(world, designer1, moved, "初查改由负责人办理")
    migration.start_job(process_id="case_lead", target_version=None, instance_ids=None, actor=designer1,
                        **world.deps())
    work_the_queue(world)
    with world.uow() as uow:
        row = uow.session.get(HumanTask, task.id)
        assert (row.status, row.candidate_role, row.lane, row.assignee_id) == ("open", "head", "负责人", None)


def test_a_runaway_script_is_stopped_and_recorded_on_the_instance_not_the_worker(world, staff, tmp_path):
    from engine.errors import EngineFailure
    from engine.runner import WorkflowRunner
    from engine.scripting import Limits

    world.runner = WorkflowRunner(script_limits=Limits(max_steps=50_000))
    looping = (FIXTURES / "failing_step.bpmn").read_text(encoding="utf-8").replace(
        'ratio = 100 / (0 if recommendation == "file" else 1)', "n = 0\nwhile True:\n    n = n + 1")
    path = tmp_path / "failing_step.bpmn"
    path.write_text(looping, encoding="utf-8")
    world.deploy_file(path)
    case_id = world.register(staff["handler1"], process_id="failing_step")
    task = world.only_task(case_id)
    with pytest.raises(EngineFailure) as raised:
        tasks.complete_task(task_id=task.id, data={"findings": "x", "recommendation": "file"},
                            actor=staff["handler1"], **world.deps(runner=True))
    assert raised.value.element_id == "compute"
    with world.uow() as uow:
        instance = uow.session.get(ProcessInstance, task.instance_id)
        assert instance.status == "error" and instance.error_element == "compute"
        assert "50,000 步" in instance.error_message
    assert world.only_task(case_id).id == task.id  # the step was rolled back; the task is still open
