"""加处罚款: 3 % of the fine per day after the payment period, never more than the fine (行政处罚法第七十二条)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.case_functions import surcharge


def test_nothing_is_added_until_the_payment_period_has_ended():
    assert surcharge(Decimal("5000"), date(2026, 4, 15), date(2026, 4, 15)) == Decimal("0.00")
    assert surcharge(Decimal("5000"), date(2026, 4, 15), date(2026, 4, 1)) == Decimal("0.00")


def test_three_percent_per_day_after_the_last_day():
    assert surcharge(Decimal("5000"), date(2026, 4, 15), date(2026, 4, 16)) == Decimal("150.00")
    assert surcharge(Decimal("1234.56"), date(2026, 4, 15), date(2026, 4, 25)) == Decimal("370.37")


def test_the_surcharge_never_exceeds_the_fine():
    assert surcharge(Decimal("5000"), date(2026, 4, 15), date(2026, 5, 19)) == Decimal("5000")
    assert surcharge(Decimal("5000"), date(2026, 4, 15), date(2027, 1, 1)) == Decimal("5000")
