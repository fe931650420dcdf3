"""WorkCalendar against the official 2026 holiday notice and the statutory rule for unknown years.

2026 facts (State Council notice on the 2026 holidays, as shipped in chinese-calendar 1.11.0):
- Spring Festival: off Sun 2026-02-15 .. Mon 2026-02-23; make-up workdays Sat 02-14, Sat 02-28.
- Mid-Autumn: off Fri 2026-09-25 .. Sun 2026-09-27 (a separate holiday from National Day in 2026).
- National Day: off Thu 2026-10-01 .. Wed 2026-10-07; make-up workdays Sun 09-20 and Sat 10-10.
"""

from datetime import date, datetime, timedelta

import pytest

from inspections import workcalendar
from inspections.workcalendar import WorkCalendar, YearSource


def days(first, last):
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def test_package_covers_2004_to_2026():
    cal = WorkCalendar()
    assert cal.knows_year(2004) and cal.knows_year(2026)
    assert not cal.knows_year(2003)
    assert not cal.knows_year(2027)
    assert not cal.knows_year(2099)


def test_2026_national_day_and_mid_autumn():
    cal = WorkCalendar()
    mid_autumn = days(date(2026, 9, 25), date(2026, 9, 27))
    national_day = days(date(2026, 10, 1), date(2026, 10, 7))
    for d in mid_autumn + national_day:
        assert not cal.is_workday(d), d
    assert cal.is_workday(date(2026, 9, 20))  # make-up Sunday
    assert cal.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday


def test_2026_spring_festival():
    cal = WorkCalendar()
    for d in days(date(2026, 2, 15), date(2026, 2, 23)):
        assert not cal.is_workday(d), d
    assert cal.is_workday(date(2026, 2, 14))  # make-up Saturday
    assert cal.is_workday(date(2026, 2, 28))  # make-up Saturday
    assert cal.is_workday(date(2026, 2, 24))


def test_add_workdays_skips_national_day_and_counts_make_up_saturday():
    # Mon 09-28 -> 09-29, 09-30, [10-01..10-07 off], 10-08, 10-09, 10-10 (Sat), 10-12, 10-13
    assert WorkCalendar().add_workdays(date(2026, 9, 28), 7) == date(2026, 10, 13)


def test_add_workdays_counts_make_up_sunday():
    # Fri 09-18 -> 09-20 (Sun, make-up), 09-21..09-24, [09-25..09-27 off], 09-28, 09-29
    assert WorkCalendar().add_workdays(date(2026, 9, 18), 7) == date(2026, 9, 29)


def test_add_workdays_never_counts_the_start_day():
    cal = WorkCalendar()
    assert cal.add_workdays(date(2026, 3, 16), 1) == date(2026, 3, 17)  # Monday start
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 3, 16), 0)


def test_next_workday():
    cal = WorkCalendar()
    assert cal.next_workday(date(2026, 10, 9)) == date(2026, 10, 9)  # already a workday
    assert cal.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.next_workday(date(2026, 10, 11)) == date(2026, 10, 12)


def test_previous_workday_is_strictly_before():
    cal = WorkCalendar()
    assert cal.previous_workday(date(2026, 10, 9)) == date(2026, 10, 8)
    assert cal.previous_workday(date(2026, 10, 8)) == date(2026, 9, 30)
    assert cal.previous_workday(date(2026, 10, 12)) == date(2026, 10, 10)  # make-up Saturday


def test_workdays_between_is_half_open_and_inverts_add_workdays():
    cal = WorkCalendar()
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 13)) == 7
    assert cal.workdays_between(date(2026, 10, 13), date(2026, 10, 13)) == 0
    assert cal.workdays_between(date(2026, 10, 13), date(2026, 9, 28)) == 0
    for start in (date(2026, 2, 12), date(2026, 9, 18), date(2026, 12, 30)):
        for n in (1, 7, 30):
            assert cal.workdays_between(start, cal.add_workdays(start, n)) == n


def test_datetimes_are_rejected():
    with pytest.raises(TypeError):
        WorkCalendar().is_workday(datetime(2026, 10, 1, 12, 0))


def test_unknown_year_counts_the_statutory_holidays_and_weekends():
    cal = WorkCalendar()
    assert not cal.is_workday(date(2099, 1, 1))  # Thursday, 元旦
    assert cal.is_workday(date(2099, 1, 2))  # Friday
    assert not cal.is_workday(date(2099, 1, 3))  # Saturday
    assert cal.add_workdays(date(2098, 12, 31), 1) == date(2099, 1, 2)


def test_unknown_year_overrides_win():
    cal = WorkCalendar({date(2099, 1, 1): True, date(2099, 1, 3): True, date(2099, 1, 2): False})
    assert cal.is_workday(date(2099, 1, 1))
    assert cal.is_workday(date(2099, 1, 3))
    assert not cal.is_workday(date(2099, 1, 2))
    # Days without an override keep the statutory rule: 2099-10-01 (Thursday, 国庆) stays off.
    assert not cal.is_workday(date(2099, 10, 1))


def test_where_each_year_comes_from():
    cal = WorkCalendar({date(2027, 2, 9): False, date(2026, 10, 8): False})
    assert cal.year_source(2026) is YearSource.OFFICIAL  # an override in a known year corrects it
    assert cal.year_source(2027) is YearSource.ENTERED
    assert cal.year_source(2028) is YearSource.ASSUMED
    assert cal.entered_years == {2027}
    assert cal.assumed_years(date(2026, 12, 1), date(2028, 1, 5)) == (2028,)
    assert WorkCalendar().assumed_years(date(2026, 12, 1), date(2028, 1, 5)) == (2027, 2028)
    assert WorkCalendar().assumed_years(date(2026, 1, 1), date(2026, 12, 31)) == ()
    assert workcalendar.package_years() == (2004, 2026)


def test_crossing_into_an_unknown_year_skips_new_years_day():
    # Mon 2026-12-28 + 7: 12-29, 12-30, 12-31, [Fri 2027-01-01 元旦], 01-04 .. 01-07.
    assert WorkCalendar().add_workdays(date(2026, 12, 28), 7) == date(2027, 1, 7)
    # An admin who enters the notice decides: here the 1st made a working day, which counts again.
    assert WorkCalendar({date(2027, 1, 1): True}).add_workdays(date(2026, 12, 28), 7) == date(2027, 1, 6)


def test_overrides_win_in_a_known_year():
    cal = WorkCalendar({date(2026, 10, 8): False, date(2026, 10, 1): True})
    assert cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 8))
    assert cal.next_workday(date(2026, 10, 2)) == date(2026, 10, 9)


def test_overrides_are_copied():
    table = {date(2026, 10, 8): False}
    cal = WorkCalendar(table)
    table[date(2026, 10, 8)] = True
    assert not cal.is_workday(date(2026, 10, 8))


def test_a_year_without_workdays_fails_loudly_instead_of_looping():
    all_off = {d: False for d in days(date(2099, 1, 1), date(2100, 3, 1))}
    with pytest.raises(ValueError, match="overrides"):
        WorkCalendar(all_off).next_workday(date(2099, 1, 1))
