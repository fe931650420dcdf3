"""The holidays the law fixes (《全国年节及纪念日放假办法》, as amended in 2024), for years without a notice.

The dates below were worked out by hand, not by the library under test: the lunar dates from the Hong Kong
Observatory's Gregorian–lunar calendar conversion tables (公历与农历日期对照表) for 2027 and 2028, the 清明 day from
its table of the 24 solar terms of the same years, the weekdays from a perpetual calendar.

2027: 元旦 Fri 01-01; 春节 正月初一 is Sat 02-06, so 除夕 Fri 02-05 to 初三 Mon 02-08; 清明 Mon 04-05;
      劳动节 Sat 05-01, Sun 05-02; 端午 (五月初五) Wed 06-09; 中秋 (八月十五) Wed 09-15; 国庆 Fri 10-01 to Sun 10-03.
2028: 元旦 Sat 01-01; 春节 正月初一 is Wed 01-26, so 除夕 Tue 01-25 to 初三 Fri 01-28; 清明 Tue 04-04;
      劳动节 Mon 05-01, Tue 05-02; 端午 Sun 05-28; 中秋 Tue 10-03, the same day as 国庆's third; 国庆 Sun 10-01 to Tue 10-03.
"""
from datetime import date

import chinese_calendar
import pytest

from inspections.statutory_holidays import statutory_holidays
from inspections.workcalendar import WorkCalendar

HOLIDAYS_2027 = {
    date(2027, 1, 1): "元旦",
    date(2027, 2, 5): "春节（除夕）",
    date(2027, 2, 6): "春节（正月初一）",
    date(2027, 2, 7): "春节（正月初二）",
    date(2027, 2, 8): "春节（正月初三）",
    date(2027, 4, 5): "清明节",
    date(2027, 5, 1): "劳动节",
    date(2027, 5, 2): "劳动节",
    date(2027, 6, 9): "端午节",
    date(2027, 9, 15): "中秋节",
    date(2027, 10, 1): "国庆节",
    date(2027, 10, 2): "国庆节",
    date(2027, 10, 3): "国庆节",
}

HOLIDAYS_2028 = {
    date(2028, 1, 1): "元旦",
    date(2028, 1, 25): "春节（除夕）",
    date(2028, 1, 26): "春节（正月初一）",
    date(2028, 1, 27): "春节（正月初二）",
    date(2028, 1, 28): "春节（正月初三）",
    date(2028, 4, 4): "清明节",
    date(2028, 5, 1): "劳动节",
    date(2028, 5, 2): "劳动节",
    date(2028, 5, 28): "端午节",
    date(2028, 10, 1): "国庆节",
    date(2028, 10, 2): "国庆节",
    date(2028, 10, 3): "中秋节、国庆节",
}


@pytest.mark.parametrize("year, expected", [(2027, HOLIDAYS_2027), (2028, HOLIDAYS_2028)])
def test_the_statutory_holidays_of_a_year(year, expected):
    assert dict(statutory_holidays(year)) == expected


@pytest.mark.parametrize("year, expected", [(2027, HOLIDAYS_2027), (2028, HOLIDAYS_2028)])
def test_an_unknown_year_counts_them_as_days_off_and_keeps_weekends(year, expected):
    calendar = WorkCalendar()
    assert calendar.knows_year(year) is False  # chinese-calendar 1.11.0 ends with 2026
    for day in expected:
        assert not calendar.is_workday(day), day


def test_working_days_of_2027_and_2028_without_their_notices():
    # 2027: 261 weekdays less the 7 holidays on one (01-01, 02-05, 02-08, 04-05, 06-09, 09-15, 10-01).
    # 2028: 260 weekdays less the 9 on one (01-25 to 01-28, 04-04, 05-01, 05-02, 10-02, 10-03).
    calendar = WorkCalendar()
    assert calendar.workdays_between(date(2026, 12, 31), date(2027, 12, 31)) == 254
    assert calendar.workdays_between(date(2027, 12, 31), date(2028, 12, 31)) == 251
    assert not calendar.is_workday(date(2027, 2, 6))  # a weekend holiday stays a day off
    assert calendar.is_workday(date(2027, 2, 9))  # no longer holiday than the law's four days is guessed
    assert not calendar.is_workday(date(2027, 2, 20))  # and no make-up Saturday


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_rule_agrees_with_the_published_notices(year):
    # Every day the law fixes is a day off in the notices the package ships (2025 and 2026, the amended rules).
    for day, name in statutory_holidays(year).items():
        assert not chinese_calendar.is_workday(day), (day, name)


def test_before_the_amendment_it_is_not_asked():
    with pytest.raises(ValueError):
        statutory_holidays(2024)
