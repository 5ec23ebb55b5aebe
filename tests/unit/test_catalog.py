from __future__ import annotations

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
        "direct_lawsuit_6m", "court_defence_15d", "appeal_judgment_15d",
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
