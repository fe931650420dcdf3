"""Inspections (检查): an inspector's visit to an enterprise, in which hazards are found."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspections.enums import Role
from inspections.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspections.idempotency import request_digest
from inspections.models import Campaign, Enterprise, Hazard, Inspection, User
from inspections.visibility import in_actor_area, visible_hazards, visible_inspections


@dataclass(frozen=True)
class Recorded:
    inspection: Inspection
    created: bool


def record_inspection(session: Session, actor: User, data: dict, *, now: datetime) -> Recorded:
    """Start an inspection at an enterprise; a retry with the same client ``id`` returns the first one."""
    if actor.role not in (Role.INSPECTOR, Role.REVIEWER):
        raise Forbidden("Only inspectors and reviewers record inspections.")
    digest = request_digest(actor.id, data)
    if data.get("id") is not None and (earlier := _earlier(session, data["id"], digest)) is not None:
        return Recorded(earlier, created=False)
    enterprise = session.get(Enterprise, data["enterprise_id"])
    if enterprise is None:
        raise InvalidInput(enterprise_id=f"There is no enterprise {data['enterprise_id']}.")
    if not in_actor_area(actor, enterprise.area):
        raise Forbidden("That enterprise is outside your area.")
    if data.get("campaign") is not None and session.get(Campaign, data["campaign"]) is None:
        raise InvalidInput(campaign=f"There is no campaign {data['campaign']}.")
    inspectors = [actor]
    for user_id in data.get("inspector_ids") or []:
        colleague = session.get(User, user_id)
        if colleague is None or colleague.role not in (Role.INSPECTOR, Role.REVIEWER):
            raise InvalidInput(inspector_ids=f"User {user_id} is not an inspector.")
        if colleague.id != actor.id:
            inspectors.append(colleague)
    inspection = Inspection(
        id=data.get("id") or uuid.uuid4(), enterprise_id=enterprise.id, kind=data["kind"],
        campaign_id=data.get("campaign"), started_at=data.get("started_at") or now,
        lat=data.get("lat"), lon=data.get("lon"), notes=data.get("notes"), created_by=actor.id,
        created_at=now, request_digest=digest,
    )
    inspection.inspectors = inspectors
    session.add(inspection)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        earlier = _earlier(session, inspection.id, digest) if data.get("id") else None
        if earlier is None:
            raise
        return Recorded(earlier, created=False)
    return Recorded(inspection, created=True)


def _earlier(session: Session, inspection_id, digest: str) -> Inspection | None:
    existing = session.get(Inspection, inspection_id)
    if existing is None:
        return None
    if existing.request_digest != digest:
        raise Conflict(f"A different inspection was already recorded with the id {inspection_id}.",
                       {"id": ["Already used for another request; make a new id."]})
    return existing


def get_inspection(session: Session, actor: User, inspection_id: uuid.UUID) -> Inspection:
    inspection = session.scalar(visible_inspections(actor).where(Inspection.id == inspection_id))
    if inspection is None:
        raise NotFound(f"There is no inspection {inspection_id}.")
    return inspection


def inspections_query(actor: User, *, enterprise_id: int | None = None, campaign: int | None = None):
    query = visible_inspections(actor).order_by(Inspection.started_at.desc())
    if enterprise_id is not None:
        query = query.where(Inspection.enterprise_id == enterprise_id)
    if campaign is not None:
        query = query.where(Inspection.campaign_id == campaign)
    return query


def hazards_of_inspection(session: Session, actor: User, inspection: Inspection) -> list[Hazard]:
    return list(session.scalars(
        visible_hazards(actor).where(Hazard.inspection_id == inspection.id).order_by(Hazard.reported_at)
    ))
