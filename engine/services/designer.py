"""The process designer's use cases: drafts (open a version, import a file, start a new process, save, discard),
validation, deployment as a new version with a comment, version history and the difference between versions.

Only designers and admins may use them. A draft may be saved in any state, as long as it is a BPMN document;
only a draft that passes every rule (engine.specs.lint and the SpiffWorkflow parse) can be deployed.
"""
from __future__ import annotations

import re
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

import forms
from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import ConcurrencyConflict, DefinitionProblem, NotAuthorized, NotFound, ValidationFailed
from engine.runner import WorkflowRunner
from engine.specs import parse_bpmn
from engine.specs.bpmn_xml import NotBpmn, as_utf8_text, main_process, parse_document
from engine.specs.diff import diff_bpmn
from engine.specs.templates import new_process_xml
from engine.store.database import UnitOfWork
from engine.store.models import ProcessDefinition, ProcessDraft, ProcessInstance, User
from engine.store.statuses import InstanceStatus

from .definitions import deploy, store_version

DESIGNING_ROLES = ("designer", "admin")
RUNNING_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR)
PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{1,99}$")


def require_designer(actor: Actor) -> None:
    if not (actor.is_system or actor.has_role(*DESIGNING_ROLES)):
        raise NotAuthorized("只有流程设计人员或系统管理员可以设计和部署流程。")


def validate(xml: bytes, source_name: str = "draft.bpmn") -> list[dict]:
    """Every problem that keeps this document from being deployed (empty when it is deployable)."""
    try:
        parse_bpmn(source_name, xml, form_exists=forms.exists)
    except DefinitionProblem as exc:
        return _problems(exc)
    return []


def _problems(exc: DefinitionProblem) -> list[dict]:
    return [{"element_id": p.get("element_id"), "message": p["message"]} for p in exc.problems]


# -- reading -----------------------------------------------------------------------------------------------

def list_processes(session: Session) -> list[dict]:
    """Every process with its newest version, how many versions and running instances it has, and its draft."""
    newest = select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("version"),
                    func.count(ProcessDefinition.id).label("versions")) \
        .group_by(ProcessDefinition.process_id).subquery()
    latest = session.execute(select(ProcessDefinition, newest.c.versions).join(
        newest, (newest.c.process_id == ProcessDefinition.process_id) & (newest.c.version == ProcessDefinition.version))
        .order_by(ProcessDefinition.process_id)).all()
    running = dict(session.execute(
        select(ProcessDefinition.process_id, func.count(ProcessInstance.id))
        .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.status.in_(RUNNING_STATUSES)).group_by(ProcessDefinition.process_id)).all())
    drafts = {draft.process_id: draft for draft in session.scalars(select(ProcessDraft))}
    out = [{"process_id": row.process_id, "name": row.name, "latest_version": row.version, "versions": versions,
            "deployed_at": row.created_at, "running": running.get(row.process_id, 0),
            "draft": _draft_summary(drafts.pop(row.process_id, None))} for row, versions in latest]
    for draft in sorted(drafts.values(), key=lambda d: d.process_id):  # new processes, not deployed yet
        out.append({"process_id": draft.process_id, "name": draft.name, "latest_version": None, "versions": 0,
                    "deployed_at": None, "running": 0, "draft": _draft_summary(draft)})
    return out


def _draft_summary(draft: ProcessDraft | None) -> dict | None:
    if draft is None:
        return None
    return {"id": draft.id, "base_version": draft.base_version, "updated_at": draft.updated_at,
            "updated_by": draft.updated_by_name, "problems": len(draft.problems or [])}


def process_history(session: Session, process_id: str) -> dict:
    """Every version of a process, newest first, with who deployed it, when, why, and what runs on it."""
    versions = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                               .order_by(ProcessDefinition.version.desc())).all()
    draft = session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == process_id))
    if not versions and draft is None:
        raise NotFound(f"流程 {process_id} 不存在。")
    users = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_({v.deployed_by_id for v in versions if v.deployed_by_id}))).all()) if versions else {}
    running = dict(session.execute(
        select(ProcessInstance.definition_id, func.count(ProcessInstance.id))
        .where(ProcessInstance.definition_id.in_([v.id for v in versions]),
               ProcessInstance.status.in_(RUNNING_STATUSES)).group_by(ProcessInstance.definition_id)).all())
    return {
        "process_id": process_id,
        "name": versions[0].name if versions or draft is None else draft.name,
        "versions": [{"id": v.id, "version": v.version, "name": v.name, "comment": v.comment,
                      "deployed_by": "系统（流程库加载）" if v.deployed_by_id is None
                                     else users.get(v.deployed_by_id) or str(v.deployed_by_id),
                      "deployed_at": v.created_at, "content_hash": v.content_hash, "source_name": v.source_name,
                      "running": running.get(v.id, 0)} for v in versions],
        "draft": _draft_summary(draft),
    }


def definition_version(session: Session, process_id: str, version: int | None = None) -> ProcessDefinition:
    query = select(ProcessDefinition).options(undefer(ProcessDefinition.bpmn_xml)).where(
        ProcessDefinition.process_id == process_id)
    query = query.where(ProcessDefinition.version == version) if version is not None else \
        query.order_by(ProcessDefinition.version.desc()).limit(1)
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"流程 {process_id} 没有第 {version} 版。" if version else f"流程 {process_id} 尚未部署。")
    return row


def version_diff(session: Session, process_id: str, old_version: int, new_version: int) -> dict:
    old = definition_version(session, process_id, old_version)
    new = definition_version(session, process_id, new_version)
    return {"process_id": process_id, "from_version": old.version, "to_version": new.version,
            **diff_bpmn(old.bpmn_xml, new.bpmn_xml)}


def get_draft(session: Session, draft_id: int) -> dict:
    draft = session.get(ProcessDraft, draft_id, options=[undefer(ProcessDraft.bpmn_xml)])
    if draft is None:
        raise NotFound("草稿不存在（可能已部署或已放弃）。")
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(
        ProcessDefinition.process_id == draft.process_id))
    return {"id": draft.id, "process_id": draft.process_id, "name": draft.name, "source_name": draft.source_name,
            "bpmn_xml": draft.bpmn_xml, "base_version": draft.base_version, "latest_version": latest,
            "lock_version": draft.lock_version, "problems": draft.problems or [],
            "updated_at": draft.updated_at, "updated_by": draft.updated_by_name}


# -- drafts --------------------------------------------------------------------------------------------------

def open_draft(*, process_id: str, version: int | None, actor: Actor, uow: UnitOfWork, clock: Clock) -> int:
    """The process's draft: the existing one (whatever version it was started from), else a new one from the
    given version (the newest by default)."""
    require_designer(actor)
    with uow:
        session = uow.session
        existing = session.scalar(select(ProcessDraft.id).where(ProcessDraft.process_id == process_id))
        if existing is not None:
            return existing
        row = definition_version(session, process_id, version)
        draft = _new_draft(session, process_id=process_id, name=row.name, source_name=row.source_name,
                           xml=row.bpmn_xml, base_version=row.version, actor=actor, clock=clock)
        audit.record(session, clock=clock, actor=actor, action="draft_opened",
                     summary=f"从第 {row.version} 版开始编辑流程「{row.name}」", data={"process_id": process_id})
        uow.commit()
        return draft.id


def import_draft(*, filename: str, xml: bytes, actor: Actor, uow: UnitOfWork, clock: Clock) -> int:
    """A .bpmn file from any tool becomes the draft of its process (replacing that process's draft)."""
    require_designer(actor)
    try:
        root = parse_document(xml)
        text = as_utf8_text(xml)
    except NotBpmn as exc:
        raise DefinitionProblem(f"{filename}: {exc.message}",
                                problems=[{"element_id": None, "message": exc.message}]) from None
    process = main_process(root)
    stem = PurePath(filename or "process.bpmn").stem
    process_id = process.get("id") if process is not None and process.get("id") else stem
    name = (process.get("name") if process is not None else None) or process_id
    problems = validate(text.encode("utf-8"), filename)
    with uow:
        session = uow.session
        draft = session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == process_id))
        latest = session.scalar(select(func.max(ProcessDefinition.version)).where(
            ProcessDefinition.process_id == process_id))
        if draft is None:
            draft = _new_draft(session, process_id=process_id, name=name[:200], source_name=filename[:255],
                               xml=text, base_version=latest, actor=actor, clock=clock, problems=problems)
        else:
            draft.bpmn_xml, draft.name, draft.source_name = text, name[:200], filename[:255]
            draft.base_version = latest
            _touch(draft, actor, clock)
        draft.problems = problems
        audit.record(session, clock=clock, actor=actor, action="draft_imported",
                     summary=f"导入 BPMN 文件 {filename} 为流程「{name}」的草稿",
                     data={"process_id": process_id, "problems": len(problems)})
        uow.commit()
        return draft.id


def new_draft(*, process_id: str, name: str, actor: Actor, uow: UnitOfWork, clock: Clock) -> int:
    require_designer(actor)
    process_id, name = (process_id or "").strip(), (name or "").strip()
    fields = {}
    if not PROCESS_ID.match(process_id):
        fields["process_id"] = ["流程编号须以小写字母开头，只含小写字母、数字和下划线（如 noise_inspection）。"]
    if not name:
        fields["name"] = ["请填写流程名称。"]
    if fields:
        raise ValidationFailed("新流程信息有误。", fields=fields)
    with uow:
        session = uow.session
        taken = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == process_id)) or \
            session.scalar(select(ProcessDraft.id).where(ProcessDraft.process_id == process_id))
        if taken:
            raise ValidationFailed("流程编号已被使用。", fields={"process_id": [f"已有流程 {process_id}。"]})
        draft = _new_draft(session, process_id=process_id, name=name, source_name=f"{process_id}.bpmn",
                           xml=new_process_xml(process_id, name), base_version=None, actor=actor, clock=clock)
        audit.record(session, clock=clock, actor=actor, action="draft_created", summary=f"新建流程「{name}」",
                     data={"process_id": process_id})
        uow.commit()
        return draft.id


def save_draft(*, draft_id: int, xml: str, lock_version: int | None, actor: Actor, uow: UnitOfWork,
               clock: Clock) -> dict:
    """Save the designer's work; returns the new lock version and the problems found (saving never needs the
    document to be deployable, only to be BPMN)."""
    require_designer(actor)
    data = (xml or "").encode("utf-8")
    root = _bpmn_root(data)
    problems = validate(data)
    with uow:
        draft = _draft_for_update(uow.session, draft_id, lock_version)
        _write_draft(uow.session, draft, data=data, root=root, problems=problems, actor=actor, clock=clock)
        uow.commit()
        return {"lock_version": draft.lock_version, "problems": problems, "updated_at": draft.updated_at}


def _bpmn_root(data: bytes):
    try:
        return parse_document(data)
    except NotBpmn as exc:
        raise DefinitionProblem(exc.message, problems=[{"element_id": None, "message": exc.message}]) from None


def _write_draft(session: Session, draft: ProcessDraft, *, data: bytes, root, problems: list[dict], actor: Actor,
                 clock: Clock) -> None:
    process = main_process(root)
    process_id = process.get("id") if process is not None and process.get("id") else draft.process_id
    if process_id != draft.process_id and session.scalar(
            select(ProcessDraft.id).where(ProcessDraft.process_id == process_id)):
        raise ValidationFailed("流程编号已被另一个草稿使用。", fields={"process_id": [process_id]})
    draft.process_id = process_id
    draft.name = ((process.get("name") if process is not None else None) or draft.name)[:200]
    draft.bpmn_xml, draft.problems = as_utf8_text(data), problems
    _touch(draft, actor, clock)
    session.flush()


def discard_draft(*, draft_id: int, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    require_designer(actor)
    with uow:
        draft = _draft_for_update(uow.session, draft_id, None)
        audit.record(uow.session, clock=clock, actor=actor, action="draft_discarded",
                     summary=f"放弃流程「{draft.name}」的草稿", data={"process_id": draft.process_id})
        uow.session.delete(draft)
        uow.commit()


def deploy_draft(*, draft_id: int, xml: str | None, lock_version: int | None, comment: str, actor: Actor,
                 uow: UnitOfWork, runner: WorkflowRunner, clock: Clock) -> tuple[ProcessDefinition, bool]:
    """Deploy the draft (with `xml`, the designer's unsaved work) as the process's next version, with the
    designer's comment, and remove the draft: one parse and lint of the document, one transaction. New cases
    start on it; running cases stay on their version until migrated. DefinitionProblem if invalid, and then
    the work sent is saved in the draft with its problems."""
    require_designer(actor)
    if not (comment or "").strip():
        raise ValidationFailed("请填写本次修改的说明。", fields={"comment": ["部署新版本须说明修改了什么、为什么。"]})
    with uow:
        session = uow.session
        draft = _draft_for_update(session, draft_id, lock_version, lock=True)
        data = xml.encode("utf-8") if xml is not None else draft.bpmn_xml.encode("utf-8")
        try:
            definition = parse_bpmn(draft.source_name or f"{draft.process_id}.bpmn", data, form_exists=forms.exists)
        except DefinitionProblem as exc:
            if xml is not None:  # keep the designer's work, as a save would
                _write_draft(session, draft, data=data, root=_bpmn_root(data), problems=_problems(exc),
                             actor=actor, clock=clock)
                uow.commit()
            raise
        try:
            row, created = store_version(session, definition=definition, runner=runner, clock=clock, actor=actor,
                                         comment=comment.strip())
            session.delete(draft)
            uow.commit()
        except IntegrityError:  # the same process was deployed by someone else at this very moment
            raise ConcurrencyConflict("该流程刚部署了新版本，本次部署未生效，请刷新后重试。") from None
        return row, created


def deploy_upload(*, filename: str, xml: bytes, comment: str | None, actor: Actor, uow: UnitOfWork,
                  runner: WorkflowRunner, clock: Clock) -> tuple[ProcessDefinition, bool]:
    """Deploy a .bpmn file directly (the JSON API for automation)."""
    require_designer(actor)
    definition = parse_bpmn(filename or "upload.bpmn", xml, form_exists=forms.exists)
    return deploy(definition=definition, uow=uow, runner=runner, clock=clock, actor=actor,
                  comment=(comment or "").strip() or None)


def _new_draft(session: Session, *, process_id, name, source_name, xml, base_version, actor, clock,
               problems: list[dict] | None = None) -> ProcessDraft:
    now = clock.now()
    if problems is None:
        problems = validate(xml.encode("utf-8"), source_name)
    draft = ProcessDraft(process_id=process_id, name=name, source_name=source_name, bpmn_xml=xml,
                         base_version=base_version, problems=problems,
                         created_by_id=actor.user_id, updated_by_id=actor.user_id, updated_by_name=actor.name,
                         created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    return draft


def _draft_for_update(session: Session, draft_id: int, lock_version: int | None, *, lock: bool = False) -> ProcessDraft:
    draft = session.get(ProcessDraft, draft_id, options=[undefer(ProcessDraft.bpmn_xml)], with_for_update=lock)
    if draft is None:
        raise NotFound("草稿不存在（可能已部署或已放弃）。")
    if lock_version is not None and draft.lock_version != lock_version:
        raise ConcurrencyConflict(_conflict_message(draft.updated_by_name))
    return draft


def _touch(draft: ProcessDraft, actor: Actor, clock: Clock) -> None:
    draft.updated_at, draft.updated_by_id, draft.updated_by_name = clock.now(), actor.user_id, actor.name


def _conflict_message(who: str) -> str:
    return f"草稿刚被{who}保存过，您的修改未保存：请导出您的版本备份，刷新后再合并。"
