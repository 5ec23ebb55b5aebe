"""Who is acting: a user, or the system itself (the scheduler, a migration)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    agency_id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user_id=user.id, name=user.display_name, agency_id=user.agency_id,
                   roles=frozenset(role.id for role in user.roles))

    @classmethod
    def system(cls, name: str = "系统") -> "Actor":
        return cls(user_id=None, name=name, agency_id=None, roles=frozenset({"system"}))
