"""The counting rules of procedure.md §3, its worked examples, and properties that must always hold."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import DayEntry, WorkCalendar
from engine.clock import CHINA_TZ
from engine.deadlines.counting import count_period, working_days_before
from engine.deadlines.explain import explain
from engine.statutory_holidays import statutory_holidays

CALENDAR = WorkCalendar()


@pytest.mark.parametrize("start, period, unit, last_day", [
    ("2025-01-24", 3, "workday", "2025-02-05"),   # Spring Festival; 01-26 was a make-up working Sunday
    ("2025-04-30", 7, "workday", "2025-05-14"),
    ("2024-09-27", 5, "workday", "2024-10-10"),
    ("2026-09-30", 7, "workday", "2026-10-15"),
    ("2025-01-14", 15, "day", "2025-02-05"),      # 01-29 is a holiday
    ("2024-09-16", 15, "day", "2024-10-08"),      # 10-01 is a holiday
    ("2025-07-03", 90, "day", "2025-10-09"),      # 10-01 is a holiday
])
def test_worked_examples_of_procedure_md(start, period, unit, last_day):
    count = count_period(CALENDAR, start=date.fromisoformat(start), period=period, unit=unit)
    assert count.last_day == date.fromisoformat(last_day)
    assert not count.provisional


def test_make_up_saturdays_are_working_days():
    # 2025-01-26 (Sunday) was a make-up working day: one working day after Saturday 01-25 is that Sunday
    assert count_period(CALENDAR, start=date(2025, 1, 25), period=1, unit="workday").last_day == date(2025, 1, 26)


def test_month_periods_end_on_the_same_date_or_the_months_last_day():
    assert count_period(CALENDAR, start=date(2024, 1, 31), period=1, unit="month", roll=False).last_day == \
        date(2024, 2, 29)
    assert count_period(CALENDAR, start=date(2023, 1, 31), period=1, unit="month", roll=False).last_day == \
        date(2023, 2, 28)
    # 6 months after 2025-04-05 is 2025-10-05, inside the National Day holiday: it rolls to 10-09
    six = count_period(CALENDAR, start=date(2025, 4, 5), period=6, unit="month")
    assert (six.strict_last_day, six.last_day) == (date(2025, 10, 5), date(2025, 10, 9))


def test_periods_end_at_midnight_beijing_time_and_hours_are_exact():
    count = count_period(CALENDAR, start=date(2025, 4, 30), period=7, unit="workday")
    assert count.due_at == datetime(2025, 5, 15, 0, 0, tzinfo=CHINA_TZ)
    urgent = count_period(CALENDAR, start=datetime(2025, 5, 1, 10, 30, tzinfo=CHINA_TZ), period=24, unit="hour")
    assert urgent.due_at == datetime(2025, 5, 2, 10, 30, tzinfo=CHINA_TZ)  # holidays do not stop hour periods


def test_a_year_without_holiday_data_is_provisional_not_an_error():
    count = count_period(CALENDAR, start=date(2027, 9, 28), period=7, unit="workday")
    assert count.provisional and count.unknown_years == {2027}
    # 09-29, 09-30, then 国庆节 10-01 to 10-03 (holiday measures Art. 2), then 10-04 to 10-08: the make-up
    # working days of the real schedule are not known yet
    assert count.last_day == date(2027, 10, 8)


@pytest.mark.parametrize("start, period, unit, strict, last_day, rest", [
    ("2026-12-30", 2, "workday", "2027-01-04", "2027-01-04", "2027-01-01 元旦"),  # procedure.md §3
    ("2027-09-16", 15, "day", "2027-10-01", "2027-10-04", "2027-10-01 国庆节"),  # procedure.md §3: past 1–3 Oct
    ("2027-04-01", 2, "day", "2027-04-03", "2027-04-06", "2027-04-05 清明节"),   # the solar term, a Monday
    ("2027-04-29", 1, "workday", "2027-04-30", "2027-04-30", "2027-05-01 劳动节"),
    ("2028-05-01", 1, "day", "2028-05-02", "2028-05-03", "2028-05-02 劳动节"),   # a Tuesday, its second day
    ("2027-02-04", 1, "workday", "2027-02-09", "2027-02-09", "2027-02-05 春节"),  # 除夕 02-05 to 初三 02-08
    ("2027-02-04", 1, "workday", "2027-02-09", "2027-02-09", "2027-02-08 春节"),
    ("2027-06-07", 2, "workday", "2027-06-10", "2027-06-10", "2027-06-09 端午节"),  # 农历五月初五
    ("2027-09-13", 2, "day", "2027-09-15", "2027-09-16", "2027-09-15 中秋节"),    # 农历八月十五
])
def test_a_year_without_a_schedule_rests_on_the_holidays_the_national_measures_fix(start, period, unit, strict,
                                                                                 last_day, rest):
    count = count_period(CALENDAR, start=date.fromisoformat(start), period=period, unit=unit)
    assert (count.strict_last_day, count.last_day) == (date.fromisoformat(strict), date.fromisoformat(last_day))
    assert count.provisional
    day, name = rest.split()
    assert not CALENDAR.is_workday(date.fromisoformat(day)) and CALENDAR.rest_name(date.fromisoformat(day)) == name


def test_the_explanation_names_the_assumed_holiday_and_says_provisional():
    count = count_period(CALENDAR, start=date(2027, 9, 16), period=15, unit="day")
    text = explain(starts_on="立案", start=count.start_day, period=15, unit="day", basis="测试", count=count,
                   calendar=CALENDAR, party_side=True)
    assert "届满日 10-01 为法定节假日（国庆节），顺延至 2027-10-04" in text
    assert "2027-10-01 至 10-03 国庆节" in text and "暂定" in text and "全国年节及纪念日放假办法" in text


@pytest.mark.parametrize("year", range(2025, 2027))
def test_the_computed_festivals_are_holidays_in_the_official_schedules_we_have(year):
    # the lunar and solar-term arithmetic agrees with the State Council's own schedules of the years it published
    for day, name in statutory_holidays(year).items():
        assert not CALENDAR.is_workday(day), (day, name)


def test_a_confirmed_year_of_the_table_keeps_only_what_the_table_says():
    calendar = WorkCalendar(confirmed_years=frozenset({2027}))
    count = count_period(calendar, start=date(2027, 9, 28), period=7, unit="workday")
    assert not count.provisional and count.last_day == date(2027, 10, 7)


def test_the_admins_holiday_table_makes_a_new_year_known_and_counts_its_holidays():
    national_day = [DayEntry(date(2027, 10, d), False, "国庆节") for d in range(1, 8)]
    calendar = WorkCalendar(entries={e.day: e for e in national_day}, confirmed_years=frozenset({2027}))
    count = count_period(calendar, start=date(2027, 9, 28), period=7, unit="workday")
    assert not count.provisional
    assert count.last_day == date(2027, 10, 14)
    assert calendar.version != CALENDAR.version


def test_a_correction_in_the_table_overrides_the_packaged_schedule():
    extra = DayEntry(date(2025, 5, 6), False, "临时调整")
    calendar = WorkCalendar(entries={extra.day: extra})
    assert count_period(calendar, start=date(2025, 4, 30), period=7, unit="workday").last_day == date(2025, 5, 15)


def test_hearing_notice_counts_back_working_days():
    # hearing on Monday 2026-03-16: the notice must go out by Thursday 03-05
    assert working_days_before(CALENDAR, date(2026, 3, 16), 7, set()) == date(2026, 3, 5)


days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=300, deadline=None)
@given(start=days, period=st.integers(min_value=1, max_value=40))
def test_a_working_day_deadline_always_lands_on_a_working_day(start, period):
    assert CALENDAR.is_workday(count_period(CALENDAR, start=start, period=period, unit="workday").last_day)


@settings(max_examples=300, deadline=None)
@given(start=days, period=st.integers(min_value=1, max_value=120), unit=st.sampled_from(["day", "month"]))
def test_a_rolled_deadline_lands_on_a_working_day_and_never_earlier(start, period, unit):
    count = count_period(CALENDAR, start=start, period=period, unit=unit)
    assert CALENDAR.is_workday(count.last_day)
    assert count.last_day >= count.strict_last_day > start
    assert count.last_day - count.strict_last_day < timedelta(days=12)


@settings(max_examples=200, deadline=None)
@given(start=days, period=st.integers(min_value=0, max_value=60),
       unit=st.sampled_from(["workday", "day", "month"]))
def test_longer_periods_and_later_starts_never_end_earlier(start, period, unit):
    base = count_period(CALENDAR, start=start, period=period, unit=unit).last_day
    assert count_period(CALENDAR, start=start, period=period + 1, unit=unit).last_day >= base
    assert count_period(CALENDAR, start=start + timedelta(days=1), period=period, unit=unit).last_day >= base


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=date(2027, 1, 1), max_value=date(2060, 12, 31)),
       period=st.integers(min_value=0, max_value=60), unit=st.sampled_from(["workday", "day", "month", "year"]))
def test_any_future_year_gives_a_provisional_answer_never_an_exception(start, period, unit):
    assert count_period(CALENDAR, start=start, period=period, unit=unit).provisional
