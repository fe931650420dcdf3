"""Hazards recorded before deadlines kept their basis (migration 0012): what their deadline was counted from,
inferred once, so that those counted through a year without its notice become provisional like any other.

Before, a year the calendar package did not know counted Monday to Friday only (New Year's Day as a working day).
Such a deadline is recognised by counting it again that way: the default period after the local report day, or the
date asked for (``deadline_requested``), or else the deadline itself as a date asked for (an explicit deadline on
a working day, or an approved extension). Nothing moves here: a provisional one then shows in
``provisional.provisional_changes`` for an admin to decide.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections import deadlines
from inspections.deadline_records import basis_of
from inspections.enums import ACTIVE_STATUSES
from inspections.models import Hazard
from inspections.workcalendar import WorkCalendar


@dataclass
class LegacySummary:
    recorded: int = 0  # hazards whose basis was inferred and stored
    provisional: int = 0  # of those, counted through an assumed year


def _inferred_basis(hazard: Hazard, old_rule: WorkCalendar, *, tz: tzinfo,
                    working_days: Mapping[str, int]) -> deadlines.DeadlineBasis:
    if hazard.deadline_requested is not None:
        return deadlines.DeadlineBasis(hazard.deadline_requested)
    if hazard.deadline == hazard.original_deadline and hazard.severity in working_days:
        default = deadlines.default_basis(hazard.reported_at, hazard.severity, tz=tz, working_days=working_days)
        if default.count(old_rule).deadline == hazard.deadline:
            return default
    return deadlines.DeadlineBasis(hazard.deadline)


def record_legacy_bases(
    session: Session, *, calendar: WorkCalendar, tz: tzinfo,
    working_days: Mapping[str, int] = deadlines.DEFAULT_WORKING_DAYS, progress: Callable[[str], None] | None = None,
) -> LegacySummary:
    """Store the inferred basis and assumed years of every hazard still running that has none; idempotent.

    The assumed years are those of ``calendar`` (as it is now) that the count from the basis to the stored deadline
    goes through. Commits every 500 hazards.
    """
    old_rule = calendar.without_law_holidays()
    summary = LegacySummary()
    ids = session.scalars(select(Hazard.id).where(
        Hazard.status.in_([s.value for s in ACTIVE_STATUSES]), Hazard.deadline_counted_from.is_(None))).all()
    for number, hazard_id in enumerate(ids, 1):
        hazard = session.get(Hazard, hazard_id)
        if hazard is None or basis_of(hazard) is not None:
            continue
        basis = _inferred_basis(hazard, old_rule, tz=tz, working_days=working_days)
        assumed = calendar.assumed_years(basis.first_day_counted, hazard.deadline)
        hazard.deadline_counted_from, hazard.deadline_working_days = basis.counted_from, basis.working_days
        hazard.deadline_assumed_years = list(assumed) or None
        summary.recorded += 1
        summary.provisional += bool(assumed)
        if number % 500 == 0:
            session.commit()
            if progress:
                progress(f"{number}/{len(ids)} hazards")
    session.commit()
    return summary
