"""The read side of hazards: filtered lists, overdue, and what a detail view shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, not_, or_, select
from sqlalchemy.orm import Session

from inspections.enums import ACTIVE_STATUSES
from inspections.errors import InvalidInput
from inspections.models import Area, Extension, Hazard, Photo, Rectification, User
from inspections.models.hazards import overdue_clause
from inspections.visibility import visible_hazards


@dataclass(frozen=True)
class HazardFilters:
    """The filters of ``GET /hazards`` (and of the map and the exports)."""

    status: tuple[str, ...] = ()
    severity: str | None = None
    category: str | None = None
    enterprise_id: int | None = None
    area_code: str | None = None
    overdue: bool | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    # On reported_at, when the hazard was found (the phone's time for reports kept offline): the list's order,
    # the ledger, the statistics' from/to and OGC's datetime all read the same instant.
    created_after: datetime | None = None
    created_before: datetime | None = None
    recurrence: bool | None = None  # only hazards that repeat a recently closed one (or only those that don't)


def is_overdue(hazard: Hazard, today: date) -> bool:
    return hazard.status in ACTIVE_STATUSES and hazard.deadline < today


def hazards_query(session: Session, actor: User, filters: HazardFilters, *, today: date) -> Select:
    """Hazards ``actor`` may see that match every given filter, newest first."""
    query = visible_hazards(actor)
    if filters.status:
        query = query.where(Hazard.status.in_(filters.status))
    if filters.severity:
        query = query.where(Hazard.severity == filters.severity)
    if filters.category:
        # A top-level code matches its sub-categories too: "fire" finds "fire.exits".
        query = query.where(or_(Hazard.category_code == filters.category,
                                Hazard.category_code.startswith(filters.category + ".", autoescape=True)))
    if filters.enterprise_id is not None:
        query = query.where(Hazard.enterprise_id == filters.enterprise_id)
    if filters.area_code:
        area = session.get(Area, filters.area_code)
        if area is None:
            raise InvalidInput(area_code=f"There is no area {filters.area_code}.")
        query = query.where(Hazard.area_path.startswith(area.path, autoescape=True))
    if filters.overdue is not None:
        clause = overdue_clause(today)
        query = query.where(clause if filters.overdue else not_(clause))
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        query = query.where(Hazard.lon.between(min_lon, max_lon), Hazard.lat.between(min_lat, max_lat))
    if filters.created_after:
        query = query.where(Hazard.reported_at >= filters.created_after)
    if filters.created_before:
        query = query.where(Hazard.reported_at < filters.created_before)
    if filters.recurrence is not None:
        query = query.where(Hazard.recurrence_of.is_not(None) if filters.recurrence else Hazard.recurrence_of.is_(None))
    return query.order_by(Hazard.reported_at.desc(), Hazard.id)


@dataclass(frozen=True)
class HazardRecord:
    """Everything kept about one hazard, for its detail view: its first ``photo_limit`` photos (oldest first) and
    how many it has in all, so that a hazard with thousands of photos still answers in one small page."""

    hazard: Hazard
    photos: list
    photos_total: int
    rectifications: list
    extensions: list


def hazard_record(session: Session, hazard: Hazard, *, photo_limit: int) -> HazardRecord:
    def rows(model, order, limit=None):
        query = select(model).where(model.hazard_id == hazard.id).order_by(*order)
        return list(session.scalars(query.limit(limit) if limit is not None else query))

    return HazardRecord(
        hazard=hazard,
        photos=rows(Photo, (Photo.uploaded_at, Photo.id), photo_limit),
        photos_total=session.scalar(select(func.count()).select_from(Photo).where(Photo.hazard_id == hazard.id)),
        rectifications=rows(Rectification, (Rectification.id,)),
        extensions=rows(Extension, (Extension.id,)),
    )
