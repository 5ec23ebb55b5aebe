"""Users, roles, enforcement certificates, password hashing and API bearer tokens (signing in: sessions.py)."""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload
from werkzeug.security import generate_password_hash

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotFound, ValidationFailed
from engine.roles import ROLE_TITLES
from engine.store.database import UnitOfWork
from engine.store.models import Agency, ApiToken, Certificate, Role, User

MIN_PASSWORD_LENGTH = 8
# werkzeug's default (scrypt) unless this names another of its methods, e.g. `pbkdf2:sha256:1000` for a test suite
# that creates hundreds of users. Every stored hash names its own method, so logins work whichever method made it.
PASSWORD_HASH_METHOD = "ZHIFA_PASSWORD_HASH_METHOD"


def password_method() -> str:
    return os.environ.get(PASSWORD_HASH_METHOD) or "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=password_method())


def create_agency(*, code: str, name: str, case_prefix: str, level: str, uow: UnitOfWork,
                  document_settings: dict | None = None) -> int:
    """Set-up (demo, tests): an agency, with its document settings (see agency_settings) when given."""
    with uow:
        existing = uow.session.scalar(select(Agency).where(Agency.code == code))
        if existing is not None:
            return existing.id
        agency = Agency(code=code, name=name, case_prefix=case_prefix, level=level, **(document_settings or {}))
        uow.session.add(agency)
        uow.session.flush()
        uow.commit()
        return agency.id


def create_user(*, username: str, display_name: str, password: str, roles: list[str], agency_id: int,
                uow: UnitOfWork, clock: Clock, actor: Actor, certificate_number: str | None = None,
                certificate_valid_until: date | None = None) -> int:
    errors: dict[str, list[str]] = {}
    unknown = [role for role in roles if role not in ROLE_TITLES]
    if not roles or unknown:
        errors["roles"] = [f"角色须为：{', '.join(ROLE_TITLES)}"]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]
    if not username or not username.isascii() or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = ["用户名只能包含字母、数字、点和下划线。"]
    if certificate_number and certificate_valid_until is None:
        errors["certificate_valid_until"] = ["请填写执法证有效期。"]
    if errors:
        raise ValidationFailed("用户信息有误。", fields=errors)
    with uow:
        session = uow.session
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationFailed("用户名已存在。", fields={"username": ["用户名已存在。"]})
        if session.get(Agency, agency_id) is None:
            raise ValidationFailed("机关不存在。", fields={"agency_id": ["机关不存在。"]})
        user = User(username=username, display_name=display_name or username,
                    password_hash=hash_password(password), agency_id=agency_id, is_active=True,
                    failed_logins=0, created_at=clock.now(),
                    roles=[session.get(Role, role) for role in roles])
        session.add(user)
        session.flush()
        if certificate_number:
            if session.scalar(select(Certificate.id).where(Certificate.number == certificate_number)):
                raise ValidationFailed("执法证号已被登记。", fields={"certificate": ["执法证号已被登记。"]})
            session.add(Certificate(user_id=user.id, number=certificate_number, valid_until=certificate_valid_until))
        audit.record(session, clock=clock, actor=actor, action="user_created",
                     summary=f"新增用户 {username}（{'、'.join(ROLE_TITLES[r] for r in roles)}）",
                     data={"username": username, "roles": roles, "certificate": certificate_number})
        uow.commit()
        return user.id


def issue_token(*, username: str, uow: UnitOfWork, clock: Clock) -> str:
    token = secrets.token_urlsafe(32)
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"用户 {username} 不存在。")
        uow.session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=clock.now()))
        uow.commit()
    return token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Who is making a request, in one round trip: the user with agency and roles (certificates load only if asked).
REQUEST_USER_OPTIONS = (joinedload(User.roles), lazyload(User.certificates))


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(token),
                                                 ApiToken.revoked_at.is_(None))
                          .options(joinedload(ApiToken.user).options(*REQUEST_USER_OPTIONS))).unique().one_or_none()
    return row.user if row is not None and row.user.is_active else None
