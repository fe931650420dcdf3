"""The reads behind the OGC API – Features resources: one page of hazards with its total, and the extent of what a user sees.

Both start from the hazard read side (``hazards_query``, ``visible_hazards``) so that the OGC API can never show
more than ``GET /api/v1/hazards``; only what that side does not know (time intervals on ``reported_at``, boxes
across the antimeridian) is added here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_
from sqlalchemy.orm import Session, selectinload

from inspections.db import count_rows
from inspections.hazard_queries import HazardFilters, hazards_query
from inspections.models import Hazard, User
from inspections.visibility import visible_hazards


@dataclass(frozen=True)
class Interval:
    """A closed interval of instants; ``None`` is an unbounded end. An instant is ``Interval(t, t)``."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class BBox:
    """A box in CRS84. West above east means it crosses the antimeridian, as the standard allows."""

    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east


@dataclass(frozen=True)
class ItemsPage:
    """One page of features: the hazards on it, how many match in all, and where the page starts."""

    hazards: list[Hazard]
    matched: int
    offset: int
    limit: int


@dataclass(frozen=True)
class Extent:
    """The box and the reporting period of the hazards a user sees; ``bbox`` is None when none has a place."""

    bbox: tuple[float, float, float, float] | None
    first_reported: datetime
    last_reported: datetime


def hazard_filters(args: dict) -> HazardFilters:
    """The property filters and a plain box as ``HazardFilters``; a box across the antimeridian is left to
    ``_within`` because ``HazardFilters.bbox`` means west <= east."""
    box: BBox | None = args.get("bbox")
    return HazardFilters(
        status=tuple(args.get("status") or ()), severity=args.get("severity"), category=args.get("category"),
        enterprise_id=args.get("enterprise_id"), area_code=args.get("area_code"), overdue=args.get("overdue"),
        bbox=(box.west, box.south, box.east, box.north) if box and not box.crosses_antimeridian else None,
    )


def items_page(session: Session, actor: User, args: dict, *, today: date) -> ItemsPage:
    """The page of hazards ``actor`` may see that match the items query ``args`` (newest report first)."""
    query = _within(hazards_query(session, actor, hazard_filters(args), today=today), args.get("bbox"))
    query = _during(query, args.get("datetime"))
    # The enterprise's name is a property of every feature: load them in one query, not one per feature.
    page = query.options(selectinload(Hazard.enterprise)).offset(args["offset"]).limit(args["limit"])
    return ItemsPage(hazards=list(session.scalars(page)), matched=count_rows(session, query),
                     offset=args["offset"], limit=args["limit"])


def hazard_extent(session: Session, actor: User) -> Extent | None:
    """Where and when the hazards ``actor`` may see lie, or None when they see none."""
    query = visible_hazards(actor).with_only_columns(
        func.min(Hazard.lon), func.min(Hazard.lat), func.max(Hazard.lon), func.max(Hazard.lat),
        func.min(Hazard.reported_at), func.max(Hazard.reported_at),
    )
    west, south, east, north, first, last = session.execute(query).one()
    if first is None:
        return None
    box = (west, south, east, north) if west is not None else None
    return Extent(bbox=box, first_reported=first, last_reported=last)


def _within(query: Select, box: BBox | None) -> Select:
    if box is None or not box.crosses_antimeridian:
        return query
    return query.where(or_(Hazard.lon >= box.west, Hazard.lon <= box.east), Hazard.lat.between(box.south, box.north))


def _during(query: Select, interval: Interval | None) -> Select:
    # Both ends included: an instant (start == end) then matches a hazard reported at exactly that time.
    if interval is not None and interval.start is not None:
        query = query.where(Hazard.reported_at >= interval.start)
    if interval is not None and interval.end is not None:
        query = query.where(Hazard.reported_at <= interval.end)
    return query
