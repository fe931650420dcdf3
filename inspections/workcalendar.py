"""China's working-day calendar, as the rectification deadlines count it.

Working days follow the State Council's yearly holiday notice, make-up workdays
(调休上班, e.g. a Saturday that is a working day) included, as published in the
``chinese_calendar`` package. That package only knows the years it shipped with
(1.11.0: 2004–2026) and raises ``NotImplementedError`` for any other year, while
the next year's notice usually appears in November and deadlines run into it
long before. So every year has three layers, the first that has the day wins:

1. the override table (date → is_workday, kept in the database by admins), where
   they enter the notice of a year the package does not know, or correct one;
2. the package's official calendar, for the years it knows;
3. for other years, the law's own holidays (``statutory_holidays``: 元旦, 春节 from
   除夕, 清明, 劳动节, 端午, 中秋, 国庆) and weekends: no make-up working days,
   since only the notice sets those.

A year the package does not know and for which no override is entered is
*assumed*: a deadline counted through one of its days is provisional (see
``assumed_years``), since the notice may still move it.

Pure: no I/O, no clock; the overrides are handed in by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache

import chinese_calendar

from inspections.statutory_holidays import FIRST_YEAR as FIRST_STATUTORY_YEAR
from inspections.statutory_holidays import statutory_holidays

# A run of non-working days longer than this means the override table is wrong
# (e.g. a whole year marked as holidays); fail loudly rather than loop forever.
_MAX_NON_WORKING_RUN = 366

_ONE_DAY = timedelta(days=1)

PACKAGE_VERSION: str = chinese_calendar.__version__


class YearSource(str, Enum):
    """Where a year's working days come from."""

    OFFICIAL = "official"  # the chinese_calendar package has the State Council's notice
    ENTERED = "entered"  # not in the package; admins entered days of it in the override table
    ASSUMED = "assumed"  # neither: the statutory holidays and weekends only


@lru_cache(maxsize=None)
def _package_knows_year(year: int) -> bool:
    # Ask the package itself rather than reading its private tables: its own
    # range check is what decides whether is_workday() raises.
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> tuple[int, int]:
    """The first and last year the chinese_calendar package knows (1.11.0: 2004 and 2026)."""
    known = [year for year in range(1990, 2200) if _package_knows_year(year)]
    return known[0], known[-1]


def _require_date(d: object) -> date:
    # A datetime is a date subclass, but its .date() is in whatever zone it was
    # built in; callers must convert to the district's local date first.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    return d


class WorkCalendar:
    """Working days in mainland China, with admin overrides taking precedence."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, *, law_holidays: bool = True) -> None:
        """Build a calendar; ``overrides`` maps a date to whether it is a working day.

        The mapping is copied, so later edits to the caller's table need a new
        calendar (the app builds one per request from the database).
        ``law_holidays=False`` is the rule before the statutory holidays were
        counted (Monday–Friday in unknown years), to recognise deadlines set by it.
        """
        self._overrides: dict[date, bool] = {
            _require_date(d): bool(working) for d, working in (overrides or {}).items()
        }
        self._law_holidays = law_holidays
        self._entered_years = frozenset(d.year for d in self._overrides if not _package_knows_year(d.year))

    def without_law_holidays(self) -> WorkCalendar:
        """This calendar as it counted before the statutory holidays were: Monday–Friday in unknown years."""
        return WorkCalendar(self._overrides, law_holidays=False)

    def knows_year(self, year: int) -> bool:
        """Whether the official calendar for ``year`` is in the chinese_calendar package.

        Override rows do not make a year "known": this answers whether an admin
        needs to enter that year's holidays by hand.
        """
        return _package_knows_year(year)

    @property
    def entered_years(self) -> frozenset[int]:
        """The years outside the package for which admins entered override rows (their notice, as a rule)."""
        return self._entered_years

    def year_source(self, year: int) -> YearSource:
        """Where ``year``'s working days come from: the package, the admins' entries, or the statutory rule alone."""
        if _package_knows_year(year):
            return YearSource.OFFICIAL
        if year in self._entered_years:
            return YearSource.ENTERED
        return YearSource.ASSUMED

    def assumed_years(self, first: date, last: date) -> tuple[int, ...]:
        """The assumed years (no notice in the package, none entered) among the days ``first`` to ``last``, both
        included: a deadline whose count looked at those days may still move when the notice comes."""
        first, last = _require_date(first), _require_date(last)
        return tuple(year for year in range(first.year, last.year + 1)
                     if self.year_source(year) is YearSource.ASSUMED)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (make-up workdays count as working days)."""
        d = _require_date(d)
        if d in self._overrides:
            return self._overrides[d]
        if _package_knows_year(d.year):
            return chinese_calendar.is_workday(d)
        if d.weekday() >= 5:
            return False
        # Before the amended rules (2025) the package knows every year a deadline can touch.
        return not self._law_holidays or d.year < FIRST_STATUTORY_YEAR or d not in statutory_holidays(d.year)

    def next_workday(self, d: date) -> date:
        """The first working day on or after ``d`` (``d`` itself if it is one)."""
        return self._scan(_require_date(d), _ONE_DAY)

    def previous_workday(self, d: date) -> date:
        """The last working day strictly before ``d`` (never ``d`` itself)."""
        return self._scan(_require_date(d) - _ONE_DAY, -_ONE_DAY)

    def add_workdays(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d``; ``d`` itself never counts (n >= 1)."""
        d = _require_date(d)
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        for _ in range(n):
            d = self.next_workday(d + _ONE_DAY)
        return d

    def workdays_between(self, a: date, b: date) -> int:
        """How many working days lie in (a, b]: after ``a``, up to and including ``b``.

        0 when ``b`` is not after ``a``. The inverse of ``add_workdays``:
        ``workdays_between(d, add_workdays(d, n)) == n``.
        """
        a, b = _require_date(a), _require_date(b)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            count += self.is_workday(d)
            d += _ONE_DAY
        return count

    def _scan(self, start: date, step: timedelta) -> date:
        d = start
        for _ in range(_MAX_NON_WORKING_RUN):
            if self.is_workday(d):
                return d
            d += step
        raise ValueError(
            f"no working day within {_MAX_NON_WORKING_RUN} days of {start}; "
            "check the working-day overrides"
        )
