"""Staff pages through the Flask client: login, lockout, inbox, task form, case file, escaping."""
from __future__ import annotations

from .conftest import csrf_from, login


def test_pages_redirect_to_login_and_login_works(client, staff):
    assert client.get("/inbox").status_code == 302
    assert login(client, "handler1", "wrong").status_code == 401
    response = login(client, "handler1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert "我的待办" in client.get("/inbox").get_data(as_text=True)


def test_login_form_without_csrf_is_refused(client, staff):
    response = client.post("/login", data={"username": "handler1", "password": "secret-pass-1"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account(client, staff):
    for _ in range(5):
        login(client, "handler1", "wrong")
    response = login(client, "handler1")  # even the right password is refused while locked
    assert response.status_code == 401
    assert "已锁定" in response.get_data(as_text=True)


def test_open_redirects_are_not_followed(client, staff):
    page = client.get("/login?next=//evil.example/")
    response = client.post("/login?next=//evil.example/", data={
        "username": "handler1", "password": "secret-pass-1", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"].endswith("/inbox")


def register_through_page(client, **overrides):
    token = csrf_from(client.get("/cases/new").get_data(as_text=True))
    data = {"source": "patrol", "summary": "巡查发现占道经营", "party_name": "周某某", "party_kind": "person",
            "party_id_number": "330102198503150010", "location": "人民路", "discovered_at": "2026-03-01T10:00",
            "csrf_token": token}
    data.update(overrides)
    return client.post("/cases/new", data=data)


def test_a_handler_registers_a_lead_and_works_it_from_the_inbox(client, staff):
    login(client, "handler1")
    created = register_through_page(client)
    assert created.status_code == 302
    case_page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "东城综执案〔2026〕1号" in case_page and "登记案源" in case_page

    inbox = client.get("/inbox").get_data(as_text=True)
    assert "案源初查" in inbox and "周某某" in inbox
    task_id = world_task_id(inbox)
    form_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    token = csrf_from(form_page)
    invalid = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "recommendation": "not_file",
                                                      "findings": "无"})
    assert invalid.status_code == 422
    assert "建议不予立案时须写明理由" in invalid.get_data(as_text=True)
    done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "recommendation": "file", "findings": "属实"})
    assert done.status_code == 302
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "「案源初查」已办结" in inbox and f'href="/tasks/{task_id}"' not in inbox


def world_task_id(inbox_html: str) -> str:
    import re
    return re.search(r'href="/tasks/([0-9a-f-]{36})"', inbox_html).group(1)


def test_registration_errors_are_shown_beside_the_fields(client, staff):
    login(client, "handler1")
    response = register_through_page(client, party_id_number="123", summary="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "证件号码不正确" in html and "此项为必填项" in html


def test_roles_without_registration_rights_get_403(client, staff):
    login(client, "reviewer1")
    assert client.get("/cases/new").status_code == 403


def test_free_text_is_shown_escaped(client, staff):
    login(client, "handler1")
    created = register_through_page(client, summary='<script>alert("x")</script>', party_name="<b>王</b>")
    html = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>王</b>" not in client.get("/inbox").get_data(as_text=True)


def test_unknown_case_is_a_404_page(client, staff):
    login(client, "handler1")
    response = client.get("/cases/424242")
    assert response.status_code == 404 and "案件不存在" in response.get_data(as_text=True)


def test_the_case_page_shows_each_deadline_with_its_explanation(client, staff):
    login(client, "handler1")
    created = register_through_page(client)
    html = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "法定期限" in html and "立案审查期限" in html
    assert "发现线索或收到材料 2026-03-01 起 15个工作日，届满日 2026-03-20" in html
    assert "计时中" in html


def test_the_head_assigns_two_certified_investigators_from_the_task_page(client, world, staff):
    from datetime import date

    world.user("expired1", "handler", certificate="C-OLD", valid_until=date(2020, 1, 1))
    login(client, "handler1")
    created = register_through_page(client)
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    task = world.only_task(case_id)
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": "属实", "recommendation": "file"})
    client.post("/logout", data={"csrf_token": token})
    login(client, "head1")
    approval = world.only_task(case_id)
    page = client.get(f"/tasks/{approval.id}").get_data(as_text=True)
    assert "前序办理情况" in page and "建议立案" in page  # the handler's recommendation, in words
    token = csrf_from(page)
    client.post(f"/tasks/{approval.id}", data={"csrf_token": token, "approval": "approve", "approval_opinion": "同意"})
    assignment = next(t for t in world.open_tasks(case_id) if t.name == "investigation_assignment")
    page = client.get(f"/tasks/{assignment.id}").get_data(as_text=True)
    assert "handler1（执法证 C-0001）" in page and "handler2（执法证 C-0002）" in page
    assert "expired1" not in page and "reviewer1" not in page
    one = client.post(f"/tasks/{assignment.id}", data={"csrf_token": token, "officers": [str(staff["handler1"].user_id)]})
    assert one.status_code == 422 and "请至少选择 2 名不同的执法人员" in one.get_data(as_text=True)
    ok = client.post(f"/tasks/{assignment.id}", data={"csrf_token": token, "officers": [
        str(staff["handler1"].user_id), str(staff["handler2"].user_id)]})
    assert ok.status_code == 302
    assert next(t for t in world.open_tasks(case_id) if t.name == "investigation").assignee_id == staff["handler1"].user_id


def test_markup_typed_into_any_free_text_field_is_shown_as_text_everywhere(client, world, staff):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    login(client, "handler1")
    created = register_through_page(client, summary=hostile, location=hostile, party_name=hostile)
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    task = world.only_task(case_id)
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": hostile, "recommendation": "file"})
    client.post("/logout", data={"csrf_token": token})
    login(client, "head1")
    approval = world.only_task(case_id)
    pages = [client.get(path).get_data(as_text=True) for path in
             (f"/cases/{case_id}", f"/tasks/{approval.id}", "/inbox", f"/inbox?q={hostile}")]
    for html in pages:
        assert "<script>alert(2)</script>" not in html and '<img src=x onerror' not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages[1]  # the handler's findings, escaped
