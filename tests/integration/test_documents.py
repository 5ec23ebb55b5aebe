"""Issued documents are numbered in sequence, stored with their SHA-256, recorded, and any later edit shows."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.services.documents import DocumentTampered, get_document, issue_document, list_documents
from engine.services.views import get_case_view, timeline
from engine.store.models import AuditRecord, Case, CaseDocument, DocumentNumberCounter

DECISION = {"facts": "当事人在人民路 88 号门前占道经营水果。", "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
            "penalty_kind": "fine", "fine_amount": 500, "decision_date": "2026-03-02"}


def issue(world, case_id, actor, kind="penalty_decision", data=None, officers=None, commit=True, **kwargs):
    with world.uow() as uow:
        case = uow.session.get(Case, case_id)
        document = issue_document(uow.session, case=case, kind=kind, data=DECISION if data is None else data,
                                  officers=officers if officers is not None else [actor.user_id], actor=actor,
                                  clock=world.clock, **kwargs)
        if commit:
            uow.commit()
        return document.id, document.number


def stored(world, document_id) -> CaseDocument:
    with world.uow() as uow:
        document = uow.session.get(CaseDocument, document_id)
        _ = document.html  # deferred: load it inside the session
        return document


def test_documents_of_one_kind_get_consecutive_numbers_per_word(world, staff):
    case_id = world.register(staff["handler1"])
    first = issue(world, case_id, staff["handler1"])
    second = issue(world, case_id, staff["handler1"])
    filing = issue(world, case_id, staff["handler1"], kind="filing_approval_form", data={})
    assert first[1] == "东城综执罚决字〔2026〕1号"
    assert second[1] == "东城综执罚决字〔2026〕2号"
    assert filing[1] == "东城综执立审字〔2026〕1号"  # each document word counts on its own

    other_agency = world.agency(code="xiwan", name="西湾街道综合行政执法队", prefix="西湾综执案")
    outsider = world.user("xiwan1", "handler", agency_id=other_agency)
    their_case = world.register(outsider)
    assert issue(world, their_case, outsider)[1] == "西湾综执罚决字〔2026〕1号"


def test_the_stored_html_hashes_to_the_stored_sha256_and_names_the_officers(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, number = issue(world, case_id, staff["handler1"],
                                officers=[staff["handler1"].user_id, staff["handler2"].user_id])
    document = stored(world, document_id)
    assert document.sha256 == hashlib.sha256(document.html.encode("utf-8")).hexdigest()
    assert (document.kind, document.title, document.case_id) == ("penalty_decision", "行政处罚决定书", case_id)
    assert document.created_by_id == staff["handler1"].user_id and document.created_by_name == "handler1"
    for expected in [number, "东城综执案〔2026〕1号", "周某某", "330102198503150010", "C-0001", "C-0002",
                     "东城镇综合行政执法队", "人民币伍佰元整（¥500.00）", "第三十六条"]:
        assert expected in document.html


def test_issuing_writes_an_audit_record_with_the_sha256(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, number = issue(world, case_id, staff["handler1"])
    document = stored(world, document_id)
    with world.uow() as uow:
        entry = uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "document_issued"))
        records = timeline(uow.session, case_id)
    assert entry.case_id == case_id and entry.actor_id == staff["handler1"].user_id
    assert entry.data["sha256"] == document.sha256 and entry.data["document_id"] == document_id
    assert entry.data["number"] == number
    assert f"制作《行政处罚决定书》{number}" in [r["summary"] for r in records]


def test_issuing_only_flushes_so_the_callers_rollback_leaves_nothing(world, staff):
    case_id = world.register(staff["handler1"])
    issue(world, case_id, staff["handler1"], commit=False)
    with world.uow() as uow:
        assert uow.session.scalars(select(CaseDocument)).all() == []
        assert uow.session.scalars(select(DocumentNumberCounter)).all() == []
        assert uow.session.scalar(select(AuditRecord).where(AuditRecord.action == "document_issued")) is None
    assert issue(world, case_id, staff["handler1"])[1] == "东城综执罚决字〔2026〕1号"  # the number was not used up


def test_documents_are_listed_without_html_and_shown_on_the_case(world, staff):
    case_id = world.register(staff["handler1"])
    first, _ = issue(world, case_id, staff["handler1"], kind="inspection_record", data={})
    second, _ = issue(world, case_id, staff["handler1"])
    with world.uow() as uow:
        listed = list_documents(uow.session, case_id)
        case = get_case_view(uow.session, case_id, staff["handler2"])
    assert [d["id"] for d in listed] == [first, second]
    assert set(listed[0]) == {"id", "kind", "title", "number", "sha256", "created_at", "created_by"}
    assert listed[0]["title"] == "现场检查（勘验）笔录" and listed[0]["created_by"] == "handler1"
    assert case["documents"] == listed


def test_get_document_returns_the_document_the_actor_may_see(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, number = issue(world, case_id, staff["handler1"])
    with world.uow() as uow:
        document = get_document(uow.session, case_id, document_id, staff["head1"])
        assert document.number == number and number in document.html


def test_a_document_edited_in_the_database_is_reported_as_tampered(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, number = issue(world, case_id, staff["handler1"])
    with world.uow() as uow:
        uow.session.execute(update(CaseDocument).where(CaseDocument.id == document_id).values(
            html=CaseDocument.html + "<!-- 罚款改为 50 元 -->"))
        uow.commit()
    with world.uow() as uow:
        with pytest.raises(DocumentTampered) as raised:
            get_document(uow.session, case_id, document_id, staff["handler1"])
    assert number in raised.value.message and "篡改" in raised.value.message


def test_rewriting_the_stored_hash_too_is_still_caught_by_the_audit_record(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, _ = issue(world, case_id, staff["handler1"])
    forged = stored(world, document_id).html.replace("伍佰元整", "伍拾元整")
    with world.uow() as uow:
        uow.session.execute(update(CaseDocument).where(CaseDocument.id == document_id).values(
            html=forged, sha256=hashlib.sha256(forged.encode("utf-8")).hexdigest()))
        uow.commit()
    with world.uow() as uow, pytest.raises(DocumentTampered):
        get_document(uow.session, case_id, document_id, staff["handler1"])


def test_another_agency_may_not_read_the_document(world, staff):
    case_id = world.register(staff["handler1"])
    document_id, _ = issue(world, case_id, staff["handler1"])
    outsider = world.user("xiwan1", "handler", agency_id=world.agency(code="xiwan", name="西湾", prefix="西湾案"))
    with world.uow() as uow, pytest.raises(NotAuthorized):
        get_document(uow.session, case_id, document_id, outsider)


def test_a_document_is_only_found_under_its_own_case(world, staff):
    case_id = world.register(staff["handler1"])
    other_case = world.register(staff["handler1"])
    document_id, _ = issue(world, case_id, staff["handler1"])
    with world.uow() as uow:
        with pytest.raises(NotFound):
            get_document(uow.session, other_case, document_id, staff["handler1"])
        with pytest.raises(NotFound):
            get_document(uow.session, case_id, document_id + 100, staff["handler1"])


def test_officers_are_printed_with_the_certificate_valid_on_the_day(world, staff):
    case_id = world.register(staff["handler1"])
    uncertified = staff["reviewer1"]
    document_id, _ = issue(world, case_id, staff["handler1"], officers=[
        staff["handler2"].user_id, uncertified.user_id, {"name": "外借执法员", "certificate_number": "ZF-9"}])
    html = stored(world, document_id).html
    assert "C-0002" in html and "reviewer1" in html and "外借执法员" in html and "ZF-9" in html
    assert "None" not in html


def test_unknown_kinds_and_officers_are_refused(world, staff):
    case_id = world.register(staff["handler1"])
    with pytest.raises(ValidationFailed) as raised:
        issue(world, case_id, staff["handler1"], kind="penalty_decisoin")
    assert "kind" in raised.value.fields
    with pytest.raises(ValidationFailed):
        issue(world, case_id, staff["handler1"], officers=[999999])
