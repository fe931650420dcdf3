"""The deadline sweep, run from cron: records ``due_soon`` one working day before a deadline and
``overdue`` once the deadline day is over, each exactly once per hazard.

Safe to run every minute and to overlap with itself: each hazard is marked in its own small transaction,
and of two sweeps marking the same hazard only one commits (the row's version check).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections import audit, deadlines
from inspections.enums import ACTIVE_STATUSES
from inspections.errors import Conflict
from inspections.models import Hazard
from inspections.transitions import commit_or_conflict
from inspections.workcalendar import WorkCalendar


@dataclass
class SweepSummary:
    overdue: int = 0
    due_soon: int = 0
    skipped: int = 0  # changed by someone else while we looked: the next run picks them up
    errors: list[str] = field(default_factory=list)


def sweep_deadlines(
    session: Session, *, now: datetime, tz: tzinfo, calendar: WorkCalendar,
    progress: Callable[[str], None] | None = None,
) -> SweepSummary:
    """Record what is due soon and what became overdue; return how many of each."""
    today = deadlines.local_date(now, tz)
    summary = SweepSummary()
    active = [s.value for s in ACTIVE_STATUSES]
    overdue_ids = session.scalars(
        select(Hazard.id).where(Hazard.status.in_(active), Hazard.deadline < today, Hazard.overdue_recorded.is_(False))
    ).all()
    # Due soon: from the working day before the deadline until the deadline. The longest holiday is under
    # two weeks, so this window holds every candidate; _mark decides on the calendar.
    due_ids = session.scalars(
        select(Hazard.id).where(
            Hazard.status.in_(active), Hazard.deadline >= today, Hazard.deadline <= today + timedelta(days=14),
            Hazard.due_soon_recorded.is_(False),
        )
    ).all()
    for kind, ids in (("overdue", overdue_ids), ("due_soon", due_ids)):
        for number, hazard_id in enumerate(ids, 1):
            try:
                if _mark(session, hazard_id, kind, now=now, today=today, calendar=calendar):
                    setattr(summary, kind, getattr(summary, kind) + 1)
            except Conflict:
                summary.skipped += 1
            except Exception as error:  # one bad row must not stop the sweep; report it by id
                session.rollback()
                summary.errors.append(f"hazard {hazard_id}: {error}")
            if progress and number % 500 == 0:
                progress(f"{kind}: {number}/{len(ids)}")
    return summary


def _mark(session: Session, hazard_id, kind: str, *, now, today, calendar) -> bool:
    hazard = session.get(Hazard, hazard_id, populate_existing=True)
    if hazard is None or hazard.status not in ACTIVE_STATUSES:
        return False
    if kind == "overdue":
        if hazard.overdue_recorded or hazard.deadline >= today:
            return False
        hazard.overdue_recorded = True
    else:
        if hazard.due_soon_recorded or deadlines.due_soon_date(hazard.deadline, calendar) > today:
            return False
        hazard.due_soon_recorded = True
    audit.record_event(session, hazard, kind, at=now, details={"deadline": hazard.deadline.isoformat()})
    commit_or_conflict(session)
    return True
