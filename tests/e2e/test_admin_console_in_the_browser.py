"""The admin console in Chromium: the dashboard's charts are drawn by the ECharts the app serves itself (no
request leaves the server), and a supervisor sees the statistics page with its charts."""
from __future__ import annotations


from .conftest import ARTIFACTS, login


def test_dashboard_charts_are_drawn_offline(server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, server, "admin1")
    page.click("nav >> text=管理与监督")
    page.wait_for_selector('[data-chart="by_stage"][data-rendered="true"] canvas')
    page.wait_for_selector('[data-chart="instances"][data-rendered="true"] canvas')
    assert page.locator(".tile").count() >= 8
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)
    assert requests and all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]


def test_a_supervisor_sees_statistics_with_charts(server, page):
    login(page, server, "supervisor1")
    page.goto(server + "/admin/statistics")
    page.wait_for_selector('[data-chart="by_month"][data-rendered="true"] canvas')
    assert "行政执法统计年报" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "admin-statistics.png"), full_page=True)
