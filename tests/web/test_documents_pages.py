"""Staff open issued documents from the case page in a new tab; the API lists them; tampering and other
agencies' documents are refused."""
from __future__ import annotations

import re

from sqlalchemy import update

from engine.services.documents import issue_document
from engine.store.models import Case, CaseDocument

from .conftest import login


def issue(world, case_id, actor, kind="penalty_decision", data=None):
    with world.uow() as uow:
        document = issue_document(uow.session, case=uow.session.get(Case, case_id), kind=kind,
                                  data=data or {"facts": "占道经营水果", "penalty_kind": "fine", "fine_amount": 200},
                                  officers=[actor.user_id], actor=actor, clock=world.clock)
        uow.commit()
        return document.id


def stored_html(world, document_id) -> str:
    with world.uow() as uow:
        return uow.session.get(CaseDocument, document_id).html


def test_the_case_page_links_each_document_and_the_link_shows_it_exactly_as_issued(client, world, staff):
    case_id = world.register(staff["handler1"], party_name="<b>周某某</b>")
    document_id = issue(world, case_id, staff["handler1"])
    login(client, "handler1")

    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "执法文书" in page and "东城综执罚决字〔2026〕1号" in page
    link = re.search(rf'<a href="(/cases/{case_id}/documents/{document_id})"([^>]*)>行政处罚决定书</a>', page)
    assert link and 'target="_blank"' in link.group(2) and 'rel="noopener"' in link.group(2)

    response = client.get(link.group(1))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    # on the screen a bar to print and to go back to the case file, hidden in print; the rest exactly as issued
    toolbar = re.search(r"<style>\.zhifa-toolbar.*?</script>", html, re.S)
    assert toolbar and f'href="/cases/{case_id}"' in toolbar.group(0) and 'id="zhifa-print"' in toolbar.group(0)
    assert "@media print{.zhifa-toolbar{display:none}}" in toolbar.group(0) and "打印" in toolbar.group(0)
    assert html.replace(toolbar.group(0), "") == stored_html(world, document_id)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/static/print_document.js").status_code == 200
    assert "行政处罚决定书" in html and "罚款金额：人民币贰佰元整" in html and "六十日内" in html
    assert "&lt;b&gt;周某某&lt;/b&gt;" in html and "<b>周某某</b>" not in html


def test_a_document_of_another_case_or_an_unknown_one_is_404(client, world, staff):
    case_id = world.register(staff["handler1"])
    other_case = world.register(staff["handler1"])
    document_id = issue(world, case_id, staff["handler1"])
    login(client, "handler1")
    assert client.get(f"/cases/{other_case}/documents/{document_id}").status_code == 404
    assert client.get(f"/cases/{case_id}/documents/{document_id + 50}").status_code == 404


def test_documents_need_a_login_and_stay_within_the_agency(client, world, staff, token_for):
    case_id = world.register(staff["handler1"])
    document_id = issue(world, case_id, staff["handler1"])
    page = client.get(f"/cases/{case_id}/documents/{document_id}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get(f"/api/v1/cases/{case_id}/documents").status_code == 401

    world.user("xiwan_handler", "handler", agency_id=world.agency(code="xiwan", name="西湾", prefix="西湾案"))
    assert client.get(f"/api/v1/cases/{case_id}/documents", headers=token_for("xiwan_handler")).status_code == 403
    login(client, "xiwan_handler")
    refused = client.get(f"/cases/{case_id}/documents/{document_id}")
    assert refused.status_code == 403 and "行政处罚决定书" not in refused.get_data(as_text=True)


def test_a_tampered_document_is_refused_with_a_clear_message(client, world, staff):
    case_id = world.register(staff["handler1"])
    document_id = issue(world, case_id, staff["handler1"])
    with world.uow() as uow:
        uow.session.execute(update(CaseDocument).where(CaseDocument.id == document_id).values(
            html=CaseDocument.html + " "))
        uow.commit()
    login(client, "handler1")
    response = client.get(f"/cases/{case_id}/documents/{document_id}")
    assert response.status_code == 409
    assert "可能已被篡改" in response.get_data(as_text=True)


def test_the_api_lists_a_cases_documents(client, world, staff, token_for):
    case_id = world.register(staff["handler1"])
    first = issue(world, case_id, staff["handler1"], kind="filing_approval_form", data={"filed_on": "2026-03-02"})
    second = issue(world, case_id, staff["handler1"])
    response = client.get(f"/api/v1/cases/{case_id}/documents", headers=token_for("head1"))
    assert response.status_code == 200
    documents = response.json["documents"]
    assert [(d["id"], d["kind"], d["title"], d["number"]) for d in documents] == [
        (first, "filing_approval_form", "立案审批表", "东城综执立审字〔2026〕1号"),
        (second, "penalty_decision", "行政处罚决定书", "东城综执罚决字〔2026〕1号")]
    assert set(documents[0]) == {"id", "kind", "title", "number", "sha256", "created_at", "created_by"}
    assert documents[0]["created_by"] == "handler1" and len(documents[0]["sha256"]) == 64
    assert documents[0]["created_at"].startswith("2026-03-02T01:00:00")
    assert client.get("/api/v1/cases/999999/documents", headers=token_for("head1")).status_code == 404
