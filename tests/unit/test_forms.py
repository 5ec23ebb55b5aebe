from __future__ import annotations

import pytest
from marshmallow import ValidationError

import forms
from forms.validators import is_credit_code, is_resident_id


def test_identity_numbers_are_checked_with_their_check_digit():
    assert is_resident_id("11010519491231002X") and is_resident_id("11010519491231002x")
    assert not is_resident_id("110105194912310021")
    assert is_credit_code("91350100M000100Y43") and not is_credit_code("91350100M000100Y44")


def test_money_is_in_yuan_and_fen_never_negative_nor_absurd():
    report = forms.get("investigation_report")
    base = {"facts": "f", "evidence_summary": "e", "legal_basis": "b", "proposed_penalty": "fine"}
    assert report.validate({**base, "proposed_fine": "200.45"})["proposed_fine"] == 200.45
    assert report.validate({**base, "proposed_fine": "200.450"})["proposed_fine"] == 200.45
    for typed in ("150.555", 150.555):  # a typing slip is refused, never rounded silently
        with pytest.raises(ValidationError) as raised:
            report.validate({**base, "proposed_fine": typed})
        assert raised.value.messages == {"proposed_fine": ["金额最多保留两位小数（分）。"]}
    with pytest.raises(ValidationError) as raised:
        report.validate({**base, "proposed_fine": -1})
    assert raised.value.messages == {"proposed_fine": ["不能小于 0。"]}
    for absurd in ("1000000000000.01", "1e15"):
        with pytest.raises(ValidationError) as raised:
            report.validate({**base, "proposed_fine": absurd})
        assert "不能超过一万亿元" in raised.value.messages["proposed_fine"][0]
    with pytest.raises(ValidationError) as raised:
        report.validate({**base, "proposed_fine": "NaN"})
    assert raised.value.messages == {"proposed_fine": ["格式不正确。"]}
    with pytest.raises(ValidationError) as raised:
        report.validate(base)
    assert raised.value.messages == {"proposed_fine": ["处以罚款的，须填写罚款金额。"]}


def test_party_id_must_match_party_kind():
    lead = forms.get("lead_registration")
    data = {"source": "patrol", "summary": "s", "party_name": "某公司", "party_kind": "organisation",
            "party_id_number": "11010519491231002X", "discovered_at": "2026-03-01T10:00"}
    with pytest.raises(ValidationError) as raised:
        lead.validate(data)
    assert raised.value.messages == {"party_id_number": ["法人或其他组织应填写 18 位统一社会信用代码。"]}
    cleaned = lead.validate({**data, "party_id_number": "91350100M000100Y43"})
    assert cleaned["discovered_at"] == "2026-03-01T10:00:00+08:00"  # a clerk's local time is Beijing time


def test_form_json_lists_fields_with_choices():
    definition = forms.get("filing_approval").as_json()
    assert [f["name"] for f in definition["fields"]] == ["approval", "approval_opinion"]
    assert definition["fields"][0]["choices"][0] == {"value": "approve", "label": "同意承办人意见"}


def test_a_surcharge_above_the_fine_is_refused_citing_article_72():
    payment = forms.get("payment_record")
    typed = {"paid_on": "2026-05-22", "amount_paid": 5000, "receipt_number": "PJ-1"}
    context = {"data": {"fine_amount": 5000.0}}
    assert payment.validate({**typed, "surcharge_paid": 5000}, context)["surcharge_paid"] == 5000
    with pytest.raises(ValidationError) as raised:
        payment.validate({**typed, "surcharge_paid": "5000.01"}, context)
    message = raised.value.messages["surcharge_paid"][0]
    assert "超出罚款数额 5,000.00 元" in message and "行政处罚法第七十二条" in message


def test_dates_outside_1900_to_2100_are_field_errors():
    notice = forms.get("prior_notice")
    typed = {"intended_penalty": "罚款", "hearing_eligible": "no", "service_method": "direct"}
    for year in ("9999-01-01", "0001-01-01", "1899-12-31", "2101-01-01"):
        with pytest.raises(ValidationError) as raised:
            notice.validate({**typed, "notice_date": year})
        assert raised.value.messages == {"notice_date": ["日期应在 1900 年至 2100 年之间，请核对年份。"]}
    hearing = forms.get("hearing_notice")
    with pytest.raises(ValidationError) as raised:
        hearing.validate({"hearing_time": "0001-01-01T00:00", "hearing_place": "p", "hearing_host": "h"})
    assert list(raised.value.messages) == ["hearing_time"]
