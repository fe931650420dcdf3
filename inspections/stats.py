"""The statistics (督查考核): hazards counted by area, sector, enterprise or category, with their rectification and
on-time rates. The counting rules are ``inspections.hazard_counts``', which the map's area shading shares.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from inspections import deadlines
from inspections.enums import AreaLevel, Role
from inspections.errors import Forbidden
from inspections.hazard_counts import (
    COUNTS, NO_HAZARDS, RATES, WIRE_NAMES, Tally, area_scope, count_columns, counted_hazards, tallies_by_path,
    tallies_under, tune_for_counting,
)
from inspections.hazard_queries import HazardFilters
from inspections.models import Area, Category, Enterprise, Hazard, User

GROUPINGS = ("area", "sector", "enterprise", "category")
# Officers answer for one enterprise; ranking streets and departments is for those who supervise them.
STATS_ROLES = (Role.INSPECTOR, Role.REVIEWER, Role.ADMIN)
# What the rows can be ranked by: every count and rate, the answer's name for it → the row's attribute.
SORT_KEYS = {WIRE_NAMES.get(name, name): name for name in (*COUNTS, *RATES)}
# Each of them ascending, or descending with a leading "-".
SORTS = tuple(prefix + key for key in SORT_KEYS for prefix in ("", "-"))


# --- the statistics -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsRow(Tally):
    """One group with its counts. ``name`` is what to show; which of the other keys are set depends on the grouping:
    area ``code, level, parent_code``; sector ``sector``; enterprise ``enterprise_id, credit_code``; category
    ``code, parent_code``."""

    name: str | None = None
    code: str | None = None
    level: str | None = None
    parent_code: str | None = None
    enterprise_id: int | None = None
    credit_code: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class HazardStats:
    """The answer: one row per group in a stable order (area, sector, category code; enterprise id), and the
    totals of every hazard selected, including those in no row (no recorded area, or an area above the level)."""

    group_by: str
    level: str | None
    reported_from: date | None
    reported_to: date | None
    as_of: date  # the local date "overdue" is judged on
    rows: list[StatsRow]
    totals: Tally


def hazard_stats(
    session: Session, actor: User, filters: HazardFilters, *, group_by: str, level: str | None = None,
    reported_from: date | None = None, reported_to: date | None = None, sort: str | None = None, now: datetime,
    tz: tzinfo,
) -> HazardStats:
    """The hazards ``actor`` may see that match ``filters`` and were reported from ``reported_from`` to
    ``reported_to`` (local dates, both included), counted by ``group_by``: area (at ``level``, street by default),
    sector (the enterprise's, as recorded now), enterprise or category (as recorded on the hazard).

    Area rows are every area of the level the actor answers for (within ``filters.area_code`` when given), with
    or without hazards; the other groupings list only groups that have some. Officers may not ask (Forbidden):
    the statistics compare enterprises and streets.

    Rows come by the group key (area, sector, category code; enterprise id) unless ``sort`` (one of ``SORTS``)
    ranks them by a count or rate, ascending or with "-" descending; see ``ranked``.
    """
    if actor.role not in STATS_ROLES:
        raise Forbidden("The statistics are for inspectors, reviewers and admins.")
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, not {group_by!r}")
    if sort is not None and sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    today = deadlines.local_date(now, tz)
    counted = counted_hazards(session, actor, _within_period(filters, reported_from, reported_to, tz), today=today)
    if group_by == "area":
        level = level or AreaLevel.STREET.value
        by_path = tallies_by_path(session, counted, now=now, tz=tz)
        rows = _area_rows(session, actor, by_path, level, filters.area_code)
        # Every hazard counted once, also those in no row (no area recorded, or one above the level).
        tally = sum(by_path.values(), NO_HAZARDS)
    else:
        level = None
        tune_for_counting(session)
        rows = [StatsRow(**{key: int(value) if key in COUNTS else value for key, value in row.items()})
                for row in session.execute(_BY[group_by](counted, now=now, tz=tz)).mappings()]
        # Every hazard has an enterprise (so a sector row, null or not) and a category: its rows add up.
        tally = sum(rows, NO_HAZARDS)
    return HazardStats(group_by, level, reported_from, reported_to, today, ranked(rows, sort), tally)


def ranked(rows: list[StatsRow], sort: str | None) -> list[StatsRow]:
    """``rows`` (in the order of their group key) ranked by ``sort``: rows without the value (a rate of nothing)
    last whichever the direction, and rows with equal values kept in the order of their group key.

    Rates are compared unrounded: a rate is one correctly rounded division, so equal fractions (1/3 and 2/6)
    are equal floats, and a tie is a tie.
    """
    if not sort:
        return rows
    descending = sort.startswith("-")
    attribute = SORT_KEYS[sort.lstrip("-")]

    def value(row: StatsRow) -> float | int | None:
        return row.rate(attribute) if attribute in RATES else getattr(row, attribute)

    known = [row for row in rows if value(row) is not None]
    unknown = [row for row in rows if value(row) is None]
    # sorted() is stable, and reverse=True keeps equal rows in their original order too.
    return sorted(known, key=value, reverse=descending) + unknown


def _within_period(filters: HazardFilters, first: date | None, last: date | None, tz: tzinfo) -> HazardFilters:
    """The filters narrowed to hazards reported from local midnight of ``first`` to before that after ``last``."""
    after = _local_midnight(first, tz) if first else None
    before = _local_midnight(last + timedelta(days=1), tz) if last else None
    if filters.created_after and after:
        after = max(after, filters.created_after)
    if filters.created_before and before:
        before = min(before, filters.created_before)
    return replace(filters, created_after=after or filters.created_after,
                   created_before=before or filters.created_before)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _counts_of(table) -> list:
    return [table.c[n] for n in COUNTS]


def _area_rows(session: Session, actor: User, by_path: dict, level: str, area_code: str | None) -> list[StatsRow]:
    """Every area of ``level`` the actor answers for (within ``area_code``), with the counts under it."""
    scope = area_scope(actor, level)
    if area_code:
        # ``counted`` has already refused an unknown area code.
        scope.append(Area.path.startswith(session.get(Area, area_code).path, autoescape=True))
    under = tallies_under(by_path)
    areas = session.execute(
        select(Area.code, Area.name, Area.level, Area.parent_code, Area.path).where(*scope).order_by(Area.code))
    return [StatsRow(*under.get(path, NO_HAZARDS).counts(), name=name, code=code, level=area_level,
                     parent_code=parent_code)
            for code, name, area_level, parent_code, path in areas]


def _per_enterprise(counted: Select, *, now: datetime, tz: tzinfo) -> Subquery:
    # Grouped by the hazards' own column first; the enterprises are joined to the few groups afterwards.
    return (counted.with_only_columns(Hazard.enterprise_id.label("enterprise_id"), *count_columns(now=now, tz=tz))
            .group_by(Hazard.enterprise_id).subquery())


def _by_enterprise(counted: Select, *, now: datetime, tz: tzinfo) -> Select:
    per = _per_enterprise(counted, now=now, tz=tz)
    return (
        select(Enterprise.id.label("enterprise_id"), Enterprise.name, Enterprise.credit_code, *_counts_of(per))
        .join(per, per.c.enterprise_id == Enterprise.id).order_by(Enterprise.id)
    )


def _by_sector(counted: Select, *, now: datetime, tz: tzinfo) -> Select:
    per = _per_enterprise(counted, now=now, tz=tz)
    return (
        select(Enterprise.sector.label("sector"), Enterprise.sector.label("name"),
               *(func.sum(per.c[n]).label(n) for n in COUNTS))
        .join(per, per.c.enterprise_id == Enterprise.id)
        .group_by(Enterprise.sector).order_by(Enterprise.sector.is_(None), Enterprise.sector)
    )


def _by_category(counted: Select, *, now: datetime, tz: tzinfo) -> Select:
    per = (counted.with_only_columns(Hazard.category_code.label("code"), *count_columns(now=now, tz=tz))
           .group_by(Hazard.category_code).subquery())
    return (
        select(Category.code, Category.name, Category.parent_code, *_counts_of(per))
        .join(per, per.c.code == Category.code).order_by(Category.code)
    )


_BY = {"sector": _by_sector, "enterprise": _by_enterprise, "category": _by_category}
