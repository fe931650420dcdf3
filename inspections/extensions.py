"""Deadline extensions (延期): the officer asks before the deadline, a reviewer decides.

The hazard's ``original_deadline`` never changes, so statistics can still tell on-time from late.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections import audit, deadline_records, deadlines
from inspections.enums import ExtensionStatus, HazardStatus, Role
from inspections.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspections.hazards import get_hazard
from inspections.models import Extension, Hazard, User
from inspections.transitions import commit_or_conflict
from inspections.workcalendar import WorkCalendar

EXTENDABLE = (HazardStatus.OPEN, HazardStatus.ACKNOWLEDGED)


def request_extension(
    session: Session, actor: User, hazard_id: uuid.UUID, *, new_deadline: date, reason: str,
    now: datetime, tz: tzinfo, calendar: WorkCalendar,
) -> Extension:
    """Ask for a later deadline, with the reason; only one request may wait for a decision at a time."""
    hazard = get_hazard(session, actor, hazard_id)
    if actor.role != Role.ENTERPRISE_OFFICER:
        raise Forbidden("Only the enterprise's safety officer asks for an extension.")
    pending = _pending(session, hazard)
    if pending is not None:
        asked = pending.requested_deadline or pending.new_deadline  # the date asked for, before it moved
        if pending.requested_by == actor.id and asked == new_deadline and pending.reason == reason:
            return pending  # a retry of the same request
        raise Conflict("An extension request is already waiting for a decision.")
    if hazard.status not in EXTENDABLE:
        raise Conflict(f"A hazard that is {hazard.status} cannot be extended.", {"status": [hazard.status]})
    today = deadlines.local_date(now, tz)
    if today > hazard.deadline:
        raise Conflict(f"The deadline {hazard.deadline} has passed; an extension is asked for before it.")
    if not reason.strip():
        raise InvalidInput(reason="Give the reason for the extension.")
    try:
        decision = deadlines.accept_requested_deadline(new_deadline, now=now, tz=tz, calendar=calendar)
    except deadlines.DeadlineNotAccepted as error:
        raise InvalidInput(new_deadline=str(error)) from None
    if decision.deadline <= hazard.deadline:
        raise InvalidInput(new_deadline=f"The new deadline must be after the current one, {hazard.deadline}.")
    extension = Extension(
        hazard_id=hazard.id, requested_by=actor.id, requested_at=now, previous_deadline=hazard.deadline,
        new_deadline=decision.deadline, requested_deadline=new_deadline,
        assumed_years=list(decision.assumed_years) or None, reason=reason, status=ExtensionStatus.PENDING,
    )
    session.add(extension)
    session.flush()
    audit.record_event(
        session, hazard, "extension_requested", at=now, actor=actor, comment=reason,
        details={"extension_id": extension.id, "new_deadline": decision.deadline.isoformat(),
                 "deadline": hazard.deadline.isoformat(), "assumed_years": list(decision.assumed_years)},
    )
    hazard.updated_at = now  # bumps the version: racing with a decision or a transition is detected
    commit_or_conflict(session)
    return extension


def decide_extension(
    session: Session, actor: User, hazard_id: uuid.UUID, extension_id: int, *, approve: bool,
    comment: str | None, now: datetime,
) -> Extension:
    """Approve (the hazard takes the new deadline) or refuse a pending request."""
    hazard = get_hazard(session, actor, hazard_id)
    extension = session.get(Extension, extension_id)
    if extension is None or extension.hazard_id != hazard.id:
        raise NotFound(f"There is no extension {extension_id} of this hazard.")
    if actor.role != Role.REVIEWER:
        raise Forbidden("Only a district reviewer decides extensions.")
    wanted = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    if extension.status != ExtensionStatus.PENDING:
        if extension.status == wanted and extension.decided_by == actor.id:
            return extension  # a retry
        raise Conflict(f"This extension was already {extension.status}.")
    if hazard.status not in EXTENDABLE:
        raise Conflict(f"The hazard is {hazard.status}; its deadline no longer runs.")
    if approve and extension.new_deadline <= hazard.deadline:
        # An admin's recount on a newly entered holiday notice moved the deadline since the request.
        raise Conflict(f"The deadline is now {hazard.deadline}, not before the {extension.new_deadline} asked for: "
                       "refuse this request; the officer may ask for a later date.")
    extension.status = wanted
    extension.decided_by = actor.id
    extension.decided_at = now
    extension.decision_comment = comment
    details = {"extension_id": extension.id, "deadline": hazard.deadline.isoformat()}
    if approve:
        asked = extension.requested_deadline or extension.new_deadline  # requests recorded before it was kept
        deadline_records.record_deadline(hazard, deadlines.DeadlineDecision(
            extension.new_deadline, basis=deadlines.DeadlineBasis(asked),
            assumed_years=tuple(extension.assumed_years or ())))
        # The reminder one working day ahead must fire again for the new date.
        hazard.due_soon_recorded = False
        details["new_deadline"] = extension.new_deadline.isoformat()
    hazard.updated_at = now
    audit.record_event(
        session, hazard, "extension_approved" if approve else "extension_refused", at=now, actor=actor,
        comment=comment, details=details,
    )
    commit_or_conflict(session)
    return extension


def _pending(session: Session, hazard: Hazard) -> Extension | None:
    return session.scalar(
        select(Extension).where(Extension.hazard_id == hazard.id, Extension.status == ExtensionStatus.PENDING)
    )
