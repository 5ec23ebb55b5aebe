"""A step that fails on the server gives the handler the form back as typed, with a plain message — never an
exception text. The failure is real: a designer deploys a version of 案源线索处理 whose branch after 案源初查 cannot
be evaluated (this module runs its own server, so no other browser test meets that version)."""
from __future__ import annotations

import re
from pathlib import Path

from .conftest import login
from .test_case_in_the_browser import logout, shot
from .test_typed_work_in_the_browser import FINDINGS, type_a_lead_check

LEAD_INTAKE = Path(__file__).resolve().parents[2] / "processes" / "lead_intake.bpmn"


def deploy_a_broken_lead_intake(page, server) -> None:
    xml = LEAD_INTAKE.read_text(encoding="utf-8")
    good = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">recommendation == "summary"</bpmn:conditionExpression>'
    assert good in xml
    broken = xml.replace(good, good.replace('recommendation == "summary"', 'recommendation == "summary" or 1 / 0 &gt; 1'))
    token = page.input_value("input[name=csrf_token] >> nth=0")
    response = page.request.post(server + "/api/v1/process-definitions", headers={"X-CSRFToken": token},
                                 multipart={"file": {"name": "lead_intake.bpmn", "mimeType": "application/xml",
                                                     "buffer": broken.encode("utf-8")},
                                            "comment": "测试：分支条件无法计算"})
    assert response.status == 201, response.text()


def test_an_engine_error_keeps_the_typed_form_and_says_what_to_do(server, page):
    login(page, server, "designer1")
    deploy_a_broken_lead_intake(page, server)
    logout(page)

    task_url = type_a_lead_check(page, server)
    page.click("button:has-text('提交办结')")
    page.wait_for_selector(".step-failed")
    message = page.inner_text(".step-failed")
    assert "系统管理员已收到通知" in message
    assert not re.search(r"ZeroDivisionError|division by zero|Traceback", page.content())
    assert page.url == task_url
    assert page.input_value("#f-findings") == FINDINGS
    assert page.input_value("#f-recommendation") == "file"
    shot(page, "task-form-after-engine-error")
    page.goto(task_url)  # kept as a draft too: coming back later finds the typed work
    assert page.input_value("#f-findings") == FINDINGS
