"""The case list (案件台账) in a real browser: found by the party's name, on a desktop and on a 390 px phone."""
from __future__ import annotations

import re

from .conftest import ARTIFACTS, login


def overflow(page) -> int:
    """How far the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_handler_finds_a_case_by_the_party_from_the_top_navigation(page, server):
    login(page, server, "handler2")
    page.click("header nav a:has-text('案件台账')")
    page.wait_for_selector("h1:has-text('案件台账')")
    assert page.locator("table.cases tbody tr").count() >= 3
    page.fill("#cases-q", "星光")
    page.click("form.case-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases\?q="))
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 1 and "东城星光广告有限公司" in rows.first.inner_text()
    assert "q=" in page.get_attribute("a:has-text('导出Excel')", "href")
    assert overflow(page) == 0
    page.screenshot(path=str(ARTIFACTS / "case-list.png"), full_page=True)
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))


def test_on_a_390_px_phone_the_list_is_cards_and_nothing_scrolls_sideways(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, server, "head1")
        page.goto(server + "/cases")
        page.wait_for_selector("table.cases tbody tr")
        assert overflow(page) == 0
        first = page.locator("table.cases tbody tr").first
        assert first.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
        assert first.bounding_box()["width"] <= 390
        page.screenshot(path=str(ARTIFACTS / "case-list-390px.png"), full_page=True)
    finally:
        context.close()
