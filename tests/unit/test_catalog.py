from __future__ import annotations

import pytest

from engine.deadlines.catalog import catalog, entry
from engine.deadlines.counting import UNITS


def test_every_time_limit_of_procedure_md_is_in_the_catalog_with_its_legal_basis():
    required = {
        "filing_15wd", "penalty_bar_2y", "evidence_preservation_7wd", "seizure_30d", "emergency_measure_24h",
        "legal_review_10wd", "statement_defence_5wd", "hearing_request_5wd", "hearing_notice_7wd", "decision_90d",
        "service_7wd", "publicity_7wd", "publicity_withdrawal_3wd", "payment_15d", "crime_transfer_decision_3d",
        "crime_transfer_24h", "referral_3wd", "referral_urgent_24h", "complaint_acceptance_7wd",
        "complaint_reply_5wd", "demand_notice_10wd", "court_application_3m", "reconsideration_application_60d",
        "reconsideration_reply_10wd", "reconsideration_decision_60d", "lawsuit_after_reconsideration_15d",
        "direct_lawsuit_6m", "court_defence_15d", "appeal_judgment_15d", "court_acceptance_5wd",
        "onsite_collection_handover_2wd", "onsite_collection_deposit_2wd", "reconsideration_copy_7wd",
        "reconsideration_simplified_copy_3wd", "reconsideration_simplified_reply_5wd",
        "reconsideration_simplified_decision_30d", "reconsideration_application_longstop_1y", "lawsuit_longstop_1y",
    }
    assert required <= set(catalog())
    for item in catalog().values():
        assert item.title and item.basis and item.starts_on and item.unit in UNITS and item.period > 0


def test_the_numbers_match_the_law():
    assert (entry("decision_90d").period, entry("decision_90d").unit) == (90, "day")
    assert "第六十条" in entry("decision_90d").basis
    assert (entry("service_7wd").period, entry("service_7wd").unit) == (7, "workday")
    assert entry("payment_15d").party_side and entry("payment_15d").unit == "day"
    assert (entry("court_application_3m").period, entry("court_application_3m").unit) == (3, "month")


def test_only_unconfirmed_or_practice_values_are_configurable():
    configurable = {key for key, item in catalog().items() if item.configurable}
    assert {"legal_review_10wd", "statement_defence_5wd", "publicity_7wd", "filing_15wd"} <= configurable
    assert "payment_15d" not in configurable and "hearing_request_5wd" not in configurable


@pytest.mark.parametrize("key, period, unit, basis", [
    # 行政执法机关移送涉嫌犯罪案件的规定 Art. 5 ¶2 holds both the 3 days and the 24 hours; Art. 8 is the police's
    ("crime_transfer_24h", 24, "hour", "行政执法机关移送涉嫌犯罪案件的规定第五条第二款；行政处罚法第二十七条"),
    ("crime_transfer_decision_3d", 3, "day", "行政执法机关移送涉嫌犯罪案件的规定第五条第二款"),
    ("service_7wd", 7, "workday", "行政处罚法第六十一条、第八十五条"),
    ("court_acceptance_5wd", 5, "workday", "行政强制法第五十六条、第六十九条"),
    ("onsite_collection_deposit_2wd", 2, "workday", "行政处罚法第七十一条、第八十五条"),
    ("reconsideration_copy_7wd", 7, "workday", "行政复议法第四十八条、第八十八条"),
    ("reconsideration_simplified_copy_3wd", 3, "workday", "行政复议法第五十四条第一款、第八十八条"),
    ("reconsideration_simplified_reply_5wd", 5, "workday", "行政复议法第五十四条第一款、第八十八条"),
    ("reconsideration_decision_60d", 60, "day", "行政复议法第六十二条第一款"),
    ("reconsideration_simplified_decision_30d", 30, "day", "行政复议法第六十二条第二款"),
    ("reconsideration_application_longstop_1y", 1, "year", "行政复议法第二十条第三款"),
    ("lawsuit_longstop_1y", 1, "year", "最高人民法院关于适用《中华人民共和国行政诉讼法》的解释第六十四条"),
])
def test_each_limit_cites_the_article_that_sets_it(key, period, unit, basis):
    item = entry(key)
    assert (item.period, item.unit, item.basis) == (period, unit, basis)


def test_the_long_stops_are_the_partys_and_cannot_be_set_by_an_agency():
    for key in ("reconsideration_application_longstop_1y", "lawsuit_longstop_1y"):
        assert entry(key).party_side and not entry(key).configurable


def test_the_statement_and_defence_period_is_labelled_practice_not_law():
    item = entry("statement_defence_5wd")
    assert item.configurable and "实务" in item.title
    assert item.basis.startswith("本机关可配置的实务做法，非法定期限")
    assert "未规定期限" in item.basis
