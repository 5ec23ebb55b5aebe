"""Typed work survives on the task page: evidence uploaded in the middle of a form leaves every field as typed,
and leaving the page with unsaved changes asks first."""
from __future__ import annotations

from datetime import timedelta

from .conftest import login, register_lead, server_now
from .test_case_in_the_browser import JPEG, open_task, shot

FINDINGS = "现场核实：人民路 88 号门前占道经营，摊位约 6 平方米，已拍照。"


def register(page) -> str:
    page.click("nav >> text=案源登记")
    return register_lead(page, source="patrol", summary="巡查发现人民路 88 号门前占道经营。", party_name="周某某",
                         party_kind="person", id_number="330102198503150010", address="人民路 90 号",
                         location="人民路 88 号", discovered=server_now() - timedelta(hours=2))


def type_a_lead_check(page, server) -> str:
    """handler2 registers a lead and types 案源初查 without submitting it; returns the task page's address."""
    login(page, server, "handler2")
    open_task(page, register(page), "案源初查")
    page.fill("#f-findings", FINDINGS)
    page.select_option("#f-recommendation", "file")
    return page.url


def test_uploading_evidence_keeps_every_typed_field(server, page):
    task_url = type_a_lead_check(page, server)
    page.set_input_files("#attachment-file", files=[{"name": "占道照片.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    page.fill("#attachment-description", "摊位全景")
    page.click("button:has-text('上传')")
    page.wait_for_selector("#attachments li:has-text('占道照片.jpg')")
    assert page.url == task_url
    assert page.input_value("#f-findings") == FINDINGS
    assert page.input_value("#f-recommendation") == "file"
    assert "已上传「占道照片.jpg」" in page.inner_text(".upload-status")
    assert page.input_value("#attachment-file") == "" and page.input_value("#attachment-description") == ""
    shot(page, "task-form-after-upload")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click("aside a:has-text('查看案卷')", no_wait_after=True)  # unsaved typed work: the browser asks
    page.wait_for_timeout(500)  # staying (the dialog dismissed) keeps the page as it was
    assert asked == ["beforeunload"] and page.url == task_url
    assert page.input_value("#f-findings") == FINDINGS

    page.click("button:has-text('提交办结')")  # submitting is leaving on purpose: no question
    page.wait_for_selector(".flash.success")
    assert asked == ["beforeunload"]
