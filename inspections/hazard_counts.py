"""How hazards are counted, for the statistics (``inspections.stats``) and the map's area shading
(``map_queries.area_counts``) alike, so the two can never disagree:

- a void hazard (recorded in error) is never counted; every other one counts from the moment it is reported;
- ``open``: every active state (open, acknowledged, submitted); ``overdue``: active and past the deadline in force,
  as ``overdue_clause`` says for the lists and the map;
- ``due``: hazards that had to be rectified by now: closed, or past the *original* deadline (its local day is over);
- ``closed_on_time``: closed on or before the *original* deadline, by the local date of closing in the district's
  zone, so an approved extension does not turn a late rectification into an on-time one;
- the on-time rate is ``closed_on_time / due``: a hazard left open past its deadline counts against it exactly as one
  closed late does, so no rate rises by leaving hazards open (``closed_on_time / closed`` did: one closed on time
  and nine left overdue scored 100 %). ``due`` is judged by the original deadline too, since an extension that
  took a hazard out of ``due`` until it ran out would reward leaving it open in the meantime;
- an area counts the hazards of every area under it: a hazard's area path at report time starts with its path.

Everything is counted by the database, one GROUP BY over the hazards the caller may see (``hazards_query``, so
visibility and every filter mean what they mean in ``GET /hazards``); Python only sees one row per group.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo

from sqlalchemy import Date, Select, and_, case, false, func, literal_column, or_, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from inspections import deadlines
from inspections.enums import ACTIVE_STATUSES, HazardStatus, Role
from inspections.hazard_queries import HazardFilters, hazards_query
from inspections.models import Area, Hazard, User
from inspections.models.hazards import overdue_clause
from inspections.visibility import area_path_of

# The counts of a group of hazards, in the order the counting columns come (``Tally``'s fields). A new count is a
# field of ``Tally``, a clause in ``_counted``, and its wire name in ``WIRE_NAMES`` if it differs.
COUNTS = ("total", "open", "overdue", "due", "closed", "closed_on_time")
# Each rate: (numerator, denominator), two counts of the same hazards; 0 / 0 is None. A new rate is a line here.
RATES = {
    "rectification_rate": ("closed", "total"),
    "on_time_rate": ("closed_on_time", "due"),
}
# Where the answers call a count by another name than ``Tally`` does.
WIRE_NAMES = {"overdue": "open_overdue"}


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


def _counted(*, today: date, offset: int) -> dict:
    """Which hazards each count counts, as SQL (None: every one), by ``COUNTS`` name; ``offset`` is the
    district's UTC offset in seconds, for the local date of closing."""
    active = Hazard.status.in_([s.value for s in ACTIVE_STATUSES])
    closed = Hazard.status == HazardStatus.CLOSED.value
    return {
        "total": None,
        "open": active,
        "overdue": overdue_clause(today),
        # Void hazards are not counted at all, so "not closed" is active here.
        "due": or_(closed, Hazard.original_deadline < today),
        "closed": closed,
        "closed_on_time": and_(
            closed, _LocalDate(Hazard.closed_at, literal_column(str(offset))) <= Hazard.original_deadline),
    }


def count_columns(*, now: datetime, tz: tzinfo) -> list:
    """The aggregate columns that count hazards by state, labelled as ``COUNTS``, as of ``now``.

    Over the rows of ``counted_hazards`` (void ones left out): ``total``, ``open`` (active), ``overdue`` (active,
    past the deadline in force), ``due`` (closed, or past the original deadline), ``closed`` and
    ``closed_on_time`` (on or before the original deadline, by the local date of closing).
    """
    today = deadlines.local_date(now, tz)
    offset = int(now.astimezone(tz).utcoffset().total_seconds())  # China has had no daylight saving since 1991
    clauses = _counted(today=today, offset=offset)
    return [(func.count() if clauses[name] is None else _number(clauses[name])).label(name) for name in COUNTS]


def is_due(hazard: Hazard, today: date) -> bool:
    """``due`` for one hazard (the ledger): closed, or still active past its original deadline. Void: never."""
    if hazard.status == HazardStatus.CLOSED:
        return True
    return hazard.status in ACTIVE_STATUSES and hazard.original_deadline < today


def is_closed_on_time(hazard: Hazard, tz: tzinfo) -> bool:
    """``closed_on_time`` for one hazard (the ledger): closed on or before the original deadline, local day."""
    return hazard.status == HazardStatus.CLOSED and deadlines.local_date(hazard.closed_at, tz) <= hazard.original_deadline


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
    """The counts of a group of hazards (see ``count_columns``) and the rates made of them (``RATES``)."""

    total: int
    open: int
    overdue: int
    due: int
    closed: int
    closed_on_time: int

    def counts(self) -> tuple[int, ...]:
        """The counts in ``COUNTS`` order."""
        return tuple(getattr(self, n) for n in COUNTS)

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.counts(), other.counts())))

    def rate(self, name: str) -> float | None:
        """The rate ``name`` of ``RATES``: its numerator over its denominator, None when that is 0."""
        numerator, denominator = RATES[name]
        return rate(getattr(self, numerator), getattr(self, denominator))

    @property
    def rectification_rate(self) -> float | None:
        """整改率: closed / total."""
        return self.rate("rectification_rate")

    @property
    def on_time_rate(self) -> float | None:
        """按期整改率: closed on time / due (closed, or past the original deadline)."""
        return self.rate("on_time_rate")


assert tuple(f.name for f in fields(Tally)) == COUNTS, "Tally's fields are the counts, in COUNTS order"
NO_HAZARDS = Tally(*(0 for _ in COUNTS))
