"""How hazards are counted, for the statistics (``inspections.stats``) and the map's area shading
(``map_queries.area_counts``) alike, so the two can never disagree:

- a void hazard (recorded in error) is never counted; every other one counts from the moment it is reported;
- ``open``: every active state (open, acknowledged, submitted); ``overdue``: active and past the deadline in force,
  as ``overdue_clause`` says for the lists and the map;
- ``closed_on_time``: closed on or before the *original* deadline, by the local date of closing in the district's
  zone, so an approved extension does not turn a late rectification into an on-time one;
- an area counts the hazards of every area under it: a hazard's area path at report time starts with its path.

Everything is counted by the database, one GROUP BY over the hazards the caller may see (``hazards_query``, so
visibility and every filter mean what they mean in ``GET /hazards``); Python only sees one row per group.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import Date, Select, and_, case, false, func, literal_column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from inspections import deadlines
from inspections.enums import ACTIVE_STATUSES, HazardStatus, Role
from inspections.hazard_queries import HazardFilters, hazards_query
from inspections.models import Area, Hazard, User
from inspections.models.hazards import overdue_clause
from inspections.visibility import area_path_of

# The counts of a group of hazards, in the order the counting columns come.
COUNTS = ("total", "open", "overdue", "closed", "closed_on_time")


class _LocalDate(FunctionElement):
    """The local calendar date of a (naive UTC) timestamp column, at a fixed UTC offset in seconds.

    Dialect-specific SQL for one idea, so the on-time rule can be counted in the database on both backends.
    """

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(_LocalDate)
def _local_date_default(element, compiler, **kw):
    column, seconds = list(element.clauses)
    return f"CAST({compiler.process(column, **kw)} + {compiler.process(seconds, **kw)} * INTERVAL '1 second' AS DATE)"


@compiles(_LocalDate, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    column, seconds = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, {compiler.process(seconds, **kw)} || ' seconds')"


def _number(clause):
    return func.sum(case((clause, 1), else_=0))


def count_columns(*, now: datetime, tz: tzinfo) -> list:
    """The aggregate columns that count hazards by state, labelled as ``COUNTS``, as of ``now``.

    Over the rows of ``counted_hazards`` (void ones left out): ``total``, ``open`` (active), ``overdue`` (active,
    past the deadline in force), ``closed`` and ``closed_on_time`` (on or before the original deadline, by the
    local date of closing).
    """
    today = deadlines.local_date(now, tz)
    offset = int(now.astimezone(tz).utcoffset().total_seconds())  # China has had no daylight saving since 1991
    active = Hazard.status.in_([s.value for s in ACTIVE_STATUSES])
    closed = Hazard.status == HazardStatus.CLOSED.value
    on_time = and_(closed, _LocalDate(Hazard.closed_at, literal_column(str(offset))) <= Hazard.original_deadline)
    return [
        func.count().label("total"), _number(active).label("open"), _number(overdue_clause(today)).label("overdue"),
        _number(closed).label("closed"), _number(on_time).label("closed_on_time"),
    ]


def counted_hazards(session: Session, actor: User, filters: HazardFilters, *, today: date) -> Select:
    """The hazards ``actor`` may see that match ``filters`` and count at all (not void), unordered."""
    return (hazards_query(session, actor, filters, today=today).order_by(None)
            .where(Hazard.status != HazardStatus.VOID.value))


def area_scope(actor: User, level: str) -> list:
    """WHERE clauses on areas: those of ``level`` the actor answers for (an inspector: within their own)."""
    scope = [Area.level == level]
    if actor.role == Role.INSPECTOR:
        path = area_path_of(actor)
        scope.append(Area.path.startswith(path, autoescape=True) if path else false())
    return scope


def tallies_by_path(session: Session, counted: Select, *, now: datetime, tz: tzinfo) -> dict[str | None, Tally]:
    """The ``counted`` hazards' counts per area path recorded at report time (None: no area), in one GROUP BY.

    A district has a few hundred paths however many hazards it has: everything after this is done on them.
    """
    query = (counted.with_only_columns(Hazard.area_path, *count_columns(now=now, tz=tz))
             .group_by(Hazard.area_path))
    tune_for_counting(session)
    return {path: Tally(*(int(n or 0) for n in counts)) for path, *counts in session.execute(query)}


def tallies_under(by_path: dict[str | None, Tally]) -> dict[str, Tally]:
    """By area path (``/district/street/``), the counts of every hazard recorded at that area or under it."""
    under: dict[str, Tally] = {}
    for path, tally in by_path.items():
        codes = [code for code in (path or "").split("/") if code]
        for depth in range(1, len(codes) + 1):
            above = "/" + "/".join(codes[:depth]) + "/"
            under[above] = under[above] + tally if above in under else tally
    return under


def tune_for_counting(session: Session) -> None:
    """PostgreSQL settings for one big aggregate, for the rest of this transaction only.

    The planner cannot estimate how few groups (cells, areas) there are: it guesses a group per ten rows. With
    the default 4 MB it then expects too many groups for a hash and sorts a million rows on disk instead, it
    prices handing those groups between parallel workers too high to split a big box between them, and it
    spends longer compiling the aggregate (JIT) than running it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('work_mem', '32MB', true), set_config('jit', 'off', true), "
                             "set_config('parallel_tuple_cost', '0', true)"))


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None when ``whole`` is 0: a rate of nothing is unknown, not 0 %."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Tally:
    """The counts of a group of hazards (see ``count_columns``) and the rates made of them."""

    total: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int

    def counts(self) -> tuple[int, ...]:
        """The counts in ``COUNTS`` order."""
        return tuple(getattr(self, n) for n in COUNTS)

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.counts(), other.counts())))

    @property
    def rectification_rate(self) -> float | None:
        return rate(self.closed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.closed_on_time, self.closed)


NO_HAZARDS = Tally(0, 0, 0, 0, 0)
