"""Render an enforcement document to printable A4 HTML from its Jinja2 template.

Autoescaping is on (a party called `<b>某某</b>` prints as typed, never as markup), and anything missing prints
as a blank line to fill in by hand, never as "None".
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, Undefined

from .catalog import (
    ADOPTION, DOCUMENT_KINDS, PARTY_KINDS, PENALTY_KINDS, REVIEW_CONCLUSIONS, SERVICE_METHODS, DocumentKind, get_kind,
)
from .formatting import FILTERS, GLOBALS, text
from .requirements import Fact, missing_facts

TEMPLATES_DIR = Path(__file__).with_name("templates")
MIN_OFFICERS = 2  # 执法人员不得少于两人 (行政处罚法第四十二条): always two signature lines

_environment: Environment | None = None
_lock = threading.Lock()


@dataclass
class DocumentContext:
    """What a document says about its case. `data` is the process data; every key in it is optional."""

    agency_name: str
    document_number: str
    case_number: str
    party: dict
    case_summary: str
    location: str | None
    officers: list[dict]
    data: dict
    issued_on: date
    issued_by: str
    agency: dict = field(default_factory=dict)  # the agency's document settings (复议机关, 收款账户, 印章文字…)


def _finalize(value):
    if value is None or isinstance(value, Undefined):
        return ""
    return value


def environment() -> Environment:
    """The shared Jinja2 environment (templates are compiled once per process)."""
    global _environment
    if _environment is None:
        with _lock:
            if _environment is None:
                env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                                  undefined=ChainableUndefined, finalize=_finalize, trim_blocks=True,
                                  lstrip_blocks=True, auto_reload=False)
                env.filters.update(FILTERS)
                env.globals.update(GLOBALS)
                env.globals.update(ADOPTION=ADOPTION, PARTY_KINDS=PARTY_KINDS, PENALTY_KINDS=PENALTY_KINDS,
                                   REVIEW_CONCLUSIONS=REVIEW_CONCLUSIONS, SERVICE_METHODS=SERVICE_METHODS)
                _environment = env
    return _environment


def render_document(kind: str, context: DocumentContext) -> str:
    """The document `kind` (a key of DOCUMENT_KINDS) for this context, as a complete HTML page."""
    document_kind = get_kind(kind)
    template = environment().get_template(document_kind.template)
    return template.render(**template_variables(document_kind, context))


def missing_facts_for(kind: str, context: DocumentContext) -> list[Fact]:
    """What the law requires document `kind` to state and this context lacks (see requirements.py)."""
    return missing_facts(kind, template_variables(get_kind(kind), context))


def template_variables(kind: DocumentKind, context: DocumentContext) -> dict:
    data = dict(context.data or {})
    party = {key: text(value) for key, value in (context.party or {}).items()}
    party_kind = party.get("kind", "")
    officers = [{"name": text(o.get("name")), "certificate_number": text(o.get("certificate_number"))}
                for o in (context.officers or []) if isinstance(o, dict)]
    penalty_code = text(data.get("penalty_kind"))  # what was decided; proposals are printed by their own keys
    fine = data.get("fine_amount")
    return {
        "kind": kind,
        "title": kind.title,
        "agency_name": text(context.agency_name),
        "agency": {key: text(value) for key, value in (context.agency or {}).items()},
        "document_number": text(context.document_number),
        "case_number": text(context.case_number),
        "party": party,
        "party_kind_title": PARTY_KINDS.get(party_kind, party_kind),
        "is_organisation": party_kind == "organisation",
        "case_summary": text(context.case_summary),
        "location": text(context.location),
        "place": text(data.get("place")) or text(context.location),
        "officers": officers,
        "signature_officers": officers + [{"name": "", "certificate_number": ""}] * (MIN_OFFICERS - len(officers)),
        "data": data,
        "facts": text(data.get("facts")) or text(data.get("findings")) or text(context.case_summary),
        "legal_basis": text(data.get("legal_basis")),
        "penalty_code": penalty_code,
        "fine": fine if text(fine) else None,
        "issued_on": context.issued_on,
        "issued_by": text(context.issued_by),
    }


__all__ = ["DOCUMENT_KINDS", "DocumentContext", "environment", "missing_facts_for", "render_document"]
