"""What the designer can choose for an element: task properties (duty, check, document), lane roles, deadlines.

One place for the lint rules, the designer's side panel and the API, so they never disagree.
"""
from __future__ import annotations

from engine.deadlines.catalog import catalog
from engine.documents.catalog import DOCUMENT_KINDS
from engine.roles import ROLE_TITLES
from engine.services.duties import DUTY_TITLES

# checks the engine runs when a task is completed (engine.checks.CHECKS)
CHECK_TITLES = {
    "investigators": "指派两名以上持有效执法证的调查人员",
    "hearing_notice": "听证通知须在举行听证七个工作日前送达",
    "certified_actor": "办理人须持有效执法证",
    "case_complete": "本案其他待办均已办结（归档即结案）",
}

# roles that work user tasks: a lane is named by one of these titles
TASK_ROLES = ("handler", "reviewer", "head", "admin")


def task_properties() -> dict[str, dict[str, str]]:
    return {
        "duty": dict(DUTY_TITLES),
        "check": dict(CHECK_TITLES),
        "document": {key: kind.title for key, kind in DOCUMENT_KINDS.items()},
    }


def designer_vocabulary() -> dict:
    """Everything the designer's side panel offers, as JSON."""
    return {
        "roles": [{"id": role, "title": ROLE_TITLES[role]} for role in TASK_ROLES],
        "properties": {name: [{"value": value, "title": title} for value, title in values.items()]
                       for name, values in task_properties().items()},
        "deadlines": [{"key": entry.key, "title": entry.title, "period": entry.period, "unit": entry.unit,
                       "warn_before": entry.warn_before} for entry in catalog().values()],
    }
