"""The UI language: Chinese by default, English for those who choose it (Flask-Babel catalogs).

Template strings are Chinese msgids wrapped in `_()`; `webapp/translations/en` holds their English. The
catalogs are compiled on start-up when the .po is newer than the .mo, so a fresh checkout needs no extra step.
A wheel carries the compiled .mo and no .po (setup.py compiles them), so an installed product, perhaps on a
read-only file system, compiles nothing.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, make_response, redirect, request, url_for


TRANSLATIONS = Path(__file__).with_name("translations")
LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}


def N_(text: str) -> str:
    """Marks a string for the catalog where it is only looked up later (role, stage and status titles)."""
    return text


# titles that come from data and are translated in templates with _(...); a test keeps this list complete
DYNAMIC_TERMS = (
    N_("承办人"),
    N_("法制审核"),
    N_("负责人"),
    N_("系统管理员"),
    N_("流程设计"),
    N_("执法监督"),
    N_("线索初查"),
    N_("简易程序"),
    N_("已立案"),
    N_("立案调查"),
    N_("不予立案"),
    N_("已移送"),
    N_("涉嫌犯罪移送"),
    N_("已移送公安"),
    N_("已作出决定"),
    N_("行政复议"),
    N_("行政诉讼"),
    N_("决定已撤销"),
    N_("强制执行"),
    N_("已执行"),
    N_("部分缴纳"),
    N_("已缴纳罚款"),
    N_("已归档"),
    N_("运行中"),
    N_("办理中"),
    N_("已中止"),
    N_("出错"),
    N_("已结束"),
    N_("已撤销"),
    N_("已结案"),
    # the party's acts staff register on the case page (engine.message_rules)
    N_("登记行政复议申请"),
    N_("登记行政诉讼"),
    N_("登记延期（分期）缴纳申请"),
)


def compile_catalogs(root: Path = TRANSLATIONS) -> None:
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        try:
            _write_atomically(mo_path, catalog)
        except OSError as exc:  # a read-only install: serve the .mo there is (or the Chinese msgids) rather than fail
            logging.getLogger(__name__).warning("cannot compile %s (%s); %s", po_path, exc,
                                                "using the older .mo" if mo_path.exists() else "no English UI")


def _write_atomically(mo_path: Path, catalog) -> None:
    """Several app processes may start at once: each writes its own file and renames it over the .mo."""
    fd, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def init_app(app: Flask) -> None:
    compile_catalogs()

    @app.get("/language/<code>")
    def choose_language(code: str):
        target = request.args.get("next") or url_for("pages.home")
        parsed = urlparse(target)
        if parsed.scheme or parsed.netloc or not target.startswith("/"):
            target = url_for("pages.home")
        response = make_response(redirect(target))
        if code in LANGUAGES:
            response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES}
