"""行政执法公示: the public page shows published decisions, masked, without login; a withdrawal takes them off."""
from __future__ import annotations

import re
from datetime import timedelta

from engine.actors import Actor
from engine.services.publication import publish, withdraw
from engine.store.models import Publication

from .conftest import login

FULL_ID = "330102198503150010"
DECISION = {"penalty_kind": "fine", "fine_amount": 500, "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
            "decision_text": "罚款人民币伍佰元整。", "decision_date": "2026-03-18"}


def publish_decision(world, case_id: int, **data) -> int:
    with world.uow() as uow:
        row = publish(uow.session, case_id=case_id, actor=Actor.system("测试"), clock=world.clock,
                      data={**DECISION, **data})
        uow.session.flush()
        publication_id = row.id
        uow.commit()
    return publication_id


def withdraw_decision(world, case_id: int) -> None:
    with world.uow() as uow:
        assert withdraw(uow.session, case_id=case_id, reason="行政复议决定撤销原处罚决定", actor=Actor.system("测试"),
                        clock=world.clock)
        uow.commit()


def person_case(world, staff, name="周小明", **overrides) -> int:
    return world.register(staff["handler1"], party_name=name, party_kind="person", party_id_number=FULL_ID,
                          **overrides)


def test_the_list_shows_the_masked_party_without_login(client, world, staff):
    case_id = person_case(world, staff, summary="巡查发现占道经营（内部线索）", location="人民路 88 号")
    publish_decision(world, case_id)
    response = client.get("/public/decisions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "行政执法公示" in html
    assert "周*明" in html and "330102********0010" in html
    assert FULL_ID not in html and "周小明" not in html
    for shown in ("东城综执案〔2026〕1号", "东城镇综合行政执法队", "罚款", "¥500.00", "第三十六条", "2026-03-18"):
        assert shown in html, shown
    for internal in ("内部线索", "人民路 88 号"):  # nothing read from the case itself
        assert internal not in html
    assert "我的待办" not in html and "退出" not in html and "/logout" not in html  # not the staff layout
    assert "Set-Cookie" not in response.headers
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert re.findall(r'<link\b[^>]*href="([^"]+)"', html) == ["/static/public.css"]
    assert "<script" not in html


def test_the_detail_page_escapes_html_in_the_decision(client, world, staff):
    case_id = person_case(world, staff)
    publication_id = publish_decision(world, case_id, decision_text='<script>alert("x")</script><b>罚款</b>',
                                      legal_basis="<i>条例</i>第三十六条")
    html = client.get(f"/public/decisions/{publication_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;罚款&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>罚款" not in html and "<i>条例" not in html
    assert "周*明" in html and "330102********0010" in html and FULL_ID not in html
    listing = client.get("/public/decisions").get_data(as_text=True)
    assert "&lt;i&gt;条例&lt;/i&gt;" in listing and "<i>条例" not in listing


def test_search_by_party_or_case_number_treats_wildcards_as_text(client, world, staff):
    zhou = person_case(world, staff, name="周小明")
    company = world.register(staff["handler1"], party_name="东城100%_建材有限公司", party_kind="organisation",
                             party_id_number="91330100MA27Q8R9XF")
    publish_decision(world, zhou)
    publish_decision(world, company, penalty_kind="warning", fine_amount=None)

    def found(query: str) -> set[str]:
        html = client.get("/public/decisions", query_string={"q": query}).get_data(as_text=True)
        return set(re.findall(r"东城综执案〔2026〕\d+号", html))

    assert found("周") == {"东城综执案〔2026〕1号"}
    assert found("建材") == {"东城综执案〔2026〕2号"}
    assert found("〔2026〕2号") == {"东城综执案〔2026〕2号"}
    assert found("100%_") == {"东城综执案〔2026〕2号"}
    assert found("东城%公司") == set()  # % is not a wildcard
    assert found("周_明") == set()  # nor is _
    assert found("周小明") == set()  # only the masked name was published: no one can confirm a full name
    assert found("") == {"东城综执案〔2026〕1号", "东城综执案〔2026〕2号"}
    html = client.get("/public/decisions", query_string={"q": '<img src=x onerror="alert(1)">'}).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_a_withdrawn_decision_disappears_and_its_page_is_404(client, world, staff):
    kept, revoked = person_case(world, staff, name="李四"), person_case(world, staff, name="周小明")
    publish_decision(world, kept)
    publication_id = publish_decision(world, revoked)
    assert client.get(f"/public/decisions/{publication_id}").status_code == 200
    assert "周*明" in client.get("/public/decisions").get_data(as_text=True)

    withdraw_decision(world, revoked)
    listing = client.get("/public/decisions").get_data(as_text=True)
    assert "周*明" not in listing and "李*" in listing and "共 1 条" in listing
    gone = client.get(f"/public/decisions/{publication_id}")
    assert gone.status_code == 404 and "未找到" in gone.get_data(as_text=True)
    assert "我的待办" not in gone.get_data(as_text=True)
    assert client.get("/public/decisions/999999").status_code == 404


def test_twenty_a_page_newest_first(client, world, staff):
    case_id = person_case(world, staff)
    with world.uow() as uow:
        start = world.clock.now()
        for n in range(1, 23):
            uow.session.add(Publication(
                case_id=case_id, agency_id=world.agency_id, case_number=f"东城综执案〔2026〕{n}号", party_name="周*明",
                party_id_number=None, penalty_kind="warning", fine_amount=None, decision_summary="警告",
                legal_basis="条例", decision_date="2026-03-18", published_on=start.date(),
                published_at=start + timedelta(minutes=n)))
        uow.commit()
    first = client.get("/public/decisions").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r"东城综执案〔2026〕(\d+)号", first)]
    assert numbers == list(range(22, 2, -1))  # 20, newest first
    assert "共 22 条" in first and "第 1 / 2 页" in first and 'href="/public/decisions?page=2"' in first
    second = client.get("/public/decisions?page=2").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"东城综执案〔2026〕(\d+)号", second)] == [2, 1]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    searched = client.get("/public/decisions", query_string={"q": "周", "page": 2}).get_data(as_text=True)
    assert 'href="/public/decisions?q=%E5%91%A8&amp;page=1"' in searched
    assert client.get("/public/decisions?page=99").status_code == 200
    assert client.get("/public/decisions?page=abc").status_code == 200


def test_staff_logged_in_see_the_same_public_page(client, world, staff):
    publish_decision(world, person_case(world, staff))
    login(client, "handler1")
    response = client.get("/public/decisions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "周*明" in html and FULL_ID not in html and "我的待办" not in html
    assert "public" not in response.headers["Cache-Control"] or "Set-Cookie" not in response.headers
