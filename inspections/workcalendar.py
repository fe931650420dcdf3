"""China's working-day calendar, as the rectification deadlines count it.

Working days follow the State Council's yearly holiday notice, make-up workdays
(调休上班, e.g. a Saturday that is a working day) included, as published in the
``chinese_calendar`` package. That package only knows the years it shipped with
(1.11.0: 2004–2026) and raises ``NotImplementedError`` for any other year, while
the next year's notice usually appears in November. So an editable override
table (date → is_workday, kept in the database by admins) is consulted first in
every year, and dates it does not cover in years the package does not know fall
back to Monday–Friday with a warning, so an unknown year never raises.

Pure: no I/O, no clock; the overrides are handed in by the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)

# Years already warned about, for the whole process: the app builds a calendar
# per request, and one warning per year is enough to tell an admin to act. A
# race between threads can at worst log the same warning twice.
_warned_years: set[int] = set()

# A run of non-working days longer than this means the override table is wrong
# (e.g. a whole year marked as holidays); fail loudly rather than loop forever.
_MAX_NON_WORKING_RUN = 366

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=None)
def _package_knows_year(year: int) -> bool:
    # Ask the package itself rather than reading its private tables: its own
    # range check is what decides whether is_workday() raises.
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _require_date(d: object) -> date:
    # A datetime is a date subclass, but its .date() is in whatever zone it was
    # built in; callers must convert to the district's local date first.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    return d


class WorkCalendar:
    """Working days in mainland China, with admin overrides taking precedence."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Build a calendar; ``overrides`` maps a date to whether it is a working day.

        The mapping is copied, so later edits to the caller's table need a new
        calendar (the app builds one per request from the database).
        """
        self._overrides: dict[date, bool] = {
            _require_date(d): bool(working) for d, working in (overrides or {}).items()
        }

    def knows_year(self, year: int) -> bool:
        """Whether the official calendar for ``year`` is in the chinese_calendar package.

        Override rows do not make a year "known": this answers whether an admin
        needs to enter that year's holidays by hand.
        """
        return _package_knows_year(year)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (make-up workdays count as working days)."""
        d = _require_date(d)
        if d in self._overrides:
            return self._overrides[d]
        if _package_knows_year(d.year):
            return chinese_calendar.is_workday(d)
        self._warn_unknown_year(d.year)
        return d.weekday() < 5  # Monday–Friday

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

    def _warn_unknown_year(self, year: int) -> None:
        if year in _warned_years:
            return
        _warned_years.add(year)
        entered = sum(1 for d in self._overrides if d.year == year)
        logger.warning(
            "chinese_calendar %s has no official holidays for %d; using Monday-Friday "
            "plus %d override row(s) for that year. Enter the State Council's %d "
            "holiday notice in the working-day overrides, or upgrade chinese-calendar.",
            chinese_calendar.__version__,
            year,
            entered,
            year,
        )
