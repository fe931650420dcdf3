"""Provisional deadlines: those counted through a year whose State Council holiday notice nobody has entered.

Such a year counts the law's own holidays and weekends (``inspections.workcalendar``), so a deadline that runs
into it may still move: the notice usually adds days off around the holidays and make-up working days. Each
hazard keeps what its deadline was counted from (``deadlines.DeadlineBasis``) and which years were assumed, so:

- ``calendar_status``: what admins need to know (years known, entered, assumed; provisional deadlines waiting);
- ``provisional_changes``: once the notice is entered, each provisional deadline counted again, and what it
  would become, for an admin to decide on (nothing moves by itself: the enterprise was told the date);
- ``apply_changes``: the admin's decision, hazard by hazard, each an audit event on the hazard.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspections import audit, deadlines
from inspections.deadline_records import basis_of
from inspections.enums import ACTIVE_STATUSES, Role
from inspections.errors import Forbidden, InvalidInput
from inspections.models import Hazard, User
from inspections.transitions import commit_or_conflict
from inspections.workcalendar import PACKAGE_VERSION, WorkCalendar, YearSource, package_years


def _active_provisional():
    return select(Hazard).where(
        Hazard.status.in_([s.value for s in ACTIVE_STATUSES]), Hazard.deadline_assumed_years.is_not(None),
    )


@dataclass(frozen=True)
class CalendarStatus:
    """The calendar as deadlines use it today, for the admins."""

    package_version: str
    years_known: list[int]  # in the chinese_calendar package
    years_entered: list[int]  # not in the package, days entered by admins (their notice)
    years_assumed: list[int]  # deadlines can reach them, and neither known nor entered
    provisional_deadlines: int  # hazards still running whose deadline is provisional
    changes_waiting: int  # of those, how many the calendar as it now is would change
    # Hazards still running, recorded before deadlines kept their basis, with a deadline in a year the package
    # does not know: `flask calendar record-bases` recognises them (inspections.legacy_deadlines).
    unrecorded_deadlines: int = 0

    @property
    def warning(self) -> str | None:
        """What an admin must do, in one sentence; None when nothing."""
        parts = []
        if self.years_assumed:
            years = " and ".join(map(str, self.years_assumed))
            notice = "notices" if len(self.years_assumed) > 1 else "notice"
            parts.append(
                f"The State Council's holiday {notice} for {years} {'are' if notice == 'notices' else 'is'} not "
                f"entered: deadlines counted through {years} count the statutory holidays only and are marked "
                f"provisional. Enter the {notice} with PUT /api/v1/calendar/overrides.")
        if self.changes_waiting:
            parts.append(
                f"{self.changes_waiting} provisional deadline(s) would change on the calendar as now entered: see "
                "GET /api/v1/calendar/provisional-changes and decide.")
        if self.unrecorded_deadlines:
            parts.append(
                f"{self.unrecorded_deadlines} running hazard(s) recorded before deadlines kept their basis have a "
                "deadline in a year the calendar package does not know: run `flask --app wsgi calendar record-bases` "
                "so that the provisional ones among them are marked and listed.")
        return " ".join(parts) or None


def calendar_status(session: Session, calendar: WorkCalendar, *, today: date) -> CalendarStatus:
    """Which years are known, entered or assumed, and how many provisional deadlines wait for a decision.

    The years assumed are those a deadline set today could reach (a date asked for up to a year and a day ahead,
    moved past a holiday of under two weeks; a default count ends far sooner), and those of every provisional
    deadline still running.
    """
    first, last = package_years()
    horizon = today + timedelta(days=deadlines.MAX_DEADLINE_DAYS + 14)
    years = set(range(today.year, horizon.year + 1))
    hazards = list(session.scalars(_active_provisional()))
    for hazard in hazards:
        years.update(hazard.deadline_assumed_years or ())
    changes = [change for change in (_change(hazard, calendar, today) for hazard in hazards) if change]
    unrecorded = session.scalar(select(func.count()).select_from(Hazard).where(
        Hazard.status.in_([s.value for s in ACTIVE_STATUSES]), Hazard.deadline_counted_from.is_(None),
        Hazard.deadline > date(last, 12, 31)))
    return CalendarStatus(
        package_version=PACKAGE_VERSION,
        years_known=list(range(first, last + 1)),
        years_entered=sorted(calendar.entered_years),
        years_assumed=sorted(y for y in years if calendar.year_source(y) is YearSource.ASSUMED),
        provisional_deadlines=len(hazards),
        changes_waiting=len(changes),
        unrecorded_deadlines=unrecorded,
    )


@dataclass(frozen=True)
class ProvisionalChange:
    """A provisional deadline counted again on the calendar as it now is."""

    hazard: Hazard
    deadline: date  # in force
    new_deadline: date
    counted_from: date
    working_days: int | None
    assumed_years: list[int]  # the years the deadline in force was counted without their notice
    still_assumed: list[int]  # those the new count still goes through without a notice
    overdue_if_applied: bool

    @property
    def moves(self) -> bool:
        return self.new_deadline != self.deadline


def _change(hazard: Hazard, calendar: WorkCalendar, today: date) -> ProvisionalChange | None:
    basis = basis_of(hazard)
    if basis is None:
        return None
    counted = basis.count(calendar)
    assumed = list(hazard.deadline_assumed_years or [])
    if counted.deadline == hazard.deadline and list(counted.assumed_years) == assumed:
        return None  # still provisional on the same years, same date: nothing to decide yet
    return ProvisionalChange(
        hazard=hazard, deadline=hazard.deadline, new_deadline=counted.deadline, counted_from=basis.counted_from,
        working_days=basis.working_days, assumed_years=assumed, still_assumed=list(counted.assumed_years),
        overdue_if_applied=counted.deadline < today,
    )


def provisional_changes(session: Session, calendar: WorkCalendar, *, today: date) -> list[ProvisionalChange]:
    """Each provisional deadline of a hazard still running that ``calendar`` would change (move it, or confirm it
    as no longer provisional), earliest deadline first."""
    hazards = session.scalars(_active_provisional().order_by(Hazard.deadline, Hazard.id))
    return [change for change in (_change(hazard, calendar, today) for hazard in hazards) if change]


@dataclass(frozen=True)
class AppliedChange:
    hazard_id: uuid.UUID
    outcome: str  # "moved", "confirmed" (same date, no longer provisional), "unchanged" (nothing to apply)
    deadline: date


def apply_changes(
    session: Session, actor: User, hazard_ids: Iterable[uuid.UUID], *, calendar: WorkCalendar, now: datetime,
    today: date,
) -> list[AppliedChange]:
    """An admin's decision: the listed hazards take their deadline counted on ``calendar`` (see
    ``provisional_changes``), each recorded as a ``deadline_recounted`` event. One transaction.

    A hazard with nothing to change (already applied: a retry; or still the same) is left as it is and reported
    ``unchanged``; an id of no hazard is a field error and nothing is applied.
    """
    if actor.role != Role.ADMIN:
        raise Forbidden("Only an admin decides on provisional deadlines.")
    ids = list(dict.fromkeys(hazard_ids))
    found = {h.id: h for h in session.scalars(select(Hazard).where(Hazard.id.in_(ids)))} if ids else {}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise InvalidInput(hazard_ids=f"There is no hazard {', '.join(missing)}.")
    results = []
    for hazard_id in ids:
        hazard = found[hazard_id]
        change = None
        if hazard.status in ACTIVE_STATUSES and hazard.deadline_assumed_years:
            change = _change(hazard, calendar, today)
        if change is None:
            results.append(AppliedChange(hazard.id, "unchanged", hazard.deadline))
            continue
        _apply(session, actor, hazard, change, now=now, today=today)
        results.append(AppliedChange(hazard.id, "moved" if change.moves else "confirmed", change.new_deadline))
    commit_or_conflict(session)
    return results


def _apply(session: Session, actor: User, hazard: Hazard, change: ProvisionalChange, *, now, today) -> None:
    # The original deadline is the one in force until an extension is approved (which always moves it later):
    # it was counted on the same assumption, and the statistics' on-time closure should judge by the right date.
    if hazard.original_deadline == hazard.deadline:
        hazard.original_deadline = change.new_deadline
    hazard.deadline = change.new_deadline
    hazard.deadline_assumed_years = change.still_assumed or None
    if change.moves:
        hazard.due_soon_recorded = False  # the reminder a working day ahead must come for the new date
        if change.new_deadline >= today:
            hazard.overdue_recorded = False
    hazard.updated_at = now
    audit.record_event(
        session, hazard, "deadline_recounted", at=now, actor=actor,
        comment="Counted again on the holiday notice as entered.",
        details={"deadline": change.deadline.isoformat(), "new_deadline": change.new_deadline.isoformat(),
                 "counted_from": change.counted_from.isoformat(), "working_days": change.working_days,
                 "assumed_years": change.assumed_years, "still_assumed": change.still_assumed},
    )

