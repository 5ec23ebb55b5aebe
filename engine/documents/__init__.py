"""Printable enforcement documents (执法文书): a catalog of kinds and their Jinja2 templates, rendered to A4 HTML.

Pure rendering, no database: `engine.services.documents` numbers, stores and audits what is rendered here.
"""
from __future__ import annotations

from .catalog import DOCUMENT_KINDS, DocumentKind, get_kind, issued_for
from .render import DocumentContext, missing_facts_for, render_document
from .requirements import FACTS, REQUIRED_FACTS, Fact

__all__ = ["DOCUMENT_KINDS", "FACTS", "REQUIRED_FACTS", "DocumentContext", "DocumentKind", "Fact", "get_kind",
           "issued_for", "missing_facts_for", "render_document"]
