"""An admin sets what the agency's documents print (复议机关, 人民法院, 收款账户, 印章文字…) in 管理与监督 › 机关;
every change is audited with who, when, before and after; nobody else may change them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.models import Agency, AuditRecord

from .conftest import csrf_from, login

NEW = {"reconsideration_body": "东城县人民政府", "litigation_court": "东城县人民法院", "payment_bank": "东城农商银行",
       "payment_account_name": "东城县财政局", "payment_account_number": "3301 0000 0000 8888",
       "address": "东城镇人民路 1 号", "telephone": "0571-88880000", "seal_text": "东城镇人民政府"}


def as_user(client, username: str) -> str:
    client.get("/logout")
    login(client, username)
    return csrf_from(client.get("/inbox").get_data(as_text=True))


def agency(world) -> Agency:
    with world.uow() as uow:
        return uow.session.get(Agency, world.agency_id)


def test_an_admin_sets_the_document_settings_and_the_change_is_audited(client, world, staff):
    token = as_user(client, "admin1")
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert "复议机关" in page and "印章文字" in page and "测试银行东城支行" in page  # the current values, editable
    response = client.post(f"/admin/agencies/{world.agency_id}/document-settings",
                           data={"csrf_token": token, **NEW, "telephone": ""}, follow_redirects=True)
    assert "已保存机关文书信息" in response.get_data(as_text=True)
    saved = agency(world)
    assert saved.payment_bank == "东城农商银行" and saved.seal_text == "东城镇人民政府" and saved.telephone is None
    with world.uow() as uow:
        record = uow.session.scalar(select(AuditRecord).where(
            AuditRecord.action == "agency_document_settings_updated"))
    assert record.actor_id == staff["admin1"].user_id and record.at == world.clock.now()
    assert record.data["before"]["payment_bank"] == "测试银行东城支行"
    assert record.data["after"]["payment_bank"] == "东城农商银行" and record.data["after"]["telephone"] is None
    assert "reconsideration_body" not in record.data["after"]  # unchanged settings are not listed as changes
    assert "罚款收款银行" in record.summary
    too_long = client.post(f"/admin/agencies/{world.agency_id}/document-settings",
                           data={"csrf_token": token, **NEW, "seal_text": "章" * 201}, follow_redirects=True)
    assert "印章文字不能超过 200 个字" in too_long.get_data(as_text=True)
    assert agency(world).seal_text == "东城镇人民政府"


@pytest.mark.parametrize("role", ["supervisor", "head", "handler", "reviewer", "designer"])
def test_nobody_but_an_admin_may_change_them(client, world, staff, role):
    world.user(f"{role}_x", role)
    token = as_user(client, f"{role}_x")
    response = client.post(f"/admin/agencies/{world.agency_id}/document-settings",
                           data={"csrf_token": token, **NEW})
    assert response.status_code == 403
    assert agency(world).payment_bank == "测试银行东城支行"
    if role == "supervisor":  # supervisors read the console
        page = client.get("/admin/agencies").get_data(as_text=True)
        assert "测试银行东城支行" in page and 'name="payment_bank"' not in page


def test_the_task_page_says_which_setting_a_refused_decision_lacks(client, world, staff):
    from sqlalchemy import update

    from engine.services import tasks

    case_id = world.register(staff["handler1"], process_id="lead_intake")
    tasks.complete_task(task_id=world.only_task(case_id).id, actor=staff["handler1"], **world.deps(runner=True),
                        data={"findings": "当场查实", "recommendation": "summary"})
    with world.uow() as uow:
        uow.session.execute(update(Agency).where(Agency.id == world.agency_id).values(litigation_court=None))
        uow.commit()
    task_id = world.only_task(case_id).id
    token = as_user(client, "handler1")
    response = client.post(f"/tasks/{task_id}", data={
        "csrf_token": token, "facts": "占道经营", "legal_basis": "条例第十七条", "penalty_kind": "warning",
        "fine_amount": "", "decision_text": "警告", "decision_date": "2026-03-02", "paid_on_spot": "no"})
    assert response.status_code == 422
    assert "本机关尚未设置管辖行政诉讼的人民法院，无法制作《当场行政处罚决定书》" in response.get_data(as_text=True)
    assert world.only_task(case_id).status == "open"
