"""The case engine: BPMN process instances, human tasks, deadlines and the audit trail.

Nothing in this package imports Flask; the web app is one client of these services, the CLI and the
scheduler are others.
"""
