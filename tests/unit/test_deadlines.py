"""Deadline rules: local dates, working days, explicit deadlines and overdue instants.

The 2026 dates used here (State Council notice, as shipped in chinese-calendar 1.11.0):
Spring Festival off 02-15..02-23 with make-up Saturdays 02-14 and 02-28; Mid-Autumn off
09-25..09-27; National Day off 10-01..10-07 with make-up Sun 09-20 and Sat 10-10.
"""

import ast
import inspect
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from inspections import deadlines, statutory_holidays, workcalendar
from inspections.deadlines import (
    DEFAULT_WORKING_DAYS,
    DeadlineBasis,
    DeadlineDecision,
    DeadlineInPast,
    DeadlineTooFar,
    accept_requested_deadline,
    default_deadline,
    due_at,
    due_soon_date,
    is_overdue,
    local_date,
)
from inspections.workcalendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
CAL = WorkCalendar()


def local(*args):
    return datetime(*args, tzinfo=TZ)


def test_defaults():
    assert dict(DEFAULT_WORKING_DAYS) == {"general": 7, "major": 30}
    with pytest.raises(TypeError):
        DEFAULT_WORKING_DAYS["general"] = 1  # shared default must not be mutable


def test_general_hazard_before_national_day_lands_after_it():
    # 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Sat), 10-12, 10-13
    reported = local(2026, 9, 28, 10, 0)
    assert default_deadline(reported, "general", tz=TZ, calendar=CAL) == date(2026, 10, 13)


def test_major_hazard_before_national_day():
    reported = local(2026, 9, 28, 10, 0)
    assert default_deadline(reported, "major", tz=TZ, calendar=CAL) == date(2026, 11, 13)


def test_make_up_sunday_before_mid_autumn_counts():
    # Fri 09-18: 09-20 (make-up Sun), 09-21..09-24, [09-25..09-27 off], 09-28, 09-29
    reported = local(2026, 9, 18, 9, 0)
    assert default_deadline(reported, "general", tz=TZ, calendar=CAL) == date(2026, 9, 29)


def test_spring_festival_deadline_can_fall_on_a_make_up_saturday():
    # Thu 02-12: 02-13, 02-14 (Sat), [02-15..02-23 off], 02-24..02-27, 02-28 (Sat)
    reported = local(2026, 2, 12, 15, 0)
    assert default_deadline(reported, "general", tz=TZ, calendar=CAL) == date(2026, 2, 28)


def test_friday_evening_local_vs_utc():
    friday_2330_local = local(2026, 2, 13, 23, 30)
    same_instant_in_utc = datetime(2026, 2, 13, 15, 30, tzinfo=UTC)
    # Counting from Friday: make-up Sat 02-14 is day 1, the deadline is Mon 03-02.
    for reported in (friday_2330_local, same_instant_in_utc):
        assert local_date(reported, TZ) == date(2026, 2, 13)
        assert default_deadline(reported, "general", tz=TZ, calendar=CAL) == date(2026, 3, 2)
    # Friday 23:30 UTC is already Saturday 07:30 in Shanghai: Saturday 02-14 itself
    # is the report day and no longer counts, so the deadline moves a working day on.
    friday_2330_utc = datetime(2026, 2, 13, 23, 30, tzinfo=UTC)
    assert local_date(friday_2330_utc, TZ) == date(2026, 2, 14)
    assert default_deadline(friday_2330_utc, "general", tz=TZ, calendar=CAL) == date(2026, 3, 3)


def test_report_exactly_at_local_midnight_belongs_to_the_new_day():
    midnight = local(2026, 3, 16, 0, 0)  # Monday 00:00 Shanghai = Sunday 16:00 UTC
    assert local_date(midnight, TZ) == date(2026, 3, 16)
    assert default_deadline(midnight, "general", tz=TZ, calendar=CAL) == date(2026, 3, 25)
    just_before = local(2026, 3, 15, 23, 59, 59, 999999)  # still Sunday: Monday counts
    assert default_deadline(just_before, "general", tz=TZ, calendar=CAL) == date(2026, 3, 24)


def test_custom_working_days_and_unknown_severity():
    reported = local(2026, 9, 30, 10, 0)
    assert default_deadline(
        reported, "general", tz=TZ, calendar=CAL, working_days={"general": 1}
    ) == date(2026, 10, 8)
    with pytest.raises(ValueError, match="critical"):
        default_deadline(reported, "critical", tz=TZ, calendar=CAL)


def test_naive_datetimes_and_missing_zone_are_type_errors():
    with pytest.raises(TypeError):
        default_deadline(datetime(2026, 9, 28, 10, 0), "general", tz=TZ, calendar=CAL)
    with pytest.raises(TypeError):
        local_date(local(2026, 9, 28, 10, 0), None)
    with pytest.raises(TypeError):
        is_overdue(date(2026, 10, 13), now=datetime(2026, 10, 14), tz=TZ, closed=True)
    with pytest.raises(TypeError):
        accept_requested_deadline(
            date(2026, 10, 13), now=datetime(2026, 10, 1, 9, 0), tz=TZ, calendar=CAL
        )


def test_requested_sunday_moves_to_monday_and_says_so():
    decision = accept_requested_deadline(
        date(2026, 3, 22), now=local(2026, 3, 18, 9, 0), tz=TZ, calendar=CAL
    )
    assert decision == DeadlineDecision(deadline=date(2026, 3, 23), moved_from=date(2026, 3, 22),
                                        basis=DeadlineBasis(date(2026, 3, 22)))
    assert not decision.provisional


def test_requested_holiday_moves_past_national_day():
    decision = accept_requested_deadline(
        date(2026, 10, 1), now=local(2026, 9, 28, 9, 0), tz=TZ, calendar=CAL
    )
    assert (decision.deadline, decision.moved_from) == (date(2026, 10, 8), date(2026, 10, 1))


def test_requested_make_up_saturday_stays():
    decision = accept_requested_deadline(
        date(2026, 10, 10), now=local(2026, 9, 28, 9, 0), tz=TZ, calendar=CAL
    )
    assert (decision.deadline, decision.moved_from) == (date(2026, 10, 10), None)


def test_requested_today_is_accepted():
    decision = accept_requested_deadline(
        date(2026, 3, 18), now=local(2026, 3, 18, 23, 59), tz=TZ, calendar=CAL
    )
    assert (decision.deadline, decision.moved_from) == (date(2026, 3, 18), None)


def test_requested_past_date_raises():
    with pytest.raises(DeadlineInPast) as caught:
        accept_requested_deadline(
            date(2026, 3, 17), now=local(2026, 3, 18, 9, 0), tz=TZ, calendar=CAL
        )
    assert isinstance(caught.value, ValueError)
    assert (caught.value.requested, caught.value.today) == (date(2026, 3, 17), date(2026, 3, 18))
    assert "2026-03-17" in str(caught.value) and "2026-03-18" in str(caught.value)


def test_a_deadline_more_than_a_year_away_is_refused():
    today = local(2026, 3, 18, 9, 0)
    # 2027-03-19 (a Friday) is the last day that can be asked for: a year and a day.
    assert accept_requested_deadline(date(2027, 3, 19), now=today, tz=TZ, calendar=CAL).deadline == date(2027, 3, 19)
    for typo in (date(2027, 3, 20), date(2062, 3, 18), date(9999, 12, 31)):
        with pytest.raises(DeadlineTooFar) as caught:
            accept_requested_deadline(typo, now=today, tz=TZ, calendar=CAL)
        assert isinstance(caught.value, ValueError)
        assert (caught.value.requested, caught.value.latest) == (typo, date(2027, 3, 19))
        assert typo.isoformat() in str(caught.value) and "2027-03-19" in str(caught.value)


def test_past_is_judged_by_the_local_date():
    # 16:30 UTC on 03-17 is already 00:30 on 03-18 in Shanghai, so 03-17 is in the past.
    with pytest.raises(DeadlineInPast):
        accept_requested_deadline(
            date(2026, 3, 17), now=datetime(2026, 3, 17, 16, 30, tzinfo=UTC), tz=TZ, calendar=CAL
        )


def test_due_at_is_local_midnight_after_the_deadline_day():
    instant = due_at(date(2026, 10, 13), TZ)
    assert instant == local(2026, 10, 14, 0, 0)
    assert instant == datetime(2026, 10, 13, 16, 0, tzinfo=UTC)


def test_is_overdue_from_local_midnight():
    deadline = date(2026, 10, 13)
    last_second = local(2026, 10, 13, 23, 59, 59)
    midnight = local(2026, 10, 14, 0, 0, 0)
    assert not is_overdue(deadline, now=last_second, tz=TZ, closed=False)
    assert is_overdue(deadline, now=midnight, tz=TZ, closed=False)
    # Same rule with `now` expressed in UTC, and consistent with due_at().
    assert is_overdue(deadline, now=datetime(2026, 10, 13, 16, 0, tzinfo=UTC), tz=TZ, closed=False)
    one_second_before = datetime(2026, 10, 13, 15, 59, 59, tzinfo=UTC)
    assert not is_overdue(deadline, now=one_second_before, tz=TZ, closed=False)
    assert midnight == due_at(deadline, TZ)


def test_closed_is_never_overdue():
    assert not is_overdue(date(2026, 10, 13), now=local(2027, 6, 1, 12, 0), tz=TZ, closed=True)


def test_due_soon_is_the_working_day_before():
    assert due_soon_date(date(2026, 10, 13), CAL) == date(2026, 10, 12)
    assert due_soon_date(date(2026, 10, 12), CAL) == date(2026, 10, 10)  # make-up Saturday
    assert due_soon_date(date(2026, 10, 8), CAL) == date(2026, 9, 30)  # across the holiday


@pytest.mark.parametrize("module", [deadlines, workcalendar, statutory_holidays])
def test_pure_modules_import_no_framework(module):
    forbidden = {"flask", "flask_smorest", "sqlalchemy", "api", "media"}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not {name.split(".")[0] for name in names} & forbidden, names


# Deadlines into a year whose State Council notice is not known (issue 13.5). 2027's statutory holidays, worked out
# by hand in tests/unit/test_statutory_holidays.py: 元旦 Fri 01-01; 春节 Fri 02-05 (除夕) to Mon 02-08.


def test_a_major_hazard_of_2026_12_04_skips_new_years_day_2027_and_is_provisional():
    # Fri 2026-12-04 + 30 working days: Dec 7-31 give 19, [Fri 2027-01-01 元旦], Jan 4-15 give 10 more, Mon 01-18.
    # Monday-Friday alone made it Fri 01-15, counting New Year's Day.
    decision = deadlines.count_default_deadline(local(2026, 12, 4, 10, 0), "major", tz=TZ, calendar=CAL)
    assert decision.deadline == date(2027, 1, 18)
    assert decision.basis == DeadlineBasis(date(2026, 12, 4), 30)
    assert decision.provisional and decision.assumed_years == (2027,)
    assert "2027" in deadlines.provisional_reason(decision.assumed_years)


def test_a_deadline_counted_inside_a_known_year_is_not_provisional():
    decision = deadlines.count_default_deadline(local(2026, 12, 4, 10, 0), "general", tz=TZ, calendar=CAL)
    assert decision.deadline == date(2026, 12, 15)
    assert not decision.provisional and deadlines.provisional_reason(decision.assumed_years) is None


def test_a_deadline_into_a_year_whose_notice_is_entered_is_not_provisional():
    entered = WorkCalendar({date(2027, 1, 1): False})
    decision = deadlines.count_default_deadline(local(2026, 12, 4, 10, 0), "major", tz=TZ, calendar=entered)
    assert (decision.deadline, decision.assumed_years) == (date(2027, 1, 18), ())


def test_a_requested_spring_festival_eve_moves_past_the_four_days_and_is_provisional():
    decision = accept_requested_deadline(date(2027, 2, 5), now=local(2026, 12, 4, 9, 0), tz=TZ, calendar=CAL)
    assert (decision.deadline, decision.moved_from) == (date(2027, 2, 9), date(2027, 2, 5))
    assert decision.basis == DeadlineBasis(date(2027, 2, 5)) and decision.assumed_years == (2027,)


def test_a_basis_counts_again_on_the_notice_once_entered():
    basis = DeadlineBasis(date(2026, 12, 4), 30)
    # A notice that gave Mon 2027-01-04 off as well (a made-up example): the count moves by one working day.
    notice = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 4): False})
    assert basis.count(CAL).deadline == date(2027, 1, 18)
    assert basis.count(notice).deadline == date(2027, 1, 19) and not basis.count(notice).provisional
