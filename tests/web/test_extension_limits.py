"""Extensions offered and refused where people ask for them: the console offers one only on a clock the law lets
the agency extend, up to its limit; the API answers a request beyond the law with a 422 naming the field."""
from __future__ import annotations

import re

from engine.deadlines.scope import DeadlineScope, deadline_scope, start_deadline
from engine.deadlines.calendar_store import load_calendar

from .conftest import csrf_from, login


def a_lead(world, staff) -> int:
    """A registered lead (its 15-working-day filing clock runs) with the party's payment clock beside it."""
    case_id = world.register(staff["handler1"])
    with world.uow() as uow:
        scope = DeadlineScope(session=uow.session, case_id=case_id, agency_id=world.agency_id, instance_id=None,
                              clock=world.clock, actor=staff["head1"], calendar=load_calendar(uow.session))
        with deadline_scope(scope):
            start_deadline("payment_15d")
        uow.commit()
    return case_id


def extension_forms(html: str) -> list[str]:
    return re.findall(r'deadlines/(\w+)/extend"', html)


def test_the_console_offers_an_extension_only_where_the_law_allows_and_up_to_its_limit(client, world, staff):
    case_id = a_lead(world, staff)
    login(client, "admin1")
    page = client.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert extension_forms(page) == ["filing_15wd"]  # the party's payment clock is never the agency's to extend
    assert 'name="period" min="1" max="15"' in page
    assert "「立案审查期限」经负责人批准只能延长一次，最多十五个工作日" in page
    form = {"csrf_token": csrf_from(page), "approver_id": staff["head1"].user_id, "approval_ref": "延期审批表 1 号",
            "reason": "需检测鉴定"}
    refused = client.post(f"/admin/cases/{case_id}/deadlines/filing_15wd/extend", data={**form, "period": "16"},
                          follow_redirects=True).get_data(as_text=True)
    assert "只能延长一次，最多十五个工作日" in refused and extension_forms(refused) == ["filing_15wd"]
    refused = client.post(f"/admin/cases/{case_id}/deadlines/payment_15d/extend", data={**form, "period": "5"},
                          follow_redirects=True).get_data(as_text=True)
    assert "「缴纳罚款期限」是当事人的期限，行政机关不能延长" in refused
    done = client.post(f"/admin/cases/{case_id}/deadlines/filing_15wd/extend", data={**form, "period": "15"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已登记负责人批准的延期" in done
    assert extension_forms(done) == [] and "依法不能再延长" in done


def test_the_api_refuses_an_extension_beyond_the_law_with_a_field_error(client, world, staff, token_for):
    case_id = a_lead(world, staff)
    head = token_for("head1")
    url = f"/api/v1/cases/{case_id}/deadlines/filing_15wd/extend"
    beyond = client.post(url, json={"period": 16, "reason": "需检测鉴定"}, headers=head)
    assert beyond.status_code == 422
    assert "最多十五个工作日" in beyond.get_json()["error"]["fields"]["period"][0]
    wordy = client.post(url, json={"period": 15, "reason": "理" * 100_000}, headers=head)
    assert wordy.status_code == 422 and "reason" in wordy.get_json()["error"]["fields"]
    assert client.post(url, json={"period": 15, "reason": "需检测鉴定"}, headers=head).status_code == 200
    again = client.post(url, json={"period": 1, "reason": "还要一天"}, headers=head)
    assert again.status_code == 422 and "只能延长一次" in again.get_json()["error"]["message"]
    party = client.post(f"/api/v1/cases/{case_id}/deadlines/payment_15d/extend",
                        json={"period": 5, "reason": "当事人请求"}, headers=head)
    assert party.status_code == 422 and "当事人的期限" in party.get_json()["error"]["message"]
    body = client.get(f"/api/v1/cases/{case_id}", headers=head).get_json()
    filing = next(d for d in body["deadlines"] if d["key"] == "filing_15wd")
    assert [e["period"] for e in filing["extensions"]] == [15]


def test_the_catalog_tells_a_client_who_may_extend_each_clock_by_how_much_and_how_often(client, staff, token_for):
    listed = {d["key"]: d for d in client.get("/api/v1/deadline-catalog", headers=token_for("head1"))
              .get_json()["deadlines"]}
    assert listed["seizure_30d"]["extension"] == {"by": "head", "max": 30, "times": 1, "further": None,
                                                  "basis": "行政强制法第二十五条"}
    assert listed["decision_90d"]["extension"]["further"] == "collective_discussion"
    assert listed["payment_15d"]["extension"] is None and listed["first_instance_6m"]["court"] is True
