from __future__ import annotations

import pytest
from marshmallow import ValidationError

import forms
from forms.validators import is_credit_code, is_resident_id


def test_identity_numbers_are_checked_with_their_check_digit():
    assert is_resident_id("11010519491231002X") and is_resident_id("11010519491231002x")
    assert not is_resident_id("110105194912310021")
    assert is_credit_code("91350100M000100Y43") and not is_credit_code("91350100M000100Y44")


def test_money_is_rounded_and_never_negative():
    report = forms.get("investigation_report")
    base = {"facts": "f", "evidence_summary": "e", "legal_basis": "b", "proposed_penalty": "fine"}
    assert report.validate({**base, "proposed_fine": "200.456"})["proposed_fine"] == 200.46
    with pytest.raises(ValidationError) as raised:
        report.validate({**base, "proposed_fine": -1})
    assert raised.value.messages == {"proposed_fine": ["不能小于 0。"]}
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
