"""A case from lead to printed decision, clicked through in a real browser by the people who work it."""
from __future__ import annotations

import re
from datetime import timedelta

from .conftest import ARTIFACTS, local_input, login, register_lead, server_now

# a tiny but real JPEG (1×1 pixel), as a phone would attach a photo of the scene
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d"
    "1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f000001050101"
    "0101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221314106"
    "13516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455"
    "565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9ba"
    "c2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def logout(page) -> None:
    page.click("header button:has-text('退出')")
    page.wait_for_url(re.compile(r".*/login"))


def open_task(page, case_url: str, title: str) -> None:
    page.goto(case_url)
    page.click(f".case-tasks a:has-text('{title}')")
    page.wait_for_selector("h1:has-text('%s')" % title)


def submit(page) -> None:
    page.click("button:has-text('提交办结')")
    page.wait_for_selector(".flash.success")


def test_lead_to_printed_penalty_decision(server, page):
    # every date typed below is relative to the server's clock: the night before, and "today" as the case goes on
    discovered = (server_now() - timedelta(days=1)).replace(hour=21, minute=30)
    login(page, server, "handler1")
    shot(page, "01-inbox")
    page.click("nav >> text=案源登记")
    case_url = register_lead(page, source="complaint",
                             summary="群众投诉：某公司夜间在滨河路河道倾倒建筑垃圾。<script>alert(1)</script>",
                             party_name="东城建工集团有限公司", party_kind="organisation", id_number="91330100MA27Q8R9XF",
                             address="东城镇工业园区 3 号", location="东城镇滨河路", discovered=discovered)
    assert "<script>alert(1)</script>" in page.inner_text("main")  # shown as text, never run
    case_number = page.inner_text("h1").split()[0]
    assert case_number.startswith("东城综执案〔")

    open_task(page, case_url, "投诉举报受理")
    page.select_option("#f-accepted", "yes")
    page.fill("#f-acceptance_note", "属本机关管辖，受理。")
    page.select_option("#f-complainant_real_name", "no")
    submit(page)
    open_task(page, case_url, "案源初查")
    page.fill("#f-findings", "现场核实，河道内有建筑垃圾约 20 立方米。")
    page.select_option("#f-recommendation", "file")
    shot(page, "02-task-form")
    submit(page)
    logout(page)

    login(page, server, "head1")
    open_task(page, case_url, "立案审批")
    assert "建议立案" in page.inner_text("aside")  # the handler's recommendation, in words
    page.select_option("#f-approval", "approve")
    page.fill("#f-approval_opinion", "同意立案。")
    submit(page)
    open_task(page, case_url, "指派调查人员")
    options = page.locator("#f-lead_officer option")
    labels = options.all_inner_texts()
    assert any("张明" in label for label in labels) and any("李华" in label for label in labels)
    page.select_option("#f-lead_officer", label=next(label for label in labels if "张明" in label))  # 主办人
    page.select_option("#f-co_officers", label=next(label for label in labels if "李华" in label))  # 协办人
    submit(page)
    logout(page)

    login(page, server, "handler1")
    open_task(page, case_url, "调查取证")
    page.set_input_files("#attachment-file", files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    page.fill("#attachment-description", "河道倾倒现场")
    page.click("button:has-text('上传')")
    page.wait_for_selector("#attachments li:has-text('现场照片.jpg')")
    page.fill("#f-inspection_time", local_input(server_now()))
    page.fill("#f-inspection_place", "滨河路工地")
    page.fill("#f-inspection_findings", "河道内堆有建筑垃圾。")
    page.select_option("#f-evidence_preserved", "no")
    page.select_option("#f-seized", "no")
    submit(page)
    open_task(page, case_url, "调查终结报告")
    page.fill("#f-facts", f"{discovered:%Y 年 %m 月 %d 日}夜间向河道倾倒建筑垃圾。")
    page.fill("#f-evidence_summary", "现场照片、检查笔录。")
    page.fill("#f-legal_basis", "《城市建筑垃圾管理规定》第二十六条")
    page.select_option("#f-proposed_penalty", "fine")
    page.fill("#f-proposed_fine", "50000")
    page.select_option("#f-major_case", "yes")
    submit(page)
    logout(page)

    login(page, server, "head1")
    open_task(page, case_url, "案件审查")
    page.select_option("#f-review_result", "proceed")
    page.fill("#f-case_review_opinion", "事实清楚。")
    submit(page)
    logout(page)

    login(page, server, "reviewer1")
    open_task(page, case_url, "法制审核")
    for name in ("competent", "facts_clear", "evidence_sufficient", "basis_correct", "procedure_lawful",
                 "documents_complete"):
        page.select_option(f"#f-{name}", "yes")
    page.select_option("#f-crime_transfer_needed", "no")
    page.select_option("#f-review_conclusion", "approve")
    page.fill("#f-review_opinion", "事实清楚，证据确凿，同意。")
    submit(page)
    logout(page)

    login(page, server, "handler1")
    open_task(page, case_url, "行政处罚事先告知")
    page.fill("#f-intended_penalty", "拟罚款人民币伍万元")
    page.fill("#f-notice_date", server_now().date().isoformat())
    page.select_option("#f-hearing_eligible", "no")
    page.select_option("#f-service_method", "direct")
    submit(page)
    open_task(page, case_url, "当事人陈述申辩")
    page.select_option("#f-statement_received", "no")
    page.select_option("#f-hearing_requested", "no")
    submit(page)
    logout(page)

    login(page, server, "head1")
    open_task(page, case_url, "集体讨论")
    page.fill("#f-discussion_participants", "赵队长、钱副队长、孙副队长")
    page.fill("#f-discussion_record", "一致同意。")
    page.fill("#f-discussion_conclusion", "罚款人民币伍万元。")
    submit(page)
    open_task(page, case_url, "行政处罚决定")
    page.select_option("#f-decision", "penalty")
    page.select_option("#f-penalty_kind", "fine")
    page.fill("#f-fine_amount", "50000")
    page.fill("#f-decision_text", "罚款人民币伍万元。")
    page.fill("#f-decision_date", server_now().date().isoformat())
    submit(page)

    page.goto(case_url)
    shot(page, "03-case-page")
    assert "现场照片.jpg" in page.inner_text("main")
    with page.expect_popup() as popup:
        page.click("a:has-text('行政处罚决定书')")
    document = popup.value
    document.wait_for_load_state()
    text = document.inner_text("body")
    assert case_number in text and "东城建工集团有限公司" in text and "33010020260001" in text  # officer's certificate
    assert "六十日" in text and "六个月" in text
    assert "东城镇工业园区 3 号" in text and "东城县人民政府" in text and "示例银行东城支行" in text  # nothing left blank
    document.emulate_media(media="print")
    document.pdf(path=str(ARTIFACTS / "04-penalty-decision.pdf"), format="A4")
    document.screenshot(path=str(ARTIFACTS / "04-penalty-decision.png"), full_page=True)
