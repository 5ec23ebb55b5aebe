"""What an installed wheel relies on: the process library found as a package, catalogs compiled only if needed."""
from __future__ import annotations

import logging
import os
import shutil

from tests.conftest import PROCESSES
from webapp import config, i18n


def test_the_process_library_is_found_and_the_environment_overrides_it(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHIFA_PROCESSES_DIR", raising=False)
    library = config.processes_dir()
    assert library.resolve() == PROCESSES.resolve()  # in a checkout: processes/ itself, editable install or not
    assert (library / "lead_intake.bpmn").is_file()
    monkeypatch.setenv("ZHIFA_PROCESSES_DIR", str(tmp_path))
    assert config.processes_dir() == tmp_path


def translations_copy(tmp_path):
    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "translations", ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path / "translations" / "en" / "LC_MESSAGES"


def test_catalogs_are_compiled_when_missing_and_left_alone_when_current(tmp_path):
    folder = translations_copy(tmp_path)
    i18n.compile_catalogs(tmp_path / "translations")
    compiled = (folder / "messages.mo").stat().st_mtime_ns
    os.utime(folder / "messages.po", ns=(compiled - 10**9, compiled - 10**9))
    i18n.compile_catalogs(tmp_path / "translations")
    assert (folder / "messages.mo").stat().st_mtime_ns == compiled
    assert [path.name for path in folder.iterdir() if path.name.startswith(".")] == []  # no temporary file left


def test_a_catalog_that_cannot_be_written_is_a_warning_not_a_failed_start(tmp_path, monkeypatch, caplog):
    folder = translations_copy(tmp_path)

    def read_only(mo_path, catalog):
        raise PermissionError(13, "Read-only file system", str(mo_path))

    monkeypatch.setattr(i18n, "_write_atomically", read_only)
    with caplog.at_level(logging.WARNING, logger="webapp.i18n"):
        i18n.compile_catalogs(tmp_path / "translations")
    assert not (folder / "messages.mo").exists()
    assert "cannot compile" in caplog.text and "Read-only file system" in caplog.text
