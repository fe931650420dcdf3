"""Reporting hazards and reading one: the write side of a hazard's first moment.

Two rules decide where and when a hazard belongs, and everything downstream (the deadline, the closure checks,
who sees it, the map, the statistics, the ledger) follows from them:

- When: ``reported_at`` is the time the hazard was found. Phones keep reports made without signal and send them
  later, so it is the phone's own ``reported_at`` when that is plausible (see ``time_found``), else the
  server's time. The phone's value as sent stays in ``client_reported_at`` and the server's receipt time in
  the ``reported`` event of the audit trail (``at``), whatever was decided.
- Where (whose): jurisdiction (属地管理) follows the enterprise. The hazard is filed under the enterprise's
  registered area, never under the area a GPS fix happens to fall in (a fix 35 m over a street border must
  not take a hazard away from the street that inspects the enterprise); only for an enterprise registered
  without an area does the hazard's position choose it (see ``area_for``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspections import audit, deadline_records, deadlines, directory
from inspections.enums import HazardStatus, LocationSource, Role
from inspections.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspections.idempotency import request_digest
from inspections.models import Area, Category, Enterprise, Hazard, Inspection, User
from inspections.visibility import can_see_hazard, in_actor_area, visible_hazards, visible_inspections
from inspections.workcalendar import WorkCalendar

REPORTING_ROLES = (Role.INSPECTOR, Role.REVIEWER)


@dataclass(frozen=True)
class ReportTimePolicy:
    """How far a phone's ``reported_at`` may lie from the server's clock and still be taken as the time found.

    ``clock_skew``: how far ahead of the server a phone's clock may run (``CLOSURE_CLOCK_SKEW_MINUTES``, the
    same allowance the closure checks give a photo's capture time). ``max_offline``: how long a phone may
    keep a report before it reaches the server (``OFFLINE_REPORT_MAX_HOURS``).
    """

    clock_skew: timedelta = timedelta(minutes=10)
    max_offline: timedelta = timedelta(hours=72)


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
    times: ReportTimePolicy = ReportTimePolicy(),
) -> Reported:
    """Record a hazard found at an enterprise, with its area, location and rectification deadline.

    ``data`` may carry a client-made ``id``: the same request again returns the same hazard, and the same
    id with a different body is a Conflict. ``now`` is the server's time of receipt; the time the hazard was
    found (``time_found``) sets ``reported_at``, the day the deadline counts from and the day an explicit
    deadline may not be before. The area is the enterprise's (``area_for``); an inspector may report only in
    their own area.
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
        # One the caller may not see (another street's) is named as one that does not exist.
        inspection = session.scalar(visible_inspections(actor).where(Inspection.id == data["inspection_id"]))
        if inspection is None:
            raise InvalidInput(inspection_id=f"There is no inspection {data['inspection_id']}.")
        if inspection.enterprise_id != enterprise.id:
            raise InvalidInput(inspection_id="That inspection was at another enterprise.")

    lat, lon, source = _location(data, enterprise)
    area = area_for(session, enterprise, lat, lon)
    if not in_actor_area(actor, area):
        raise Forbidden("That enterprise is outside your area.")
    found, believed = time_found(data.get("reported_at"), now=now, policy=times)
    decision = _deadline(data, found=found, tz=tz, calendar=calendar, working_days=working_days)
    deadline = decision.deadline
    repeated = _recently_closed(session, enterprise.id, category.code, since=found - recurrence_window)

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
        reported_at=found,
        client_reported_at=data.get("reported_at"),
        original_deadline=deadline,
        deadline_requested=decision.moved_from,
        rejection_count=0,
        recurrence_of=repeated,
        request_digest=digest,
    )
    deadline_records.record_deadline(hazard, decision)
    try:
        session.add(hazard)
        session.flush()
        audit.record_event(
            session, hazard, "reported", at=now, actor=actor, to_status=HazardStatus.OPEN,
            client_at=data.get("reported_at"),
            details={"deadline": deadline.isoformat(), "severity": hazard.severity, "category": hazard.category_code,
                     # Non-empty: the deadline is provisional, counted without these years' holiday notice.
                     "assumed_years": list(decision.assumed_years),
                     "recurrence_of": str(repeated) if repeated else None,
                     # Which clock reported_at came from: "device" (the phone's) or "server" (none sent, or
                     # not plausible; the phone's value is in client_at).
                     "reported_at_source": "device" if believed else "server",
                     # The rest of what the row holds, so that `audit verify` sees a row rewritten by hand.
                     **audit.reported_fields(hazard)},
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


def time_found(claimed: datetime | None, *, now: datetime, policy: ReportTimePolicy) -> tuple[datetime, bool]:
    """When a hazard was found, and whether the phone's clock was believed for it.

    The phone's ``claimed`` time (its ``reported_at``) is believed when it is no more than
    ``policy.clock_skew`` ahead of the server's ``now`` (a phone clock running a little fast; the time is
    then ``now``: nothing is found after it reaches the server) and no more than ``policy.max_offline``
    behind it (a report kept while offline). Anything else is a phone clock that is wrong, or a report too
    old to be told from one, and the server's ``now`` is used: the hazard is then timed as if it had been
    reported online.
    """
    if claimed is None:
        return now, False
    if now - policy.max_offline <= claimed <= now + policy.clock_skew:
        return min(claimed, now), True
    return now, False


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


def area_for(session: Session, enterprise: Enterprise, lat: float | None, lon: float | None) -> Area | None:
    """The area a hazard at ``enterprise`` is filed under: whose inspectors see it, where the map and the
    statistics count it.

    Jurisdiction (属地管理) follows the enterprise, as it does for inspections: its registered area, wherever
    the phone's fix or a photo's EXIF puts the hazard. Only an enterprise registered without an area leaves
    it to the position (``lat``, ``lon``): the smallest area whose boundary holds it, or None.
    """
    if enterprise.area is not None:
        return enterprise.area
    if lat is None or lon is None:
        return None
    return directory.area_containing(session, lat, lon)


def _deadline(data: dict, *, found, tz, calendar, working_days) -> deadlines.DeadlineDecision:
    """The default deadline counts from the local day the hazard was found; an explicit one may be that day
    or later (a report kept offline past midnight keeps the deadline the inspector set on the spot)."""
    if data.get("deadline") is None:
        return deadlines.count_default_deadline(
            found, data["severity"], tz=tz, calendar=calendar, working_days=working_days)
    try:
        return deadlines.accept_requested_deadline(data["deadline"], now=found, tz=tz, calendar=calendar)
    except deadlines.DeadlineNotAccepted as error:
        raise InvalidInput(deadline=str(error)) from None
