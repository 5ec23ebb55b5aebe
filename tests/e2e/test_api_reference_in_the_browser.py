"""The API reference in Chromium: Swagger UI, served by the app itself, draws every operation of
/api/v1/openapi.json under the strict Content-Security-Policy, and no request leaves the server."""
from __future__ import annotations

from .conftest import ARTIFACTS, login


def test_the_reference_draws_every_operation_offline(server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, server, "admin1")
    page.click("nav >> text=管理与监督")
    page.click(".admin-nav >> text=接口文档")
    page.wait_for_selector("#api-reference .opblock-summary-path")
    paths = page.locator("#api-reference .opblock").count()
    assert paths == 33, paths
    assert "综合行政执法办案系统 API" in page.inner_text("#api-reference")
    page.click("#api-reference .opblock-post:has-text('/api/v1/cases') >> nth=0")
    page.wait_for_selector("#api-reference .opblock.is-open .model-example")
    page.screenshot(path=str(ARTIFACTS / "api-reference.png"), full_page=False)
    assert requests and all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
