"""The inbox page (我的待办): tabs, filters, search, deadline badges, paging, claim / unclaim / assign, nav counts."""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from sqlalchemy import update

from engine.clock import CHINA_TZ
from engine.store.models import Case
from tests.seeding import clone_case

from .conftest import csrf_from, login


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def lead(world, staff, party: str, discovered: str = "2026-03-01T10:00") -> int:
    """A patrol lead: its first task is `lead_check` (案源初查), unassigned in the handler queue."""
    return world.register(staff["handler1"], process_id="lead_intake", source="patrol", party_name=party,
                          discovered_at=f"{discovered}:00+08:00")


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """The table rows of the inbox, each as its text without tags."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def row_of(html: str, party: str) -> str:
    return next(row for row in rows(html) if party in row)


def post(client, url: str, page_html: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(page_html), **data})


def test_tabs_split_mine_from_the_queue(client, world, staff):
    claimed, waiting = lead(world, staff, "认领的"), lead(world, staff, "排队的")
    login(client, "handler1")
    page = html_of(client, "/inbox")
    assert sorted(row.split()[1] for row in rows(page)) == ["排队的", "认领的"]
    claim = post(client, f"/tasks/{world.only_task(claimed).id}/claim", page, next="/inbox?view=mine")
    assert claim.status_code == 302 and claim.headers["Location"] == "/inbox?view=mine"

    mine = html_of(client, "/inbox?view=mine")
    assert [row.split()[1] for row in rows(mine)] == ["认领的"] and "已认领任务。" in mine
    assert 'aria-current="page">我的 <span class="count">(1)</span>' in mine
    queue = html_of(client, "/inbox?view=queue")
    assert [row.split()[1] for row in rows(queue)] == ["排队的"]
    everything = html_of(client, "/inbox")
    assert len(rows(everything)) == 2 and "全部 <span class=\"count\">(2)</span>" in everything
    assert "待认领（承办人）" in row_of(everything, "排队的") and "handler1" in row_of(everything, "认领的")
    assert waiting


def test_stage_and_process_filters_and_their_choices(client, world, staff):
    lead(world, staff, "线索阶段")
    filed = lead(world, staff, "已立案的")
    world.register(staff["handler1"], party_name="示例流程的")  # the small case_lead test process
    with world.uow() as uow:
        uow.session.execute(update(Case).where(Case.id == filed).values(stage="filed"))
        uow.commit()
    login(client, "handler1")
    page = html_of(client, "/inbox")
    assert '<option value="filed">已立案</option>' in page and '<option value="lead">线索初查</option>' in page
    assert '<option value="lead_intake">案源登记与立案审查</option>' in page
    assert '<option value="case_lead">案源处理（示例流程）</option>' in page
    assert "案源登记与立案审查" in row_of(page, "线索阶段") and "线索初查" in row_of(page, "线索阶段")

    assert [r.split()[1] for r in rows(html_of(client, "/inbox?stage=filed"))] == ["已立案的"]
    assert [r.split()[1] for r in rows(html_of(client, "/inbox?process=case_lead"))] == ["示例流程的"]
    both = html_of(client, "/inbox?process=lead_intake&stage=lead")
    assert [r.split()[1] for r in rows(both)] == ["线索阶段"]
    assert '<option value="lead" selected>' in both and '<option value="lead_intake" selected>' in both
    none = html_of(client, "/inbox?stage=archived")
    assert rows(none) == [] and "没有符合筛选条件的待办任务。" in none


def test_search_by_case_number_or_party_takes_percent_and_underscore_literally(client, world, staff):
    lead(world, staff, "100%_纯净水店")
    lead(world, staff, "100ab纯净水店")
    lead(world, staff, "王某某")
    login(client, "handler1")
    assert [r.split()[1] for r in rows(html_of(client, "/inbox?q=100%25_"))] == ["100%_纯净水店"]
    assert [r.split()[1] for r in rows(html_of(client, "/inbox?q=_"))] == ["100%_纯净水店"]
    assert len(rows(html_of(client, "/inbox?q=纯净水"))) == 2
    by_number = html_of(client, "/inbox?q=" + "〔2026〕3号")
    assert [r.split()[1] for r in rows(by_number)] == ["王某某"]
    assert 'value="〔2026〕3号"' in by_number  # the box keeps what was searched


def test_deadline_badges_and_quick_filters_follow_the_clock(client, world, staff):
    lead(world, staff, "早", discovered="2026-02-24T10:00")   # filing deadline 24:00 Monday 03-16
    lead(world, staff, "中", discovered="2026-02-26T10:00")   # 24:00 Wednesday 03-18
    lead(world, staff, "晚", discovered="2026-03-02T08:00")   # 24:00 Monday 03-23
    login(client, "handler1")

    world.clock.set(at("2026-03-13T09:00"))  # a Friday: three working days reach to 24:00 Wednesday 03-18
    page = html_of(client, "/inbox")
    assert [r.split()[1] for r in rows(page)] == ["早", "中", "晚"]
    # working-day clocks count down in working days (today not counted)
    assert 'class="due soon">剩余 1 个工作日' in page             # Monday 03-16 24:00
    assert 'class="due soon">剩余 3 个工作日' in page             # Wednesday 03-18 24:00: soon by working days
    assert 'class="due ok">剩余 6 个工作日' in page
    soon = html_of(client, "/inbox?due=soon")
    assert [r.split()[1] for r in rows(soon)] == ["早", "中"]
    assert rows(html_of(client, "/inbox?due=overdue")) == []
    assert "超期 (0)" in page

    world.clock.set(at("2026-03-17T09:00"))
    page = html_of(client, "/inbox")
    assert 'class="due overdue">已超期 9 小时' in page and 'class="due soon">剩余 1 个工作日' in page
    assert 'class="nav-overdue alert">超期 (1)' in page
    overdue = html_of(client, "/inbox?due=overdue")
    assert [r.split()[1] for r in rows(overdue)] == ["早"]
    assert re.search(r'<a href="/inbox" accesskey="o"\s+class="chip overdue on" aria-pressed="true"', overdue)
    assert [r.split()[1] for r in rows(html_of(client, "/inbox?due=soon"))] == ["中"]

    world.clock.set(at("2026-03-20T09:00"))
    assert "已超期 3 天 9 小时" in html_of(client, "/inbox?due=overdue")


def test_sixty_tasks_are_paged_on_the_server_and_paging_keeps_the_filters(client, world, staff):
    template = lead(world, staff, "批量当事人")
    with world.uow() as uow:
        clone_case(uow.session, template, 59)
        uow.commit()
    login(client, "handler1")
    first = html_of(client, "/inbox?q=批量&view=queue")
    assert len(rows(first)) == 50 and "共 60 项" in first and "第 1 / 2 页" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    assert "q=" in next_link and "view=queue" in next_link and "page=2" in next_link
    second = html_of(client, unescape(next_link))
    assert len(rows(second)) == 10 and "第 2 / 2 页" in second
    previous = unescape(re.search(r'href="([^"]+)" rel="prev"', second).group(1))
    assert "view=queue" in previous and "page=" not in previous
    assert len(rows(html_of(client, "/inbox?page=99"))) == 10  # past the end: the last page
    assert "我的待办 (60)" in second


def test_claim_then_unclaim_returns_the_task_to_the_queue_and_to_the_same_filtered_page(client, world, staff):
    case_id = lead(world, staff, "周某某")
    task_id = world.only_task(case_id).id
    login(client, "handler2")
    page = html_of(client, "/inbox?q=周")
    assert f'action="/tasks/{task_id}/claim"' in page and 'name="next" value="/inbox?q=' in page
    claimed = post(client, f"/tasks/{task_id}/claim", page, next="/inbox?q=%E5%91%A8")
    assert claimed.headers["Location"] == "/inbox?q=%E5%91%A8"
    assert world.only_task(case_id).assignee_id == staff["handler2"].user_id

    page = html_of(client, "/inbox")
    assert f'action="/tasks/{task_id}/unclaim"' in page and "退回" in page
    back = post(client, f"/tasks/{task_id}/unclaim", page, next="//evil.example/")
    assert back.headers["Location"] == "/inbox"  # never off-site
    assert world.only_task(case_id).assignee_id is None
    assert "已退回任务队列。" in html_of(client, "/inbox")

    login_other = client.application.test_client()
    login(login_other, "handler1")
    other_page = html_of(login_other, "/inbox")
    post(login_other, f"/tasks/{task_id}/claim", other_page)
    mine_now = html_of(client, "/inbox")
    assert f'action="/tasks/{task_id}/claim"' not in mine_now and rows(mine_now) == []  # handler1 has it


def test_forms_without_csrf_token_are_refused(client, world, staff):
    case_id = lead(world, staff, "周某某")
    task_id = world.only_task(case_id).id
    login(client, "handler1")
    assert client.post(f"/tasks/{task_id}/claim").status_code == 400
    assert world.only_task(case_id).assignee_id is None


def test_a_head_assigns_to_a_colleague_holding_the_role_in_the_same_agency(client, world, staff):
    case_id = lead(world, staff, "周某某")
    task_id = world.only_task(case_id).id
    xiwan = world.agency("xiwan", "西湾街道综合行政执法队", "西湾综执案")
    outsider = world.user("xiwan_handler", "handler", agency_id=xiwan)

    login(client, "handler1")
    page = html_of(client, "/inbox")
    assert f'/tasks/{task_id}/assign' not in page and "本机关全部" not in page
    refused = post(client, f"/tasks/{task_id}/assign", page, assignee_id=str(staff["handler2"].user_id))
    assert refused.status_code == 403 and world.only_task(case_id).assignee_id is None

    head = client.application.test_client()
    login(head, "head1")
    assert rows(html_of(head, "/inbox")) == []  # a handler's task is not in the head's own inbox...
    page = html_of(head, "/inbox?view=agency")   # ...but in the agency's
    select = re.search(rf'<select id="assign-{task_id}".*?</select>', page, re.S).group(0)
    assert ">handler1</option>" in select and ">handler2</option>" in select
    assert "reviewer1" not in select and "head1" not in select and "xiwan_handler" not in select
    assert f'<label for="assign-{task_id}"' in page
    assert f"/tasks/{task_id}/claim" not in page  # a head cannot work a handler's task, only give it to one

    done = post(head, f"/tasks/{task_id}/assign", page, assignee_id=str(staff["handler2"].user_id),
                next="/inbox?view=agency")
    assert done.status_code == 302 and done.headers["Location"] == "/inbox?view=agency"
    assert world.only_task(case_id).assignee_id == staff["handler2"].user_id
    page = html_of(head, "/inbox?view=agency")
    assert "已指派任务。" in page and "handler2" in row_of(page, "周某某")
    assert ">handler2</option>" not in re.search(rf'<select id="assign-{task_id}".*?</select>', page, re.S).group(0)

    for wrong in (staff["reviewer1"].user_id, outsider.user_id, 424242):
        post(head, f"/tasks/{task_id}/assign", page, assignee_id=str(wrong))
        assert "被指派人须为本机关具有相应角色的在岗人员。" in html_of(head, "/inbox?view=agency")
        assert world.only_task(case_id).assignee_id == staff["handler2"].user_id
    post(head, f"/tasks/{task_id}/assign", page)
    assert "请选择被指派人。" in html_of(head, "/inbox?view=agency")

    their_case = world.register(outsider, process_id="lead_intake", source="patrol", party_name="西湾")
    their_task = world.only_task(their_case).id  # another agency's task: the head may not touch it
    assert post(head, f"/tasks/{their_task}/assign", page,
                assignee_id=str(staff["handler1"].user_id)).status_code == 403
    assert world.only_task(their_case).assignee_id is None


def test_the_navigation_counts_my_open_and_overdue_tasks_on_every_page(client, world, staff):
    early = lead(world, staff, "早", discovered="2026-02-24T10:00")
    lead(world, staff, "晚")
    login(client, "handler1")
    page = html_of(client, "/inbox")
    assert "我的待办 (2)" in page and "超期 (0)" in page
    world.clock.set(at("2026-03-17T09:00"))
    case_page = html_of(client, f"/cases/{early}")
    assert "我的待办 (2)" in case_page and "超期 (1)" in case_page
    assert 'href="/inbox?due=overdue"' in case_page
    login_page = client.application.test_client().get("/login").get_data(as_text=True)
    assert "我的待办 (" not in login_page


def test_another_agencys_tasks_are_never_shown(client, world, staff):
    lead(world, staff, "东城当事人")
    xiwan = world.agency("xiwan", "西湾街道综合行政执法队", "西湾综执案")
    outsider = world.user("xiwan_handler", "handler", agency_id=xiwan)
    world.user("xiwan_head", "head", agency_id=xiwan)
    world.register(outsider, process_id="lead_intake", source="patrol", party_name="西湾当事人")
    login(client, "xiwan_handler")
    for url in ("/inbox", "/inbox?view=queue", "/inbox?view=mine", "/inbox?q=东城", "/inbox?view=agency"):
        assert "东城当事人" not in html_of(client, url)
    assert [r.split()[1] for r in rows(html_of(client, "/inbox"))] == ["西湾当事人"]
    assert "我的待办 (1)" in html_of(client, "/inbox")
    head = client.application.test_client()
    login(head, "xiwan_head")
    agency = html_of(head, "/inbox?view=agency")
    assert "西湾当事人" in agency and "东城当事人" not in agency
