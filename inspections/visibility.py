"""Who may see which hazards. A hazard the caller may not see is answered exactly like one that does
not exist (404), so the rule is applied in every query rather than checked afterwards."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from inspections.enums import Role
from inspections.models import Area, Enterprise, Hazard, Inspection, User


def area_path_of(actor: User) -> str | None:
    return actor.area.path if actor.area is not None else None


def hazard_filter(actor: User):
    """A WHERE clause limiting hazards to what ``actor`` sees: an officer their enterprise's, an inspector
    those in their area (including every sub-area), reviewers and admins the whole district."""
    if actor.role == Role.ENTERPRISE_OFFICER:
        return Hazard.enterprise_id == actor.enterprise_id
    if actor.role == Role.INSPECTOR:
        path = area_path_of(actor)
        return Hazard.area_path.startswith(path, autoescape=True) if path else false()
    return None


def visible_hazards(actor: User) -> Select:
    query = select(Hazard)
    clause = hazard_filter(actor)
    return query if clause is None else query.where(clause)


def can_see_hazard(actor: User, hazard: Hazard) -> bool:
    if actor.role == Role.ENTERPRISE_OFFICER:
        return hazard.enterprise_id == actor.enterprise_id
    if actor.role == Role.INSPECTOR:
        path = area_path_of(actor)
        return bool(path and hazard.area_path and hazard.area_path.startswith(path))
    return True


def visible_hazard_ids(session: Session, actor: User, hazard_ids: Iterable[str]) -> set[str]:
    """Which of ``hazard_ids`` (as strings) ``actor`` may see, in one query."""
    ids = {uuid.UUID(str(i)) for i in hazard_ids if i}
    if not ids:
        return set()
    clause = hazard_filter(actor)
    query = select(Hazard.id).where(Hazard.id.in_(ids))
    return {str(i) for i in session.scalars(query if clause is None else query.where(clause))}


def in_actor_area(actor: User, area: Area | None) -> bool:
    """Whether an inspector's area covers ``area`` (always true for district-wide roles)."""
    if actor.role != Role.INSPECTOR:
        return True
    path = area_path_of(actor)
    return bool(path and area is not None and area.path.startswith(path))


def visible_inspections(actor: User) -> Select:
    query = select(Inspection)
    if actor.role == Role.ENTERPRISE_OFFICER:
        # Covert inspections (暗访) are not shown to the enterprise they were made at.
        return query.where(Inspection.enterprise_id == actor.enterprise_id, Inspection.kind != "covert")
    if actor.role == Role.INSPECTOR:
        path = area_path_of(actor)
        if not path:
            return query.where(false())
        return query.join(Enterprise, Enterprise.id == Inspection.enterprise_id).join(
            Area, Area.code == Enterprise.area_code
        ).where(Area.path.startswith(path, autoescape=True))
    return query


def visible_inspection_ids(session: Session, actor: User, inspection_ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """Which of ``inspection_ids`` ``actor`` may see (``visible_inspections``), in one query.

    Wherever a hazard is shown, its ``inspection_id`` is shown only when it is in here: an officer must not
    learn of a covert inspection (暗访) from the hazards it found, which ``GET /inspections/{id}`` hides.
    """
    ids = {i for i in inspection_ids if i is not None}
    if not ids:
        return set()
    return set(session.scalars(visible_inspections(actor).where(Inspection.id.in_(ids)).with_only_columns(Inspection.id)))


def shown_inspection_id(session: Session, actor: User, hazard: Hazard) -> uuid.UUID | None:
    """The hazard's inspection as ``actor`` may know it: its id, or None when that inspection is hidden from them
    (exactly as for a hazard recorded outside any inspection)."""
    if hazard.inspection_id is None:
        return None
    return hazard.inspection_id if visible_inspection_ids(session, actor, [hazard.inspection_id]) else None
