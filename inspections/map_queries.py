"""The district map's read side: hazards as single points or as grid clusters counted in the database, and the
area polygons with their hazard counts (the choropleth).

Both reuse ``hazards_query``, so visibility and every filter mean exactly what they mean in ``GET /hazards``.
Hazards without a location are not on the map (a bounding box never holds them); the area counts include them,
since they are counted by the area recorded at report time, not by position.

Clusters are the cells of a fixed web-mercator grid (``inspections.map_grid``): squares of 64 screen pixels at the
map's zoom, which do not move when the map pans, so clusters stay put. Callers who see the whole district get
their counts from the map's running counts (``inspections.map_cells``: a few milliseconds at any zoom, a million
hazards or not); anyone else, and any filter the running counts do not hold, is counted from the hazards by one
GROUP BY. Plain SQL either way: the same queries run on SQLite and PostgreSQL, no PostGIS.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import NamedTuple

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from inspections import deadlines, map_cells
from inspections.enums import PhotoKind
from inspections.hazard_counts import (
    NO_HAZARDS, Tally, area_scope, counted_hazards, rate, tallies_by_path, tallies_under, tune_for_counting,
)
from inspections.hazard_queries import HazardFilters, hazards_query, overdue_clause
from inspections.map_grid import Grid, grid_for
from inspections.models import Area, Enterprise, Hazard, Photo, User
from inspections.visibility import hazard_filter

MAX_FEATURES = 2000  # never more features than this in one answer
POINT_ZOOM = 16  # from this zoom on, single hazards (while the box holds at most MAX_FEATURES)
SPARSE_POINTS = 250  # below POINT_ZOOM, a box holding at most this many hazards shows them singly too
SCREEN_PX = 1024  # the map width assumed when a request gives no zoom
MAX_ZOOM = 24.0
WORLD = (-180.0, -90.0, 180.0, 90.0)
STATUSES = map_cells.STATUSES


# --- hazards on the map --------------------------------------------------------------------------------------


class MapPoint(NamedTuple):
    """One hazard as a map marker, with its first evidence photo if it has one.

    A named tuple: a map answer makes up to 2,000 of them, and a frozen dataclass costs several times more each.
    """

    id: uuid.UUID
    lon: float
    lat: float
    status: str
    severity: str
    category: str
    overdue: bool
    deadline: date
    enterprise_id: int
    enterprise_name: str
    photo_id: uuid.UUID | None  # the first evidence photo


@dataclass
class Cluster:
    """The hazards of one grid cell: their count, mean position, counts by status and how many are overdue."""

    cell: tuple[float, float, float, float]  # west, south, east, north
    count: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    sum_lon: float = 0.0
    sum_lat: float = 0.0

    @property
    def lon(self) -> float:
        return self.sum_lon / self.count

    @property
    def lat(self) -> float:
        return self.sum_lat / self.count


@dataclass(frozen=True)
class HazardMap:
    """What the map shows for one box and zoom: points, or clusters (``clustered``) whose counts add up to ``total``."""

    bbox: tuple[float, float, float, float]
    zoom: float
    clustered: bool
    total: int
    points: list[MapPoint] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    grid: Grid | None = None


def zoom_for(bbox: tuple[float, float, float, float]) -> float:
    """The web-mercator zoom at which the box is about ``SCREEN_PX`` pixels wide."""
    width = max(bbox[2] - bbox[0], 1e-9)
    return min(max(math.log2(SCREEN_PX / 256 * 360 / width), 0.0), MAX_ZOOM)


def hazard_map(session: Session, actor: User, filters: HazardFilters, *, zoom: float | None, today: date) -> HazardMap:
    """The hazards ``actor`` may see in the box (default: the whole world) that match ``filters``.

    Single hazards from ``POINT_ZOOM`` on, and at any zoom when the box holds at most ``SPARSE_POINTS``;
    otherwise clusters counted by the database. Never more than ``MAX_FEATURES`` features: a box too full
    for points at a high zoom is clustered, and cells grow until the box holds few enough.
    """
    filters = replace(filters, bbox=tuple(filters.bbox) if filters.bbox else WORLD)
    zoom = zoom_for(filters.bbox) if zoom is None else zoom
    matching = hazards_query(session, actor, filters, today=today)
    most_points = MAX_FEATURES if zoom >= POINT_ZOOM else SPARSE_POINTS
    # Whether the box holds few enough for points, without counting them all: the count stops one past the most.
    if _count_up_to(session, matching, most_points + 1) <= most_points:
        points = _points(session, matching, today)
        return HazardMap(filters.bbox, zoom, clustered=False, total=len(points), points=points)
    grid = grid_for(filters.bbox, zoom, MAX_FEATURES)
    if _counts_kept_for(actor, filters, grid):
        clusters = _kept_clusters(session, grid, filters, today)
    else:
        clusters = cluster_cells(session, matching, grid, today)
    total = sum(cluster.count for cluster in clusters)
    return HazardMap(filters.bbox, zoom, clustered=True, total=total, clusters=clusters, grid=grid)


def _count_up_to(session: Session, matching, limit: int) -> int:
    """How many hazards ``matching`` selects, counting no further than ``limit`` (read from the map index)."""
    first = matching.order_by(None).with_only_columns(Hazard.lon).limit(limit).subquery()
    return session.scalar(select(func.count()).select_from(first))


def _points(session: Session, matching, today: date) -> list[MapPoint]:
    first_photo = (
        select(Photo.id)
        .where(Photo.hazard_id == Hazard.id, Photo.kind == PhotoKind.EVIDENCE.value)
        .order_by(Photo.uploaded_at, Photo.id).limit(1)
        .correlate(Hazard).scalar_subquery()
    )
    # A probe of the primary key per point: a join would tempt PostgreSQL to hash every enterprise of the district.
    enterprise_name = select(Enterprise.name).where(Enterprise.id == Hazard.enterprise_id).correlate(Hazard)
    # No ORDER BY: every point is returned (the LIMIT only guards against hazards added since they were counted),
    # and an ordered LIMIT could lead PostgreSQL to walk a whole index in that order rather than the box.
    query = matching.order_by(None).with_only_columns(
        Hazard.id, Hazard.lon, Hazard.lat, Hazard.status, Hazard.severity, Hazard.category_code,
        case((overdue_clause(today), 1), else_=0), Hazard.deadline, Hazard.enterprise_id,
        enterprise_name.scalar_subquery(), first_photo, maintain_column_froms=True,
    ).limit(MAX_FEATURES)
    # Through the Core connection: plain rows, without the ORM's per-row bookkeeping.
    rows = session.connection().execute(query).all()
    points = [MapPoint(r[0], r[1], r[2], r[3], r[4], r[5], r[6] == 1, r[7], r[8], r[9], r[10]) for r in rows]
    return sorted(points, key=lambda p: p.id.int)


def _counts_kept_for(actor: User, filters: HazardFilters, grid: Grid) -> bool:
    """Whether the map's running counts can answer: they hold every hazard by status and deadline, so they serve
    callers who see the whole district, filtered at most by status and overdue, at zooms they are kept for."""
    others = replace(filters, status=(), overdue=None, bbox=None)
    return hazard_filter(actor) is None and others == HazardFilters() and grid.zoom <= map_cells.MAX_LEVEL


def _kept_clusters(session: Session, grid: Grid, filters: HazardFilters, today: date) -> list[Cluster]:
    rows = map_cells.box_counts(session, grid, filters.bbox, today=today, statuses=tuple(filters.status),
                                overdue=filters.overdue)
    return _clusters(grid, rows)


def _clusters(grid: Grid, rows) -> list[Cluster]:
    clusters = [Cluster(cell=grid.bounds(int(gx), int(gy)), count=int(count), overdue=int(overdue),
                        by_status={s: int(n) for s, n in zip(STATUSES, by_status)},
                        sum_lon=float(sum_lon), sum_lat=float(sum_lat))
                for gx, gy, count, overdue, sum_lon, sum_lat, *by_status in rows]
    return sorted(clusters, key=lambda c: (c.cell[1], c.cell[0]))


def cluster_cells(session: Session, matching, grid: Grid, today: date) -> list[Cluster]:
    """The non-empty cells of ``grid`` over the hazards ``matching`` selects, counted by the database.

    One row per cell. The shifts are inlined as SQL literals so that the GROUP BY expressions are textually
    those of the select list (PostgreSQL compares them as text; bound parameters would differ).
    """
    cell_x = Hazard.map_x.op(">>")(literal_column(str(grid.shift)))
    cell_y = Hazard.map_y.op(">>")(literal_column(str(grid.shift)))
    query = matching.order_by(None).with_only_columns(
        cell_x, cell_y, func.count(), func.count().filter(overdue_clause(today)), func.sum(Hazard.lon),
        func.sum(Hazard.lat), *(func.count().filter(Hazard.status == status) for status in STATUSES),
    ).group_by(cell_x, cell_y)
    tune_for_counting(session)
    return _clusters(grid, session.execute(query))


def thumbnail_key(session: Session, photo_id: uuid.UUID) -> str | None:
    """The object key of a photo's thumbnail (the map links to it), or None when there is no such photo."""
    return session.scalar(select(Photo.thumbnail_key).where(Photo.id == photo_id))


# --- areas with their counts (the choropleth) -------------------------------------------------------------------


@dataclass(frozen=True)
class AreaCounts(Tally):
    """An area with the counts of the hazards in it and in every area under it."""

    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: dict

    @property
    def overdue_rate(self) -> float | None:
        return rate(self.overdue, self.total)


def area_counts(
    session: Session, actor: User, filters: HazardFilters, *, level: str, now: datetime, tz: tzinfo,
) -> list[AreaCounts]:
    """The areas of ``level`` that have a boundary, each with the counts of the hazards ``actor`` may see in it.

    A hazard counts in its area and every area above it (by area path prefix), so a street counts its
    communities' and grids' hazards. Void hazards (recorded in error) are not counted. ``open`` is every
    active state (open, acknowledged, submitted); ``overdue`` is active past the deadline in force;
    ``due`` closed or past the original deadline; ``closed_on_time`` is closed on or before the *original*
    deadline (local date of closing), as the statistics count it (the rules are ``inspections.hazard_counts``'),
    so an approved extension does not make a late rectification on time. Inspectors get only the areas within their own.
    """
    counted = counted_hazards(session, actor, filters, today=deadlines.local_date(now, tz))
    under = tallies_under(tallies_by_path(session, counted, now=now, tz=tz))
    areas = session.scalars(
        select(Area).where(*area_scope(actor, level), Area.boundary.is_not(None)).order_by(Area.code))
    return [
        AreaCounts(*under.get(area.path, NO_HAZARDS).counts(), code=area.code, name=area.name, level=area.level,
                   parent_code=area.parent_code, boundary=area.boundary)
        for area in areas
    ]
