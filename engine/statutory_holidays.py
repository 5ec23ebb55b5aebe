"""The holidays that 全国年节及纪念日放假办法 (2024 revision) Art. 2 fixes for every year.

A year the State Council has not scheduled yet still has them: 元旦 (1 Jan), 春节 (农历除夕 and 正月初一 to 初三),
清明节 (the day of the solar term), 劳动节 (1–2 May), 端午节 (农历五月初五), 中秋节 (农历八月十五) and 国庆节 (1–3 Oct).
The lunar dates and the solar term come from `lunar_python`. What only the yearly schedule says — make-up working
days (调休), bridging days, and the weekday given in lieu of a holiday that falls on a weekend (Art. 6) — is not
known here, which is why a count that relies on these days stays provisional.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

# The text of the revision of 2024-11-10, applied from 2025. Earlier years are covered by the packaged
# schedule back to 2004, so no older version of the measures is reproduced here.
FIRST_YEAR = 2025


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """The rest days of Art. 2 in `year`, each with its festival's name; empty before FIRST_YEAR."""
    if year < FIRST_YEAR:
        return {}
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar_to_solar(year, 1, 1)
    for offset in range(-1, 3):  # 除夕 is the eve of 正月初一, whether the twelfth month has 29 or 30 days
        days[new_year + timedelta(days=offset)] = "春节"
    days[_solar_term(year, "清明")] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[_lunar_to_solar(year, 5, 5)] = "端午节"
    days[_lunar_to_solar(year, 8, 15)] = "中秋节"
    for day in range(1, 4):  # 国庆节 wins where 中秋 falls on 1–3 Oct: it is the longer holiday
        days[date(year, 10, day)] = "国庆节"
    return days


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _solar_term(year: int, name: str) -> date:
    # mid-April lies in the lunar year that began in `year`, whose table holds that spring's solar terms
    solar = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()[name]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())
