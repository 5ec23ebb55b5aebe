"""The screen-only bar above a printable document: a print button and the way back to the case file.

The document's HTML is stored as issued (its SHA-256 is on record), so the bar is added when the page is served
and hidden when printed; the stored text never changes."""
from __future__ import annotations

import re

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
_STYLE = ("<style>.zhifa-toolbar{font:14px/1.4 system-ui,sans-serif;display:flex;gap:12px;align-items:center;"
          "justify-content:space-between;max-width:170mm;margin:0 auto;padding:10px 0;border-bottom:1px solid #ccc}"
          ".zhifa-toolbar a{color:#1d4ed8}.zhifa-toolbar button{font:inherit;padding:6px 16px}"
          "@media print{.zhifa-toolbar{display:none}}</style>")


def with_screen_toolbar(html: str, *, case_id: int) -> str:
    bar = Markup(
        '{style}<nav class="zhifa-toolbar" aria-label="{label}"><a href="{back}">← {back_text}</a>'
        '<button type="button" id="zhifa-print">{print_text}</button></nav>'
        '<script src="{script}"></script>').format(
        style=Markup(_STYLE), label=_("文书操作"), back=url_for("pages.show_case", case_id=case_id),
        back_text=_("返回案卷"), print_text=_("打印"),
        script=url_for("static", filename="print_document.js"))
    match = _BODY.search(html)
    if match is None:
        return str(bar) + html
    return html[:match.end()] + str(bar) + html[match.end():]

