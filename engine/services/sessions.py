"""Signing in and out: the password check with its lockout, and the server's record of each signed-in browser.

Failed attempts are counted by the database itself (one `UPDATE … SET failed_logins = failed_logins + 1 …
RETURNING`, which waits for the row on PostgreSQL and for the write lock on SQLite), so five wrong passwords lock
the account however many arrive at once. A name that does not exist is checked against a dummy hash made the same
way as real ones, so the answer takes as long and tells nothing about which names exist.

A browser's cookie carries a random key; the server keeps its digest in `login_session`. Logging out ends that
row, and `end_everywhere` ends every row and every API token of a user (a password reset, deactivation, a change
of roles or agency, or the user changing their own password — their browser then goes on in a new session): the
next request with an old cookie or token is anonymous.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotAuthorized, ValidationFailed
from engine.store.database import UnitOfWork
from engine.store.models import ApiToken, LoginSession, User

from .users import MIN_PASSWORD_LENGTH, REQUEST_USER_OPTIONS, hash_password, password_method, token_digest

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
WRONG = "用户名或密码错误。"
_dummy_hashes: dict[str, str] = {}


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    session_key: str  # goes into the cookie; only its digest is stored


def sign_in(*, username: str, password: str, uow: UnitOfWork, clock: Clock) -> SignedIn:
    """Check a password and open a session; lock the account for a while after repeated failures."""
    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.username == username))
        now = clock.now()
        if user is not None and user.locked_until and user.locked_until > now:
            raise _locked(user.locked_until, now)
        stored = user.password_hash if user is not None else dummy_hash()
        if not check_password_hash(stored, password) or user is None or not user.is_active:
            if user is not None and user.is_active:
                _count_failure(uow, user, now, clock)
            raise NotAuthorized(WRONG)
        # still unlocked, and the password just checked still the user's (not reset meanwhile)
        cleared = session.execute(update(User).where(User.id == user.id, _unlocked(now),
                                                     User.password_hash == stored)
                                  .values(failed_logins=0, locked_until=None).returning(User.id)).first()
        if cleared is None:
            raise NotAuthorized(WRONG)
        key = secrets.token_urlsafe(32)
        session.add(LoginSession(user_id=user.id, key_hash=token_digest(key), created_at=now))
        uow.commit()
        return SignedIn(user.id, key)


def sign_out(*, session_key: str, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        uow.session.execute(update(LoginSession).where(LoginSession.key_hash == token_digest(session_key),
                                                       LoginSession.ended_at.is_(None)).values(ended_at=clock.now()))
        uow.commit()


def change_own_password(*, session_key: str, current_password: str, new_password: str, uow: UnitOfWork,
                        clock: Clock) -> str:
    """The signed-in user sets a new password: every other session and every API token of theirs ends, and this
    browser goes on in a new session, whose key is returned. A wrong current password counts as a failed login."""
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("新密码太短。", fields={"new_password": [f"密码至少 {MIN_PASSWORD_LENGTH} 位。"]})
    with uow:
        session = uow.session
        user = user_for_session(session, session_key)
        if user is None:
            raise NotAuthorized("登录已失效，请重新登录。")
        now = clock.now()
        if not check_password_hash(user.password_hash, current_password or ""):
            _count_failure(uow, user, now, clock)
            raise ValidationFailed("当前密码不正确。", fields={"current_password": ["当前密码不正确。"]})
        user.password_hash = hash_password(new_password)
        end_everywhere(session, user_id=user.id, clock=clock)
        key = secrets.token_urlsafe(32)
        session.add(LoginSession(user_id=user.id, key_hash=token_digest(key), created_at=now))
        audit.record(session, clock=clock, actor=Actor.of(user), action="password_changed",
                     summary=f"用户 {user.username} 修改了自己的密码（其他登录和 API 令牌已失效）",
                     data={"user_id": user.id})
        uow.commit()
        return key


def end_everywhere(session: Session, *, user_id: int, clock: Clock) -> int:
    """Inside a use case's transaction: end every session and revoke every API token of the user. Returns how
    many sessions were open."""
    now = clock.now()
    ended = cast(CursorResult, session.execute(
        update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now))).rowcount
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    return ended


def user_for_session(session: Session, session_key: str) -> User | None:
    """The user behind a session cookie, if that session is still open and the user still active."""
    row = session.scalars(select(LoginSession).where(LoginSession.key_hash == token_digest(session_key),
                                                     LoginSession.ended_at.is_(None))
                          .options(joinedload(LoginSession.user).options(*REQUEST_USER_OPTIONS))).unique() \
        .one_or_none()
    return row.user if row is not None and row.user.is_active else None


def dummy_hash() -> str:
    """A hash of a random password made by the method real passwords are hashed with, made once per method."""
    method = password_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password(secrets.token_urlsafe(16))
    return _dummy_hashes[method]


def _unlocked(now):
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _count_failure(uow: UnitOfWork, user: User, now, clock: Clock) -> None:
    """Count one wrong password in the database; the fifth locks the account. Commits."""
    session = uow.session
    failed = session.execute(update(User).where(User.id == user.id, _unlocked(now))
                             .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)).scalar()
    if failed is None:  # another attempt locked it meanwhile
        session.rollback()
        locked_until = session.scalar(select(User.locked_until).where(User.id == user.id))
        raise _locked(locked_until, now)
    if failed >= MAX_FAILED_LOGINS:
        session.execute(update(User).where(User.id == user.id).values(locked_until=now + LOCKOUT, failed_logins=0))
        audit.record(session, clock=clock, actor=Actor.system("登录"), action="user_locked",
                     summary=f"用户 {user.username} 连续登录失败，锁定 15 分钟")
    uow.commit()


def _locked(locked_until, now) -> NotAuthorized:
    minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1) if locked_until else 1
    return NotAuthorized(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试。")
