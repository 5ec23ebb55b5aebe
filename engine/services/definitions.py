"""Process definitions: every BPMN file is parsed once per content version and stored as a numbered version."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.exc import IntegrityError

import forms
from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotFound
from engine.runner import WorkflowRunner
from engine.specs import ParsedDefinition, load_directory, parse_bpmn
from engine.store.database import UnitOfWork
from engine.store.models import ProcessDefinition

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    deployed: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)


def sync_directory(*, directory: Path, uow: UnitOfWork, runner: WorkflowRunner, clock: Clock,
                   actor: Actor | None = None) -> SyncReport:
    """Deploy every changed `*.bpmn` in the directory; a bad file is reported and the rest still load."""
    parsed, problems = load_directory(directory, form_exists=forms.exists)
    report = SyncReport(problems=problems)
    for problem in problems:
        log.error("BPMN %s: %s (element %s)", problem["file"], problem["message"], problem["element_id"])
    for definition in parsed:
        row, created = deploy(definition=definition, uow=uow, runner=runner, clock=clock,
                              actor=actor or Actor.system("流程加载"))
        (report.deployed if created else report.unchanged).append((row.process_id, row.version))
    return report


def deploy_bpmn(*, source_name: str, xml: bytes, comment: str | None, uow: UnitOfWork, runner: WorkflowRunner,
                clock: Clock, actor: Actor) -> tuple[ProcessDefinition, bool]:
    definition = parse_bpmn(source_name, xml, form_exists=forms.exists)
    return deploy(definition=definition, uow=uow, runner=runner, clock=clock, actor=actor, comment=comment)


def deploy(*, definition: ParsedDefinition, uow: UnitOfWork, runner: WorkflowRunner, clock: Clock, actor: Actor,
           comment: str | None = None) -> tuple[ProcessDefinition, bool]:
    """Store a new version unless this exact content is already deployed. Safe when workers race at start-up."""
    for _attempt in range(3):
        try:
            with uow:
                row, created = store_version(uow.session, definition=definition, runner=runner, clock=clock,
                                             actor=actor, comment=comment)
                if created:
                    uow.commit()
                return row, created
        except IntegrityError:
            continue  # another worker deployed the same file a moment ago; look again
    raise RuntimeError(f"could not deploy {definition.process_id}")


def store_version(session: Session, *, definition: ParsedDefinition, runner: WorkflowRunner, clock: Clock, actor: Actor,
                  comment: str | None = None) -> tuple[ProcessDefinition, bool]:
    """The version holding this content: the one already deployed, else a new one numbered after the newest,
    added with its audit record to the caller's transaction (IntegrityError when another transaction took the
    number first)."""
    existing = session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.process_id == definition.process_id,
        ProcessDefinition.content_hash == definition.content_hash))
    if existing is not None:
        return existing, False
    latest = session.scalar(select(func.max(ProcessDefinition.version)).where(
        ProcessDefinition.process_id == definition.process_id)) or 0
    row = ProcessDefinition(
        process_id=definition.process_id, version=latest + 1, name=definition.name,
        content_hash=definition.content_hash, source_name=definition.source_name, bpmn_xml=definition.bpmn_xml,
        spec_json=runner.serializer.dump_spec(definition.spec, definition.subprocess_specs),
        comment=comment, deployed_by_id=actor.user_id, created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, clock=clock, actor=actor, action="definition_deployed",
                 summary=f"部署流程「{row.name}」第 {row.version} 版",
                 data={"process_id": row.process_id, "version": row.version, "content_hash": row.content_hash,
                       "comment": comment})
    return row, True


def latest_definition(session: Session, process_id: str) -> ProcessDefinition:
    row = session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                         .order_by(ProcessDefinition.version.desc()).limit(1))
    if row is None:
        raise NotFound(f"流程 {process_id} 尚未部署。")
    return row
