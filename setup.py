"""What pyproject.toml cannot say: which packages.

`processes/` stays at the top of the repository and is installed as the package `zhifa_processes`, so a wheel
carries the process library (`webapp.config.processes_dir()` finds it by that name, editable install or not).
"""
from __future__ import annotations

from setuptools import find_namespace_packages, setup

PROCESS_LIBRARY = "zhifa_processes"


setup(
    packages=[*find_namespace_packages(include=["engine*", "webapp*", "forms*"]), PROCESS_LIBRARY],
    package_dir={PROCESS_LIBRARY: "processes"},
)
