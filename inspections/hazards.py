"""Reporting hazards and reading one: the write side of a hazard's first moment."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspections import audit, deadlines, directory
from inspections.enums import HazardStatus, LocationSource, Role
from inspections.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspections.idempotency import request_digest
from inspections.models import Area, Category, Enterprise, Hazard, Inspection, User
from inspections.visibility import can_see_hazard, in_actor_area, visible_hazards
from inspections.workcalendar import WorkCalendar

REPORTING_ROLES = (Role.INSPECTOR, Role.REVIEWER)


@dataclass(frozen=True)
class Reported:
    hazard: Hazard
    created: bool  # False when this was a retry of a request already applied


def get_hazard(session: Session, actor: User, hazard_id: uuid.UUID, *, for_update: bool = False) -> Hazard:
    """The hazard if ``actor`` may see it; otherwise NotFound, exactly as if it did not exist."""
    query = visible_hazards(actor).where(Hazard.id == hazard_id)
    if for_update:
        query = query.execution_options(populate_existing=True)
    hazard = session.scalar(query)
    if hazard is None:
        raise NotFound(f"There is no hazard {hazard_id}.")
    return hazard


def report_hazard(
    session: Session,
    actor: User,
    data: dict,
    *,
    now: datetime,
    tz: tzinfo,
    calendar: WorkCalendar,
    working_days=deadlines.DEFAULT_WORKING_DAYS,
    recurrence_window: timedelta = timedelta(days=90),
) -> Reported:
    """Record a hazard found at an enterprise, with its area, location and rectification deadline.

    ``data`` may carry a client-made ``id``: the same request again returns the same hazard, and the same
    id with a different body is a Conflict.
    """
    if actor.role not in REPORTING_ROLES:
        raise Forbidden("Only inspectors and reviewers report hazards.")
    digest = request_digest(actor.id, data)
    if data.get("id") is not None:
        earlier = _earlier_request(session, actor, data["id"], digest)
        if earlier is not None:
            return Reported(earlier, created=False)

    enterprise = session.get(Enterprise, data["enterprise_id"])
    if enterprise is None:
        raise InvalidInput(enterprise_id=f"There is no enterprise {data['enterprise_id']}.")
    category = session.get(Category, data["category"])
    if category is None or not category.active:
        raise InvalidInput(category=f"There is no hazard category {data['category']}; see /categories.")
    if data.get("inspection_id") is not None:
        inspection = session.get(Inspection, data["inspection_id"])
        if inspection is None:
            raise InvalidInput(inspection_id=f"There is no inspection {data['inspection_id']}.")
        if inspection.enterprise_id != enterprise.id:
            raise InvalidInput(inspection_id="That inspection was at another enterprise.")

    lat, lon, source = _location(data, enterprise)
    area = _area_for(session, lat, lon, enterprise)
    if not in_actor_area(actor, area):
        raise Forbidden("That enterprise is outside your area.")
    deadline, requested = _deadline(data, now=now, tz=tz, calendar=calendar, working_days=working_days)
    repeated = _recently_closed(session, enterprise.id, category.code, since=now - recurrence_window)

    hazard = Hazard(
        id=data.get("id") or uuid.uuid4(),
        inspection_id=data.get("inspection_id"),
        enterprise_id=enterprise.id,
        category_code=category.code,
        severity=data["severity"],
        description=data["description"],
        basis=data.get("basis"),
        lat=lat,
        lon=lon,
        accuracy_m=data.get("accuracy_m") if source in (LocationSource.DEVICE, LocationSource.MANUAL) else None,
        location_source=source,
        area_code=area.code if area else None,
        area_path=area.path if area else None,
        status=HazardStatus.OPEN,
        reported_by=actor.id,
        reported_at=now,
        client_reported_at=data.get("reported_at"),
        deadline=deadline,
        original_deadline=deadline,
        deadline_requested=requested,
        rejection_count=0,
        recurrence_of=repeated,
        request_digest=digest,
    )
    try:
        session.add(hazard)
        session.flush()
        audit.record_event(
            session, hazard, "reported", at=now, actor=actor, to_status=HazardStatus.OPEN,
            client_at=data.get("reported_at"),
            details={"deadline": deadline.isoformat(), "severity": hazard.severity, "category": hazard.category_code,
                     "recurrence_of": str(repeated) if repeated else None},
        )
        session.commit()
    except IntegrityError:
        # Two copies of the same retry raced; the loser answers with the winner's hazard.
        session.rollback()
        earlier = _earlier_request(session, actor, hazard.id, digest) if data.get("id") else None
        if earlier is None:
            raise
        return Reported(earlier, created=False)
    return Reported(hazard, created=True)


def _recently_closed(session: Session, enterprise_id: int, category_code: str, *, since: datetime):
    """The latest hazard of this enterprise and category closed since ``since``: the new one repeats it."""
    return session.scalar(
        select(Hazard.id)
        .where(Hazard.enterprise_id == enterprise_id, Hazard.category_code == category_code,
               Hazard.status == HazardStatus.CLOSED, Hazard.closed_at >= since)
        .order_by(Hazard.closed_at.desc())
        .limit(1)
    )


def _earlier_request(session: Session, actor: User, hazard_id, digest: str) -> Hazard | None:
    existing = session.get(Hazard, hazard_id)
    if existing is None:
        return None
    if existing.request_digest != digest or not can_see_hazard(actor, existing):
        raise Conflict(
            f"A different hazard was already recorded with the id {hazard_id}.",
            {"id": ["Already used for another request; make a new id."]},
        )
    return existing


def _location(data: dict, enterprise: Enterprise):
    """The phone's position if it sent one, else the enterprise's until a photo gives a better one."""
    if data.get("lat") is not None:
        return data["lat"], data["lon"], data.get("location_source") or LocationSource.DEVICE
    if enterprise.lat is not None:
        return enterprise.lat, enterprise.lon, LocationSource.ENTERPRISE
    return None, None, None


def _area_for(session: Session, lat, lon, enterprise: Enterprise) -> Area | None:
    if lat is not None:
        area = directory.area_containing(session, lat, lon)
        if area is not None:
            return area
    return enterprise.area


def _deadline(data: dict, *, now, tz, calendar, working_days):
    if data.get("deadline") is None:
        return deadlines.default_deadline(now, data["severity"], tz=tz, calendar=calendar, working_days=working_days), None
    try:
        decision = deadlines.accept_requested_deadline(data["deadline"], now=now, tz=tz, calendar=calendar)
    except deadlines.DeadlineInPast as error:
        raise InvalidInput(deadline=str(error)) from None
    return decision.deadline, decision.moved_from
