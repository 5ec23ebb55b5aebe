"""The case list (案件台账): visibility, every filter, paging, the Excel export and bad parameters."""
from __future__ import annotations

import io
import re
from datetime import datetime
from html import unescape

import pytest
from openpyxl import load_workbook

from engine.clock import CHINA_TZ
from engine.services import tasks
from tests.seeding import clone_case

from .conftest import login

PERSON_ID = "330102198503150010"
CREDIT_CODE = "91330100MA27Q8R9XF"


def complete(world, case_id, actor, data):
    tasks.complete_task(task_id=world.only_task(case_id).id, data=data, actor=actor, **world.deps(runner=True))


@pytest.fixture
def cases(world, staff):
    """Three cases of 东城 registered on three days, and one of 西湾 that 东城's staff must never see."""
    world.clock.set(datetime(2026, 3, 2, 9, tzinfo=CHINA_TZ))
    zhou = world.register(staff["handler1"], party_name="周某某", party_id_number=PERSON_ID, summary="占道经营")
    world.clock.set(datetime(2026, 3, 3, 9, tzinfo=CHINA_TZ))
    company = world.register(staff["handler1"], party_name="东城建工集团有限公司", party_kind="organisation",
                             party_id_number=CREDIT_CODE, summary="夜间施工噪声扰民",
                             discovered_at="2026-01-05T10:00:00+08:00")  # its filing clock (15 WD) has run out
    world.clock.set(datetime(2026, 3, 4, 9, tzinfo=CHINA_TZ))
    shop = world.register(staff["handler1"], party_name="李记小吃店", party_id_number="", summary="店外堆放杂物")
    # 周某某's case is filed and investigated: handler1, head1 and handler2 work on it; the report names the law
    complete(world, zhou, staff["handler1"], {"findings": "属实", "recommendation": "file"})
    complete(world, zhou, staff["head1"], {"approval": "approve", "approval_opinion": "同意立案"})
    complete(world, zhou, staff["handler2"], {"facts": "占道经营", "evidence_summary": "照片 3 张",
                                              "legal_basis": "《城市市容和环境卫生管理条例》第十七条",
                                              "proposed_penalty": "warning"})
    xiwan = world.agency(code="xiwan", name="西湾街道综合行政执法队", prefix="西湾综执案")
    outsider = world.user("xiwan_handler", "handler", agency_id=xiwan)
    other = world.register(outsider, party_name="周某某", party_id_number=PERSON_ID, summary="占道经营")
    return {"zhou": zhou, "company": company, "shop": shop, "xiwan": other}


def numbers_of(world, *case_ids) -> set[str]:
    from engine.store.models import Case
    with world.uow() as uow:
        return {uow.session.get(Case, case_id).number for case_id in case_ids}


def api(client, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/api/v1/cases{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def listed(client, query: str = "") -> set[str]:
    return {item["number"] for item in api(client, query)["cases"]}


def page_rows(client, query: str = "") -> list[str]:
    response = client.get(f"/cases{query}")
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def sheet_of(client, query: str = ""):
    response = client.get(f"/cases/export.xlsx{query}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def sheet_numbers(sheet) -> set[str]:
    return {row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] and "〔" in row[0]}


def test_another_agencys_case_never_appears_in_the_page_the_api_or_the_excel(client, world, staff, cases):
    ours, theirs = numbers_of(world, cases["zhou"], cases["company"], cases["shop"]), numbers_of(world, cases["xiwan"])
    login(client, "handler1")
    assert listed(client) == ours and api(client)["total"] == 3
    assert listed(client, "?q=周某某") == numbers_of(world, cases["zhou"])  # the same party elsewhere stays out
    page = " ".join(page_rows(client))
    assert all(number in page for number in ours) and not any(number in page for number in theirs)
    assert sheet_numbers(sheet_of(client)) == ours

    client.get("/logout")
    login(client, "xiwan_handler")
    assert listed(client) == theirs and sheet_numbers(sheet_of(client)) == theirs

    world.user("supervisor1", "supervisor")
    client.get("/logout")
    login(client, "supervisor1")
    assert listed(client) == ours | theirs  # supervisors see every agency, as on the case page


def test_each_filter_narrows_the_list(client, world, staff, cases):
    zhou, company, shop = (numbers_of(world, cases[key]) for key in ("zhou", "company", "shop"))
    login(client, "head1")
    number = next(iter(zhou))
    assert listed(client, f"?q={number}") == zhou
    assert listed(client, "?q=建工") == company
    assert listed(client, f"?q={CREDIT_CODE[-6:]}") == company
    assert listed(client, f"?q={PERSON_ID}") == zhou
    assert listed(client, "?q=100%25") == set()  # % is a literal, not a wildcard
    assert listed(client, "?matter=杂物") == shop
    assert listed(client, "?matter=市容和环境卫生") == zhou  # the legal basis of the investigation report
    assert listed(client, "?stage=investigation") == zhou
    assert listed(client, "?stage=lead") == company | shop
    assert listed(client, "?status=open") == zhou | company | shop and listed(client, "?status=closed") == set()
    assert listed(client, "?from=2026-03-03") == company | shop
    assert listed(client, "?to=2026-03-03") == zhou | company
    assert listed(client, "?from=2026-03-03&to=2026-03-03") == company
    assert listed(client, "?overdue=1") == company
    assert listed(client, "?officer=handler2") == zhou  # worked a task on the case
    assert listed(client, "?officer=head1") == zhou
    assert listed(client, "?officer=nobody") == set()
    assert listed(client, "?stage=lead&overdue=1") == company and listed(client, "?matter=占道&officer=handler2") == zhou

    item = next(item for item in api(client, "?q=建工")["cases"])
    assert item["stage"] == {"code": "lead", "title": "线索初查"} and item["status"] == "open"
    assert item["overdue"] is True and item["next_due_at"].startswith("2026-01-2")
    assert item["registered_at"].startswith("2026-03-03") and item["discovered_at"].startswith("2026-01-05")
    assert set(item) >= {"id", "number", "party_name", "officers"}
    investigated = api(client, "?q=周某某")["cases"][0]
    assert set(investigated["officers"]) == {"handler1", "head1", "handler2"} and investigated["overdue"] is False


def test_the_page_shows_the_filters_the_count_and_an_export_link_carrying_them(client, world, staff, cases):
    login(client, "handler1")
    response = client.get("/cases?q=建工&overdue=1&stage=lead")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "案件台账" in html and "共 1 件" in html
    assert re.search(r'href="/cases/export\.xlsx\?[^"]*q=%E5%BB%BA%E5%B7%A5', html)
    assert "overdue=1" in re.search(r'href="(/cases/export\.xlsx[^"]*)"', html).group(1)
    assert "已超期" in page_rows(client, "?q=建工")[0]
    assert 'href="/cases"' in client.get("/inbox").get_data(as_text=True)  # in the top navigation
    client.get("/language/en")
    english = client.get("/cases").get_data(as_text=True)
    assert "Export to Excel" in english and "Next deadline" in english and "导出Excel" not in english


def test_a_handler_finds_a_case_with_no_task_of_theirs_by_the_partys_name(client, world, staff, cases):
    tasks.claim_task(task_id=world.only_task(cases["shop"]).id, actor=staff["handler1"], **world.deps())
    login(client, "handler2")  # 李记小吃店's only open task is handler1's now: not in handler2's inbox at all
    assert "李记小吃店" not in client.get("/inbox").get_data(as_text=True)
    rows = page_rows(client, "?q=李记")
    assert len(rows) == 1 and "李记小吃店" in rows[0]
    html = client.get("/cases?q=李记").get_data(as_text=True)
    case_link = re.search(r'href="(/cases/\d+)"', html).group(1)
    assert client.get(case_link).status_code == 200


def test_paging_keeps_the_total_and_the_excel_takes_every_filtered_row(client, world, staff, cases):
    with world.uow() as uow:
        clone_case(uow.session, cases["shop"], 120, prefix="李记")
        uow.commit()
    login(client, "handler1")
    first, last = api(client, "?q=李记&limit=50"), api(client, "?q=李记&limit=50&offset=100")
    assert (first["total"], len(first["cases"])) == (121, 50) and (last["total"], len(last["cases"])) == (121, 21)
    assert not {c["id"] for c in first["cases"]} & {c["id"] for c in last["cases"]}
    assert len(page_rows(client, "?q=李记&page=3")) == 21
    assert "第 3 / 3 页" in client.get("/cases?q=李记&page=3").get_data(as_text=True)

    sheet = sheet_of(client, "?q=李记")
    assert [cell.value for cell in sheet[3]][:6] == ["案件编号", "当事人", "证件号码", "执法机关", "状态", "阶段"]
    numbers = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[1] == "李记小吃店"]
    assert len(numbers) == 121
    assert "李记" in sheet["A2"].value  # the conditions it was exported with


def test_the_excel_has_the_filtered_rows_with_chinese_headers(client, world, staff, cases):
    login(client, "handler1")
    sheet = sheet_of(client, "?overdue=1")
    assert sheet.title == "案件台账"
    headers = [cell.value for cell in sheet[3]]
    assert headers == ["案件编号", "当事人", "证件号码", "执法机关", "状态", "阶段", "案情摘要", "发现时间", "登记时间",
                       "最近期限", "是否超期", "办案人员"]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] and "〔" in row[0]]
    assert len(rows) == 1
    assert rows[0][1:7] == ("东城建工集团有限公司", CREDIT_CODE, "东城镇综合行政执法队", "办理中", "线索初查",
                            "夜间施工噪声扰民")
    assert rows[0][10] == "是" and rows[0][8] == "2026-03-03 09:00"


@pytest.mark.parametrize("query, field", [
    ("?limit=abc", "limit"), ("?limit=0", "limit"), ("?limit=5000", "limit"), ("?offset=-1", "offset"),
    ("?from=2026-3-1", "from"), ("?to=yesterday", "to"), ("?from=2026-02-30", "from"), ("?status=pending", "status"),
    ("?overdue=maybe", "overdue"), ("?from=2026-03-05&to=2026-03-01", "to"), ("?q=" + "长" * 101, "q"),
    ("?q=%00", "q"), ("?officer=a%00b", "officer"),
])
def test_bad_parameters_are_a_422_naming_the_field(client, world, staff, query, field):
    login(client, "handler1")
    body = api(client, query, status=422)
    assert body["error"]["code"] == "validation_failed" and field in body["error"]["fields"]
    page = client.get(f"/cases{query}")
    assert page.status_code == 422 and "查询条件有误" in page.get_data(as_text=True)
    assert client.get(f"/cases/export.xlsx{query}").status_code == 422


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/api/v1/cases").status_code == 401
    assert "/login" in client.get("/cases").headers["Location"]
    assert "/login" in client.get("/cases/export.xlsx").headers["Location"]


def test_the_list_never_depends_on_the_real_date(client, world, staff, cases):
    world.clock.set(datetime(2030, 1, 1, tzinfo=CHINA_TZ))  # every running clock is long past its end now
    login(client, "handler1")
    assert api(client, "?overdue=1")["total"] == 3
