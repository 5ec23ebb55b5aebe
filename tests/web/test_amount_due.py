"""The payment step shows what is due, computed by the system (the fine, the late surcharge, what was paid and
what is outstanding), on the task page and in the case's API."""
from __future__ import annotations

from engine.services import tasks

from .conftest import login


def payment_task(world, staff) -> int:
    """An on-the-spot fine of 200 元, not paid on the spot: the payment step is open."""
    case_id = world.register(staff["handler1"], process_id="lead_intake")
    steps = [
        {"findings": "当场查实", "recommendation": "summary"},
        {"facts": "占道经营", "legal_basis": "条例第十七条", "penalty_kind": "fine", "fine_amount": 200,
         "decision_text": "罚款贰佰元", "decision_date": "2026-03-02", "paid_on_spot": "no"},
        {"recipient": "周某某", "served_at": "2026-03-02", "service_method": "on_spot", "party_signed": "yes"},
        {"filed_with_agency_on": "2026-03-02"},
        {"paid_on": "2026-03-02", "amount_paid": 50, "receipt_number": "PJ-1"},
    ]
    for data in steps:
        tasks.complete_task(task_id=world.only_task(case_id).id, actor=staff["handler1"], data=data,
                            **world.deps(runner=True))
    return case_id


def test_the_payment_page_and_the_api_show_what_is_still_due(client, world, staff, token_for):
    case_id = payment_task(world, staff)
    task = world.only_task(case_id)
    assert task.name == "summary_payment"  # the rest is still due
    login(client, "handler1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "应缴金额（系统计算" in page and "150.00" in page and "部分缴纳" in page
    due = client.get(f"/api/v1/cases/{case_id}", headers=token_for("handler1")).get_json()["amount_due"]
    assert {key: due[key] for key in ("fine", "surcharge", "total", "paid", "outstanding")} == {
        "fine": "200.00", "surcharge": "0.00", "total": "200.00", "paid": "50.00", "outstanding": "150.00"}
    assert due["payments"][0]["paid_on"] == "2026-03-02"
