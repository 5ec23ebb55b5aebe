"""Sessions end when they should: on logout, and everywhere (browsers and API tokens) when an admin resets a
password, deactivates someone or changes their roles; wrong passwords are counted by the database, five meaning
five however many arrive at once; an unknown name costs the same password check as a real one."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from engine.errors import NotAuthorized
from engine.services import people, sessions
from engine.store.models import AuditRecord, User

from .conftest import csrf_from, login


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_signed_in(client) -> bool:
    response = client.get("/inbox")
    return response.status_code == 200 and "我的待办" in response.get_data(as_text=True)


def test_logout_ends_the_session_on_the_server(app, staff):
    client = signed_in(app, "handler1")
    copied = copy_of(app, client)
    assert is_signed_in(copied)  # the copy works while the session is open

    token = csrf_from(client.get("/inbox").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    assert not is_signed_in(client)
    assert not is_signed_in(copied)
    assert copied.get("/inbox").headers["Location"].startswith("/login")
    assert copied.get("/api/v1/cases").status_code == 401


def test_a_password_reset_by_an_admin_ends_every_session_and_token_of_that_user(app, staff, token_for):
    office, phone = signed_in(app, "handler1"), signed_in(app, "handler1")
    bearer = token_for("handler1")
    assert app.test_client().get("/api/v1/deadline-catalog", headers=bearer).status_code == 200
    bystander = signed_in(app, "handler2")

    admin = signed_in(app, "admin1")
    page = admin.get(f"/admin/people/{staff['handler1'].user_id}").get_data(as_text=True)
    reset = admin.post(f"/admin/people/{staff['handler1'].user_id}/password",
                       data={"csrf_token": csrf_from(page), "password": "new-pass-123"})
    assert reset.status_code == 200

    assert not is_signed_in(office) and not is_signed_in(phone)
    assert app.test_client().get("/api/v1/deadline-catalog", headers=bearer).status_code == 401
    assert is_signed_in(bystander) and is_signed_in(admin)  # nobody else is signed out
    assert login(app.test_client(), "handler1", "new-pass-123").status_code == 302


@pytest.mark.parametrize("change", ["deactivated", "roles changed", "moved to another agency"])
def test_deactivation_or_a_change_of_roles_ends_every_session_and_token(app, world, staff, token_for, change):
    browser, bearer = signed_in(app, "handler1"), token_for("handler1")
    user_id, admin = staff["handler1"].user_id, staff["admin1"]
    if change == "deactivated":
        people.set_active(user_id=user_id, active=False, reason="调离", actor=admin, **world.deps())
    elif change == "roles changed":
        people.update_user(user_id=user_id, display_name="handler1", roles=["handler", "head"],
                           agency_id=world.agency_id, actor=admin, **world.deps())
    else:
        people.update_user(user_id=user_id, display_name="handler1", roles=["handler"],
                           agency_id=world.agency("xiwan", "西湾街道综合行政执法队", "西湾综执案"), actor=admin,
                           **world.deps())

    assert not is_signed_in(browser)
    assert app.test_client().get("/api/v1/deadline-catalog", headers=bearer).status_code == 401


def test_renaming_someone_leaves_them_signed_in(app, world, staff, token_for):
    browser, bearer = signed_in(app, "handler1"), token_for("handler1")
    people.update_user(user_id=staff["handler1"].user_id, display_name="张三", roles=["handler"],
                       agency_id=world.agency_id, actor=staff["admin1"], **world.deps())
    assert is_signed_in(browser)
    assert app.test_client().get("/api/v1/deadline-catalog", headers=bearer).status_code == 200


def test_sixty_wrong_passwords_sixteen_at_a_time_count_exactly_five(world, staff, monkeypatch):
    """On a file SQLite and on PostgreSQL (the `world` fixture runs both). A slow password check widens the race
    that a read-then-write counter loses."""
    real_check = sessions.check_password_hash

    def slow_check(stored, password):
        time.sleep(0.02)
        return real_check(stored, password)

    monkeypatch.setattr(sessions, "check_password_hash", slow_check)

    def attempt(_):
        try:
            sessions.sign_in(username="handler1", password="wrong-password", **world.deps())
        except NotAuthorized as exc:
            return exc.message
        return "signed in"

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(attempt, range(60)))

    assert answers.count(sessions.WRONG) == 5
    assert all("已锁定" in answer for answer in answers if answer != sessions.WRONG)
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditRecord)
                                  .where(AuditRecord.action == "user_locked")) == 1
    with pytest.raises(NotAuthorized, match="已锁定"):  # the right password waits for the lock to run out
        sessions.sign_in(username="handler1", password="secret-pass-1", **world.deps())


def test_a_wrong_password_for_an_unknown_name_runs_the_same_password_check(world, staff, monkeypatch):
    checked = []
    real_check = sessions.check_password_hash

    def spy(stored, password):
        checked.append(stored.split("$")[0])
        return real_check(stored, password)

    monkeypatch.setattr(sessions, "check_password_hash", spy)
    with world.uow() as uow:
        method = uow.session.scalar(select(User.password_hash).where(User.username == "handler1")).split("$")[0]

    for username in ("handler1", "nobody-by-this-name"):
        with pytest.raises(NotAuthorized) as refused:
            sessions.sign_in(username=username, password="wrong-password", **world.deps())
        assert refused.value.message == sessions.WRONG  # the same words either way
    assert checked == [method, method]


def change_password(client, current: str, new: str, confirm: str | None = None):
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    return client.post("/account/password", data={"csrf_token": token, "current_password": current,
                                                   "new_password": new, "confirm": confirm or new})


def test_changing_ones_own_password_ends_the_other_sessions_and_tokens_but_not_this_one(app, staff, token_for):
    here, elsewhere, bearer = signed_in(app, "handler1"), signed_in(app, "handler1"), token_for("handler1")

    changed = change_password(here, "secret-pass-1", "brand-new-pass-2")
    assert changed.status_code == 302
    assert "密码已修改" in here.get(changed.headers["Location"]).get_data(as_text=True)

    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert app.test_client().get("/api/v1/deadline-catalog", headers=bearer).status_code == 401
    assert login(app.test_client(), "handler1", "secret-pass-1").status_code == 401
    assert login(app.test_client(), "handler1", "brand-new-pass-2").status_code == 302


def test_a_wrong_current_password_or_a_mistyped_new_one_changes_nothing(app, staff):
    here, elsewhere = signed_in(app, "handler1"), signed_in(app, "handler1")

    wrong = change_password(here, "not-my-password", "brand-new-pass-2")
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    mistyped = change_password(here, "secret-pass-1", "brand-new-pass-2", confirm="brand-new-pass-3")
    assert mistyped.status_code == 400 and "两次输入的新密码不一致" in mistyped.get_data(as_text=True)
    short = change_password(here, "secret-pass-1", "short")
    assert short.status_code == 400 and "密码至少 8 位" in short.get_data(as_text=True)

    assert is_signed_in(here) and is_signed_in(elsewhere)
    assert login(app.test_client(), "handler1", "secret-pass-1").status_code == 302
