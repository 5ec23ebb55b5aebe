"""No typed work is lost on the task page: a step failing on the server gives the form back with what was typed and
a plain message; evidence is uploaded without losing the form (by fetch, or, without scripts, saving the draft)."""
from __future__ import annotations

import io

from sqlalchemy import select

from engine.services import tasks
from engine.store.models import ProcessInstance
from tests.conftest import FIXTURES

from .conftest import csrf_from, login
from .test_attachments_and_drafts import PNG, first_task

TYPED = "群众举报属实，现场发现无证经营的餐饮摊点"


def failing_case(world, staff) -> tuple[int, object]:
    world.deploy_file(FIXTURES / "failing_step.bpmn")
    case_id = world.register(staff["handler1"], process_id="failing_step")
    return case_id, world.only_task(case_id)


def test_an_engine_error_returns_the_form_with_what_was_typed_and_a_plain_message(client, world, staff):
    case_id, task = failing_case(world, staff)
    login(client, "handler1")
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": TYPED,
                                                       "recommendation": "file"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert TYPED in page and 'value="file" selected' in page
    assert "「计算」环节出错" in page and "系统管理员已收到通知" in page and "已存为草稿" in page
    for leak in ("ZeroDivisionError", "division by zero", "Traceback", "compute"):
        assert leak not in page
    with world.uow() as uow:  # where the console shows engine errors
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert instance.status == "error" and instance.error_element == "compute"
    again = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert TYPED in again  # the draft keeps it after leaving the page


def test_an_unexpected_exception_in_the_step_keeps_the_form_and_tells_the_admin(client, world, staff, monkeypatch):
    case_id, task = failing_case(world, staff)

    def broken(*args, **kwargs):
        raise ValueError("invalid literal for int() with base 10: '三'")

    monkeypatch.setattr(tasks, "issue_task_documents", broken)
    login(client, "handler1")
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, "findings": TYPED,
                                                       "recommendation": "not_file", "not_file_reason": "不实"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and TYPED in page and "系统管理员已收到通知" in page
    assert "invalid literal" not in page and "ValueError" not in page
    with world.uow() as uow:
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert instance.status == "error" and "invalid literal" in instance.error_message
    assert world.only_task(case_id).id == task.id  # nothing of the step was kept


def test_an_upload_by_script_returns_the_new_item_and_leaves_the_form_alone(client, world, staff):
    _, task = first_task(client, world)
    token = csrf_from(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    response = client.post(f"/tasks/{task.id}/attachments", headers={"Accept": "application/json"},
                           data={"csrf_token": token, "description": "现场照片", "file": (io.BytesIO(PNG), "现场.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    body = response.get_json()
    assert "现场.png" in body["item"] and "<li>" in body["item"] and "已上传" in body["message"]
    refused = client.post(f"/tasks/{task.id}/attachments", headers={"Accept": "application/json"},
                          data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00"), "照片.jpg")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "只能上传照片" in refused.get_json()["error"]["message"]


def test_an_upload_without_scripts_saves_the_typed_fields_first(client, world, staff):
    _, task = first_task(client, world)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'formaction="/tasks/' in page and 'formenctype="multipart/form-data"' in page
    response = client.post(f"/tasks/{task.id}/attachments", follow_redirects=True, content_type="multipart/form-data",
                           data={"csrf_token": csrf_from(page), "action": "upload", "findings": TYPED,
                                 "description": "现场照片", "file": (io.BytesIO(PNG), "现场.png")})
    page = response.get_data(as_text=True)
    assert "已上传「现场.png」" in page and TYPED in page and "已存为草稿" in page


def test_the_api_answers_an_engine_error_in_plain_words_and_keeps_the_cause_for_the_console(client, world, staff,
                                                                                           token_for):
    case_id, task = failing_case(world, staff)
    response = client.post(f"/api/v1/tasks/{task.id}/complete", headers=token_for("handler1"),
                           json={"findings": TYPED, "recommendation": "file"})
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "engine_error" and "本次操作没有生效" in error["message"] and "系统管理员" in error["message"]
    for leak in ("ZeroDivisionError", "division by zero", "Traceback"):
        assert leak not in response.get_data(as_text=True)
    assert "detail" not in error
    with world.uow() as uow:  # the administrator reads the cause on the console
        instance = uow.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        assert "division by zero" in instance.error_message
