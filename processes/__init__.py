"""The process library: one BPMN file per process (DMN tables beside them).

Installed as the package `zhifa_processes` (setup.py maps the name to this folder), so a wheel carries the
library and `webapp.config.processes_dir()` finds it through the import system, editable install or not.
"""
