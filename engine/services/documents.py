"""Issuing enforcement documents (执法文书): render, number, store with SHA-256, and record it — in the caller's
transaction — and reading them back with a check that the stored HTML is still what was issued."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session
from sqlalchemy.dialects import postgresql, sqlite

from engine import audit
from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.documents import DOCUMENT_KINDS, DocumentContext, missing_facts_for, render_document
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.store.models import Agency, AuditRecord, Case, CaseDocument, DocumentNumberCounter, HumanTask, User

from .agency_settings import document_settings
from .cases import get_case_for

ISSUED = "document_issued"


class DocumentFactsMissing(ValidationFailed):
    """A fact the law requires in the document is not in the record; nothing was issued."""
    code = "document_facts_missing"


class DocumentTampered(InvalidState):
    """The stored document no longer matches the SHA-256 recorded when it was issued."""
    code = "document_tampered"


def issue_document(session: Session, *, case: Case | int, kind: str, data: dict | None, officers: Iterable, actor: Actor,
                   clock: Clock, instance_id: int | None = None, task_id: str | None = None) -> CaseDocument:
    """Render the document `kind` for `case`, give it the next number, store it with the SHA-256 of the exact
    HTML stored, and append a `document_issued` audit record. Only flushes: the caller commits.

    `officers` lists who acted, each a dict {"name", "certificate_number"}, a user id, or a User; users are
    printed with the enforcement certificate valid on the day of issue (a blank line when they hold none).
    """
    document_kind = DOCUMENT_KINDS.get(kind)
    if document_kind is None:
        raise ValidationFailed(f"未知的文书种类「{kind}」。", fields={"kind": [f"应为以下之一：{'、'.join(DOCUMENT_KINDS)}。"]})
    found = session.get(Case, case) if isinstance(case, int) else case
    if found is None:
        raise NotFound("案件不存在。")
    case = found
    now = clock.now()
    issued_on = now.astimezone(CHINA_TZ).date()
    agency = session.get_one(Agency, case.agency_id)
    data = dict(data or {})
    context = DocumentContext(
        agency_name=agency.name, document_number="", case_number=case.number,
        party={"name": case.party_name, "kind": case.party_kind, "id_number": case.party_id_number,
               "address": data.get("party_address") or case.party_address},
        case_summary=case.summary, location=case.location,
        officers=resolve_officers(session, officers, issued_on), data=data, issued_on=issued_on,
        issued_by=actor.name, agency=document_settings(agency))
    refuse_if_facts_missing(kind, context)
    context.document_number = number = next_document_number(
        session, agency=agency, kind_word=document_kind.number_word, year=issued_on.year)
    html = render_document(kind, context)
    digest = sha256_of(html)
    document = CaseDocument(case_id=case.id, instance_id=instance_id, task_id=task_id, kind=kind,
                            title=document_kind.title, number=number, html=html, sha256=digest, created_at=now,
                            created_by_id=actor.user_id, created_by_name=actor.name)
    session.add(document)
    session.flush()
    task_title = None
    if task_id is not None:
        task_title = session.scalar(select(HumanTask.title).where(HumanTask.id == task_id))
    audit.record(session, clock=clock, actor=actor, action=ISSUED, case_id=case.id, instance_id=instance_id,
                 task_id=task_id, task_title=task_title, summary=f"制作《{document_kind.title}》{number}",
                 data={"document_id": document.id, "kind": kind, "title": document_kind.title, "number": number,
                       "sha256": digest})
    return document


def refuse_if_facts_missing(kind: str, context: DocumentContext) -> None:
    """A document the law requires to state a fact the record lacks is not issued: the step issuing it fails,
    naming each missing fact (engine.documents.requirements says which facts each kind needs)."""
    missing = missing_facts_for(kind, context)
    if missing:
        title = DOCUMENT_KINDS[kind].title
        raise DocumentFactsMissing(missing[0].message(f"《{title}》"),
                                   fields={fact.key: [fact.message(f"《{title}》")] for fact in missing})


def list_documents(session: Session, case_id: int) -> list[dict]:
    """The case's documents, oldest first, without their HTML."""
    rows = session.execute(
        select(CaseDocument.id, CaseDocument.kind, CaseDocument.title, CaseDocument.number, CaseDocument.sha256,
               CaseDocument.created_at, CaseDocument.created_by_name)
        .where(CaseDocument.case_id == case_id).order_by(CaseDocument.id)).all()
    return [{"id": row.id, "kind": row.kind, "title": row.title, "number": row.number, "sha256": row.sha256,
             "created_at": row.created_at.isoformat(), "created_by": row.created_by_name} for row in rows]


def get_document(session: Session, case_id: int, document_id: int, actor: Actor) -> CaseDocument:
    """One document of a case the actor may see, with its HTML, after checking that the HTML still hashes to
    the SHA-256 stored with it and recorded in the audit trail. Raises DocumentTampered if it does not."""
    get_case_for(session, case_id, actor)
    document = session.scalar(select(CaseDocument).where(CaseDocument.id == document_id,
                                                         CaseDocument.case_id == case_id))
    if document is None:
        raise NotFound("文书不存在。")
    verify_document(session, document)
    return document


def verify_document(session: Session, document: CaseDocument) -> None:
    actual = sha256_of(document.html)
    recorded = _recorded_sha256(session, document)
    if actual != document.sha256 or recorded != document.sha256:
        raise DocumentTampered(
            f"文书 {document.number} 的内容与签发时记录的 SHA-256 校验值不一致，可能已被篡改，不能作为正式文书使用。"
            "请立即报告系统管理员核查。")


def _recorded_sha256(session: Session, document: CaseDocument) -> str | None:
    """The digest written to the append-only audit record when the document was issued."""
    records = session.scalars(select(AuditRecord.data).where(
        AuditRecord.case_id == document.case_id, AuditRecord.action == ISSUED).order_by(AuditRecord.id))
    for data in records:
        if isinstance(data, dict) and data.get("document_id") == document.id:
            return data.get("sha256")
    return None


def sha256_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def document_number_prefix(agency: Agency) -> str:
    """东城综执案 → 东城综执: the agency's case prefix without its trailing 案, to which the kind word is added."""
    prefix = agency.case_prefix.strip()
    return prefix[:-1] if prefix.endswith("案") and len(prefix) > 1 else prefix


def next_document_number(session: Session, *, agency: Agency, kind_word: str, year: int) -> str:
    """东城综执罚决字〔2026〕12号: a per-agency, per-word, per-year counter, safe across workers."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, DocumentNumberCounter.__table__)
    statement = insert(table).values(agency_id=agency.id, kind_word=kind_word, year=year, last_value=1)
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.agency_id, table.c.kind_word, table.c.year],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)
    value = session.execute(upsert).scalar_one()
    return f"{document_number_prefix(agency)}{kind_word}〔{year}〕{value}号"


def resolve_officers(session: Session, officers: Iterable | None, on: date) -> list[dict]:
    resolved = []
    for officer in officers or ():
        if isinstance(officer, dict):
            resolved.append({"name": officer.get("name"), "certificate_number": officer.get("certificate_number")})
            continue
        user_id = getattr(officer, "user_id", officer)
        user = officer if isinstance(officer, User) else (session.get(User, user_id) if user_id else None)
        if user is None:
            raise ValidationFailed("执法人员不存在。", fields={"officers": [f"用户 {officer} 不存在。"]})
        certificate = user.valid_certificate(on)
        resolved.append({"name": user.display_name,
                         "certificate_number": certificate.number if certificate else None})
    return resolved
