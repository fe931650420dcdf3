"""Rectification deadlines: pure functions over dates, instants and a WorkCalendar.

A deadline is a local *date* in the district's time zone and is due at the end
of that day: the hazard becomes overdue at the local midnight that follows.
Nothing here reads the clock, the configuration or the database; ``now``, the
zone and the calendar are always passed in, so every rule is testable as is.

Instants must be timezone-aware. A naive datetime is a TypeError: guessing its
zone would silently shift reports made near midnight onto the wrong day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType

from inspections.workcalendar import WorkCalendar

# Working days allowed for rectification, by hazard severity. Read-only so that
# no caller can change the default for everyone else by accident.
DEFAULT_WORKING_DAYS: Mapping[str, int] = MappingProxyType({"general": 7, "major": 30})


class DeadlineNotAccepted(ValueError):
    """A deadline typed by hand outside the dates that may be asked for; the message says which dates may."""


class DeadlineInPast(DeadlineNotAccepted):
    """An inspector asked for a deadline before today's local date."""

    def __init__(self, requested: date, today: date) -> None:
        self.requested = requested
        self.today = today
        super().__init__(
            f"the requested deadline {requested.isoformat()} is before today "
            f"({today.isoformat()}, local date); choose today or a later date"
        )


# The furthest a deadline may be set or extended, in days from today: beyond it a date is taken for a slip of the
# keyboard (2062 for 2026) rather than a plan; a longer rectification is extended again when the time comes.
MAX_DEADLINE_DAYS = 366


class DeadlineTooFar(DeadlineNotAccepted):
    """A requested deadline more than ``MAX_DEADLINE_DAYS`` after today's local date."""

    def __init__(self, requested: date, latest: date) -> None:
        self.requested = requested
        self.latest = latest
        super().__init__(
            f"the requested deadline {requested.isoformat()} is more than a year away; choose a date up to "
            f"{latest.isoformat()} (a longer rectification is extended again before that deadline)"
        )


@dataclass(frozen=True)
class DeadlineBasis:
    """What a deadline is counted from, kept with it so that it can be counted again, exactly, on a corrected
    calendar (a year's holiday notice entered after the deadline was set).

    ``working_days`` set: the ``working_days``-th working day after the local day ``counted_from`` (a default
    deadline). ``working_days`` None: the first working day on or after ``counted_from`` (a date asked for).
    """

    counted_from: date
    working_days: int | None = None

    @property
    def first_day_counted(self) -> date:
        """The first day the count looks at: the date asked for itself, or the day after the one counted from."""
        return self.counted_from if self.working_days is None else self.counted_from + timedelta(days=1)

    def count(self, calendar: WorkCalendar) -> DeadlineDecision:
        """The deadline on ``calendar``, with the assumed years its count went through."""
        if self.working_days is None:
            deadline = calendar.next_workday(self.counted_from)
        else:
            deadline = calendar.add_workdays(self.counted_from, self.working_days)
        return DeadlineDecision(
            deadline, moved_from=self.counted_from if self.working_days is None and deadline != self.counted_from
            else None, basis=self, assumed_years=calendar.assumed_years(self.first_day_counted, deadline),
        )


@dataclass(frozen=True)
class DeadlineDecision:
    """The deadline to store, the requested date if it had to move, what it was counted from, and the years
    counted without their State Council notice (non-empty: the deadline is provisional)."""

    deadline: date
    moved_from: date | None = None
    basis: DeadlineBasis | None = None
    assumed_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.assumed_years)


def provisional_reason(assumed_years) -> str | None:
    """Why a deadline counted through ``assumed_years`` may still move, in words for the people it binds; None
    when it was counted on known calendars only."""
    if not assumed_years:
        return None
    years = "、".join(str(year) for year in assumed_years)
    return (
        f"Provisional: the State Council's holiday notice for {years} is not entered yet, so the deadline counts "
        f"the statutory holidays of {years} (元旦, 春节 4 days from 除夕, 清明, 劳动节 2 days, 端午, 中秋, 国庆 3 days) "
        "and weekends, with no make-up working days. An admin decides whether it moves once the notice is entered."
    )


def _require_aware(instant: object, name: str) -> datetime:
    if not isinstance(instant, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise TypeError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant


def _require_tz(tz: object) -> tzinfo:
    # astimezone(None) would silently use the server's zone.
    if not isinstance(tz, tzinfo):
        raise TypeError(f"tz must be a tzinfo such as ZoneInfo('Asia/Shanghai'), got {tz!r}")
    return tz


def _require_date(d: object, name: str) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{name} must be a datetime.date, got {type(d).__name__}")
    return d


def local_date(instant: datetime, tz: tzinfo) -> date:
    """The calendar date of an aware ``instant`` in the district's zone ``tz``."""
    return _require_aware(instant, "instant").astimezone(_require_tz(tz)).date()


def default_basis(
    reported_at: datetime, severity: str, *, tz: tzinfo, working_days: Mapping[str, int] = DEFAULT_WORKING_DAYS,
) -> DeadlineBasis:
    """What the default deadline counts: ``working_days[severity]`` working days after the local report day."""
    try:
        n = working_days[severity]
    except KeyError:
        raise ValueError(
            f"no default working days for severity {severity!r}; known: {sorted(working_days)}"
        ) from None
    return DeadlineBasis(local_date(reported_at, tz), n)


def count_default_deadline(
    reported_at: datetime,
    severity: str,
    *,
    tz: tzinfo,
    calendar: WorkCalendar,
    working_days: Mapping[str, int] = DEFAULT_WORKING_DAYS,
) -> DeadlineDecision:
    """The default deadline with its basis and the assumed years it was counted through (see ``default_deadline``)."""
    return default_basis(reported_at, severity, tz=tz, working_days=working_days).count(calendar)


def default_deadline(
    reported_at: datetime,
    severity: str,
    *,
    tz: tzinfo,
    calendar: WorkCalendar,
    working_days: Mapping[str, int] = DEFAULT_WORKING_DAYS,
) -> date:
    """The default deadline: the N-th working day after the local report day.

    N comes from ``working_days[severity]``. The report day itself never counts,
    even when it is a working day, so a report at 00:00 and one at 23:59 on the
    same local day get the same deadline.
    """
    return count_default_deadline(reported_at, severity, tz=tz, calendar=calendar, working_days=working_days).deadline


def accept_requested_deadline(
    requested: date, *, now: datetime, tz: tzinfo, calendar: WorkCalendar
) -> DeadlineDecision:
    """Validate an inspector's explicit deadline.

    Today (local) or later is accepted; earlier raises ``DeadlineInPast``, and more
    than ``MAX_DEADLINE_DAYS`` ahead ``DeadlineTooFar``. A date that is not a
    working day moves to the next working day, and the decision says where it
    moved from so the UI can tell the inspector.
    """
    requested = _require_date(requested, "requested")
    today = local_date(now, tz)
    if requested < today:
        raise DeadlineInPast(requested, today)
    latest = today + timedelta(days=MAX_DEADLINE_DAYS)
    if requested > latest:
        raise DeadlineTooFar(requested, latest)
    return DeadlineBasis(requested).count(calendar)


def due_at(deadline: date, tz: tzinfo) -> datetime:
    """The aware instant a deadline passes: local midnight at the start of the next day."""
    next_day = _require_date(deadline, "deadline") + timedelta(days=1)
    return datetime.combine(next_day, time.min, tzinfo=_require_tz(tz))


def is_overdue(deadline: date, *, now: datetime, tz: tzinfo, closed: bool) -> bool:
    """Whether an open hazard is past its deadline at ``now``; a closed one never is."""
    # Validate first so a naive `now` is caught even on closed hazards.
    today = local_date(now, tz)
    deadline = _require_date(deadline, "deadline")
    # Comparing local dates (not instants) is the same rule as due_at() and
    # cannot be fooled by a zone whose clocks skip midnight.
    return not closed and today > deadline


def due_soon_date(deadline: date, calendar: WorkCalendar) -> date:
    """The working day before the deadline: when the one-day "due soon" reminder goes out."""
    return calendar.previous_workday(_require_date(deadline, "deadline"))
