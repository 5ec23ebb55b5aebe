"""People (人员管理) for the system admin: agencies, users, roles, passwords, enforcement certificates.

Every change is written to the audit trail. An admin cannot take away their own admin role or deactivate
themselves (so the system always keeps someone who can administer it). Deactivating someone puts the tasks they
had claimed back in their role's queue, so nothing waits on a person who left. Deactivation, a password reset and a
change of roles or agency end every session and API token of that user: they sign in again with what they now are.
"""
from __future__ import annotations

import secrets
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.clock import CHINA_TZ, Clock
from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.roles import ROLE_TITLES
from engine.store.database import UnitOfWork
from engine.store.models import Agency, Certificate, HumanTask, Role, User
from engine.store.statuses import TaskStatus

from .sessions import end_everywhere
from .users import MIN_PASSWORD_LENGTH, hash_password

AGENCY_LEVELS = {"township": "乡镇（街道）", "county": "县级部门"}


def _admin(actor: Actor) -> None:
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以管理人员和机关。")


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在。")
    return user


def list_people(session: Session, *, agency_id: int | None = None, role: str | None = None, q: str | None = None,
                include_inactive: bool = True) -> list[User]:
    query = select(User).order_by(User.agency_id, User.is_active.desc(), User.username)
    if agency_id:
        query = query.where(User.agency_id == agency_id)
    if role:
        query = query.where(User.roles.any(Role.id == role))
    if q:
        query = query.where(User.username.icontains(q, autoescape=True) | User.display_name.icontains(q, autoescape=True))
    if not include_inactive:
        query = query.where(User.is_active.is_(True))
    return list(session.scalars(query))


def save_agency(*, code: str, name: str, case_prefix: str, level: str, actor: Actor, uow: UnitOfWork, clock: Clock,
                agency_id: int | None = None, parent_code: str | None = None) -> int:
    """Create an agency, or (with `agency_id`) rename it; its code never changes (case numbers carry it).
    `parent_code` names the agency above a new one (a county department above a township team)."""
    _admin(actor)
    errors = {}
    if agency_id is None and (not code or not code.isascii() or not code.replace("_", "").isalnum()):
        errors["code"] = ["代码只能包含字母、数字和下划线。"]
    for field, value in (("name", name), ("case_prefix", case_prefix)):
        if not value or not value.strip():
            errors[field] = ["此项为必填项。"]
    if level not in AGENCY_LEVELS:
        errors["level"] = ["请选择机关层级。"]
    if errors:
        raise ValidationFailed("机关信息有误。", fields=errors)
    with uow:
        session = uow.session
        if agency_id is None:
            if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
                raise ValidationFailed("机关代码已存在。", fields={"code": ["机关代码已存在。"]})
            parent_id = None
            if parent_code is not None:
                parent_id = session.scalar(select(Agency.id).where(Agency.code == parent_code))
                if parent_id is None:
                    message = f"没有找到代码为 {parent_code} 的上级机关。"
                    raise ValidationFailed(message, fields={"parent": [message]})
            agency = Agency(code=code, name=name.strip(), case_prefix=case_prefix.strip(), level=level,
                            parent_id=parent_id)
            session.add(agency)
            session.flush()
            action, summary = "agency_created", f"新增机关 {agency.name}（{code}）"
        else:
            found = session.get(Agency, agency_id)
            if found is None:
                raise NotFound("机关不存在。")
            agency = found
            agency.name, agency.case_prefix, agency.level = name.strip(), case_prefix.strip(), level
            action, summary = "agency_updated", f"修改机关 {agency.name}（{agency.code}）"
        audit.record(session, clock=clock, actor=actor, action=action, summary=summary,
                     data={"agency_id": agency.id, "name": agency.name, "case_prefix": agency.case_prefix,
                           "level": level, "parent_id": agency.parent_id})
        uow.commit()
        return agency.id


def update_user(*, user_id: int, display_name: str, roles: list[str], agency_id: int, actor: Actor, uow: UnitOfWork,
                clock: Clock) -> None:
    _admin(actor)
    errors = {}
    if not roles or any(role not in ROLE_TITLES for role in roles):
        errors["roles"] = [f"角色须为：{', '.join(ROLE_TITLES)}"]
    if not display_name or not display_name.strip():
        errors["display_name"] = ["此项为必填项。"]
    if user_id == actor.user_id and "admin" not in roles:
        errors["roles"] = ["不能取消自己的系统管理员角色。"]
    if errors:
        raise ValidationFailed("用户信息有误。", fields=errors)
    with uow:
        session = uow.session
        user = _user(session, user_id)
        if session.get(Agency, agency_id) is None:
            raise ValidationFailed("机关不存在。", fields={"agency_id": ["机关不存在。"]})
        before = {"display_name": user.display_name, "roles": sorted(user.role_ids), "agency_id": user.agency_id}
        if agency_id != user.agency_id:  # tasks of the old agency are no longer theirs to work
            _release_tasks(session, user.id)
        if agency_id != user.agency_id or set(roles) != user.role_ids:  # what they may do changed: sign in again
            end_everywhere(session, user_id=user.id, clock=clock)
        user.display_name, user.agency_id = display_name.strip(), agency_id
        user.roles = [session.get_one(Role, role) for role in dict.fromkeys(roles)]
        after: dict[str, Any] = {"display_name": user.display_name, "roles": sorted(dict.fromkeys(roles)),
                                 "agency_id": agency_id}
        audit.record(session, clock=clock, actor=actor, action="user_updated",
                     summary=f"修改用户 {user.username}：{'、'.join(ROLE_TITLES[r] for r in after['roles'])}",
                     data={"user_id": user.id, "before": before, "after": after})
        uow.commit()


def set_active(*, user_id: int, active: bool, reason: str, actor: Actor, uow: UnitOfWork, clock: Clock) -> int:
    """Deactivate (停用) or reactivate a user. Returns how many claimed tasks went back to the queue."""
    _admin(actor)
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})
    if user_id == actor.user_id and not active:
        raise ValidationFailed("不能停用自己的账号。", fields={"_schema": ["不能停用自己的账号。"]})
    with uow:
        session = uow.session
        user = _user(session, user_id)
        released = 0
        user.is_active = active
        if not active:
            released = _release_tasks(session, user.id)
            end_everywhere(session, user_id=user.id, clock=clock)
        else:
            user.failed_logins, user.locked_until = 0, None
        audit.record(session, clock=clock, actor=actor, action="user_activated" if active else "user_deactivated",
                     summary=f"{'启用' if active else '停用'}用户 {user.username}：{reason.strip()}"
                     + (f"（{released} 项已认领的待办退回队列）" if released else ""),
                     data={"user_id": user.id, "reason": reason.strip(), "tasks_released": released})
        uow.commit()
        return released


def _release_tasks(session: Session, user_id: int) -> int:
    return cast(CursorResult, session.execute(
        update(HumanTask).where(HumanTask.assignee_id == user_id, HumanTask.status == TaskStatus.OPEN)
        .values(assignee_id=None))).rowcount


def reset_password(*, user_id: int, actor: Actor, uow: UnitOfWork, clock: Clock, password: str | None = None) -> str:
    """Set a new password (a random one when none is given, shown once to the admin) and lift a lockout."""
    _admin(actor)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("密码太短。", fields={"password": [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]})
    password = password or secrets.token_urlsafe(9)
    with uow:
        session = uow.session
        user = _user(session, user_id)
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        end_everywhere(session, user_id=user.id, clock=clock)
        audit.record(session, clock=clock, actor=actor, action="password_reset",
                     summary=f"重置用户 {user.username} 的密码", data={"user_id": user.id})
        uow.commit()
    return password


def add_certificate(*, user_id: int, number: str, valid_until: date, actor: Actor, uow: UnitOfWork,
                    clock: Clock) -> None:
    _admin(actor)
    number = (number or "").strip()
    if not number:
        raise ValidationFailed("请填写执法证号。", fields={"number": ["此项为必填项。"]})
    if not isinstance(valid_until, date):
        raise ValidationFailed("请填写有效期。", fields={"valid_until": ["此项为必填项。"]})
    with uow:
        session = uow.session
        user = _user(session, user_id)
        if session.scalar(select(Certificate.id).where(Certificate.number == number)) is not None:
            raise ValidationFailed("执法证号已被登记。", fields={"number": ["执法证号已被登记。"]})
        session.add(Certificate(user_id=user.id, number=number, valid_until=valid_until))
        audit.record(session, clock=clock, actor=actor, action="certificate_added",
                     summary=f"为 {user.display_name} 登记行政执法证 {number}，有效期至 {valid_until.isoformat()}",
                     data={"user_id": user.id, "number": number, "valid_until": valid_until.isoformat()})
        uow.commit()


def change_certificate(*, certificate_id: int, valid_until: date, reason: str, actor: Actor, uow: UnitOfWork,
                       clock: Clock) -> None:
    """Renew (a later date) or withdraw (a past date: 暂扣、收回、注销) a certificate; the record keeps why."""
    _admin(actor)
    if not reason or not reason.strip():
        raise ValidationFailed("请填写理由。", fields={"reason": ["此项为必填项。"]})
    with uow:
        session = uow.session
        certificate = session.get(Certificate, certificate_id)
        if certificate is None:
            raise NotFound("执法证不存在。")
        before = certificate.valid_until
        certificate.valid_until = valid_until
        withdrawn = valid_until < clock.now().astimezone(CHINA_TZ).date()
        audit.record(session, clock=clock, actor=actor, action="certificate_changed",
                     summary=f"{'收回' if withdrawn else '变更'}行政执法证 {certificate.number}（{certificate.user.display_name}）"
                     f"有效期 {before.isoformat()} → {valid_until.isoformat()}：{reason.strip()}",
                     data={"certificate_id": certificate.id, "user_id": certificate.user_id,
                           "from": before.isoformat(), "to": valid_until.isoformat(), "reason": reason.strip()})
        uow.commit()
