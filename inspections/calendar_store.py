"""The working-day calendar as configured for this district: the package's official calendar with the
admins' corrections from the ``workday_overrides`` table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.errors import InvalidInput
from inspections.models import User, WorkdayOverride
from inspections.workcalendar import WorkCalendar


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar with every override applied (the table holds a few dozen rows a year)."""
    overrides = {row.day: row.is_workday for row in session.scalars(select(WorkdayOverride))}
    return WorkCalendar(overrides)


def list_overrides(session: Session, year: int | None = None) -> list[WorkdayOverride]:
    query = select(WorkdayOverride).order_by(WorkdayOverride.day)
    if year:
        query = query.where(WorkdayOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
    return list(session.scalars(query))


def set_overrides(session: Session, actor: User, days: list[dict], *, now: datetime) -> list[WorkdayOverride]:
    """Insert or replace overrides: each ``{day, is_workday, note}``."""
    seen = set()
    for entry in days:
        if entry["day"] in seen:
            raise InvalidInput(days=f"{entry['day']} is given twice.")
        seen.add(entry["day"])
    rows = []
    for entry in days:
        row = session.get(WorkdayOverride, entry["day"]) or WorkdayOverride(day=entry["day"])
        row.is_workday = entry["is_workday"]
        row.note = entry.get("note")
        row.updated_by = actor.id
        row.updated_at = now
        session.add(row)
        rows.append(row)
    session.commit()
    return rows


def delete_override(session: Session, day: date) -> None:
    row = session.get(WorkdayOverride, day)
    if row is not None:
        session.delete(row)
        session.commit()
