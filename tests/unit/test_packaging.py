"""What an installed wheel relies on: the process library found as a package."""
from __future__ import annotations

from tests.conftest import PROCESSES
from webapp import config


def test_the_process_library_is_found_and_the_environment_overrides_it(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHIFA_PROCESSES_DIR", raising=False)
    library = config.processes_dir()
    assert library.resolve() == PROCESSES.resolve()  # in a checkout: processes/ itself, editable install or not
    assert (library / "lead_intake.bpmn").is_file()
    monkeypatch.setenv("ZHIFA_PROCESSES_DIR", str(tmp_path))
    assert config.processes_dir() == tmp_path
