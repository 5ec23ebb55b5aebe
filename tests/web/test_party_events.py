"""The case page offers what the party did outside the agency — a reconsideration, a lawsuit — to those who may
register it, and the registration page refuses what the law forbids while keeping what was typed."""
from __future__ import annotations

from .conftest import csrf_from, login
from .test_amount_due import payment_task


def test_a_handler_registers_a_reconsideration_from_the_case_page(client, world, staff):
    case_id = payment_task(world, staff)  # an on-the-spot fine, decided and served on 2026-03-02
    login(client, "handler1")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "当事人事项" in page and f"/cases/{case_id}/events/reconsideration_filed" in page
    assert f"/cases/{case_id}/events/decision_revoked" not in page
    assert f"/cases/{case_id}/events/payment_deferral_applied" in page  # the payment step awaits it
    assert "应缴金额（系统计算" in page and "150.00" in page  # what is owed, on the case page too

    form = client.get(f"/cases/{case_id}/events/reconsideration_filed").get_data(as_text=True)
    assert "收到复议申请书副本日期" in form
    typed = {"received_on": "2030-01-01", "applicant": "周某某", "reconsideration_body": "县人民政府",
             "csrf_token": csrf_from(form)}
    refused = client.post(f"/cases/{case_id}/events/reconsideration_filed", data=typed)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "不能填写将来的日期" in body
    assert 'value="县人民政府"' in body and 'value="周某某"' in body  # what was typed stays
    assert "登记行政复议申请：" not in client.get(f"/cases/{case_id}").get_data(as_text=True)  # nothing registered

    done = client.post(f"/cases/{case_id}/events/reconsideration_filed", data={**typed, "received_on": "2026-03-02"})
    assert done.status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "登记行政复议申请：收到复议申请书副本日期 2026-03-02" in page  # the full-process record says what
    assert f"/cases/{case_id}/events/reconsideration_filed" not in page  # one per decision
    again = client.post(f"/cases/{case_id}/events/reconsideration_filed", data={**typed, "received_on": "2026-03-02"})
    assert again.status_code == 409 and "正在办理中" in again.get_data(as_text=True)


def test_a_supervisor_sees_no_party_actions_and_cannot_register_one(client, world, staff):
    world.user("supervisor1", "supervisor")
    case_id = payment_task(world, staff)
    login(client, "supervisor1")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "当事人事项" not in page
    form = client.get(f"/cases/{case_id}/events/lawsuit_filed").get_data(as_text=True)
    refused = client.post(f"/cases/{case_id}/events/lawsuit_filed",
                          data={"received_on": "2026-03-02", "court": "县人民法院", "csrf_token": csrf_from(form)})
    assert refused.status_code == 403 and "只有本案机关的承办人或负责人" in refused.get_data(as_text=True)
