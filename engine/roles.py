"""Role identifiers, their Chinese titles, and how a BPMN lane names the role that works its tasks."""
from __future__ import annotations

ROLE_TITLES: dict[str, str] = {
    "handler": "承办人",
    "reviewer": "法制审核",
    "head": "负责人",
    "admin": "系统管理员",
    "designer": "流程设计",
    "supervisor": "执法监督",
}

_BY_TITLE = {title: role for role, title in ROLE_TITLES.items()}
_BY_TITLE.update({"法制审核人员": "reviewer", "法制审核员": "reviewer", "执法负责人": "head", "机关负责人": "head"})


def role_for_lane(lane: str | None) -> str | None:
    """A lane is named by its role id (`handler`) or its Chinese title (`承办人`); None when unknown."""
    if not lane:
        return None
    lane = lane.strip()
    if lane in ROLE_TITLES:
        return lane
    return _BY_TITLE.get(lane)
