"""The statuses of cases, process instances, human tasks and clocks, as the columns store them.

Each is a `StrEnum`: a member is the very string the database, the JSON and the templates hold ("running"), so
rows read back compare equal to the members and nothing stored changes.
"""
from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # archived (结案归档)
    CANCELLED = "cancelled"  # every process of the case was cancelled


class InstanceStatus(StrEnum):
    RUNNING = "running"  # being stepped
    WAITING = "waiting"  # on a person, a timer or a message
    SUSPENDED = "suspended"
    ERROR = "error"  # a step failed; an admin retries or moves it
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # its process moved on without it, or the case was archived


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # tolled
    MET = "met"
    OVERDUE = "overdue"  # the agency's clock ran out
    LAPSED = "lapsed"  # the party's window ran out: a fact about the party, never overdue
    CANCELLED = "cancelled"


ACTIVE_INSTANCE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
ENDED_INSTANCE_STATUSES = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
