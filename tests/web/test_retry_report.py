"""The admin's 重试 says what it ran again and whether it worked, and offers the fixes for the step left open."""
from __future__ import annotations

from engine.runner import StepFailed
from engine.store.models import ProcessInstance
from tests.trouble import engine_error, instance_of, open_task_named

from .conftest import csrf_from, login


def admin_token(client) -> str:
    login(client, "admin1")
    return csrf_from(client.get("/inbox").get_data(as_text=True))


def error_of(world, instance_id):
    with world.uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        return instance.status, instance.error_element, instance.error_message, instance.error_count


def test_a_retry_that_gets_past_nothing_says_so_and_links_the_fixes(client, world, staff):
    case_id = engine_error(world, staff)  # completing 案源初查 failed at `compute` and was rolled back
    instance_id = instance_of(world, case_id)
    task = open_task_named(world, case_id, "lead_check")
    page = client.post(f"/admin/instances/{instance_id}/retry", follow_redirects=True,
                       data={"csrf_token": admin_token(client), "case_id": case_id, "reason": "脚本已修复"})
    text = page.get_data(as_text=True)
    assert "已重试出错的流程" in text and "到期的定时器及其后的自动步骤" in text
    assert "流程现停在「案源初查」" in text and "不会替办理人重新提交" in text
    assert f'href="/admin/tasks/{task.id}/skip"' in text  # a link, not escaped text
    assert error_of(world, instance_id)[0] == "waiting"


def test_a_retry_that_fails_again_says_it_is_the_same_error(client, world, staff, monkeypatch):
    case_id = engine_error(world, staff)
    instance_id = instance_of(world, case_id)
    _, element, message, count = error_of(world, instance_id)

    def fails_again(workflow, clock):
        raise StepFailed(message, element_id=element, detail="")

    monkeypatch.setattr(world.runner, "fire_timers", fails_again)
    page = client.post(f"/admin/instances/{instance_id}/retry", follow_redirects=True,
                       data={"csrf_token": admin_token(client), "case_id": case_id, "reason": "再试一次"})
    text = page.get_data(as_text=True)
    assert "重试未成功：流程再次出错，错误与上次相同" in text and "已重试出错的流程" not in text
    assert "流程仍处于出错状态" in text
    status, _, _, new_count = error_of(world, instance_id)
    assert status == "error" and new_count == count + 1
