"""The map's running counts: located hazards per map cell, status and open deadline, at every zoom up to 16.

Counting a million hazards for a city-wide view takes the database a few hundred milliseconds; reading the
counts kept per cell takes a few. So every change to a hazard's position, status or deadline also changes
the counts of the cells it leaves and enters (``MapCell`` rows, one per zoom 0..``MAX_LEVEL``), in the same
transaction, applied just before it commits (one statement, rows in key order: two writers never wait on
each other in opposite orders, and row locks are held only for the commit).

A box seldom covers whole cells. `box_counts` therefore adds up the cells of the answer's grid that lie
wholly inside the box, then, along the edges, ever smaller cells that lie wholly inside, down to zoom 16
(about 150 m), and counts the hazards in the last thin strip along the edge one by one: the counts are
exact, never an estimate.

The counts are kept by sessions of a factory passed to `keep_counts` (the app's, the CLI's and the benches' all
are): importing this module changes nothing. Writes that bypass the ORM (the demo seed's COPY, hand-made SQL) must be
followed by `rebuild`; ``flask --app wsgi map check`` says whether the counts agree with the hazards.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Integer, and_, case, delete, event, func, insert, inspect, literal, literal_column, select, tuple_, union_all,
)
from sqlalchemy.orm import Session, sessionmaker

from inspections.enums import ACTIVE_STATUSES, HazardStatus, values
from inspections.map_grid import CellRange, Grid, lat_of, lon_of, pixel
from inspections.models import Hazard, MapCell
from inspections.models.hazards import overdue_clause

MAX_LEVEL = 16  # the finest zoom counted: cells of about 150 m; finer views are counted from the hazards
NEVER = date(9999, 12, 31)  # the open deadline of closed and void hazards: never overdue
_ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)
STATUSES = tuple(values(HazardStatus))
_DELTAS = "map_cell_deltas"

Key = tuple[int, int, int, str, date]  # level, cx, cy, status, open_deadline


@dataclass(frozen=True)
class _Place:
    """What the counts know of one hazard."""

    x: int
    y: int
    status: str
    open_deadline: date
    lon: float
    lat: float


def _place(lon, lat, status, deadline) -> _Place | None:
    if lon is None or lat is None:
        return None
    x, y = pixel(lon, lat)
    return _Place(x, y, status, deadline if status in _ACTIVE else NEVER, lon, lat)


def keys_of(place: _Place) -> list[Key]:
    return [(level, place.x >> Grid(level).shift, place.y >> Grid(level).shift, place.status, place.open_deadline)
            for level in range(MAX_LEVEL + 1)]


# --- keeping the counts ----------------------------------------------------------------------------------------


def keep_counts(sessions: sessionmaker) -> sessionmaker:
    """Have every session of ``sessions`` keep the map's counts in step with its hazard writes; returns it.

    Attached to the factory, not to SQLAlchemy's Session class, so that only the sessions the service makes keep
    them, and only once however often this is called.
    """
    for name, listener in _LISTENERS:
        if not event.contains(sessions, name, listener):
            event.listen(sessions, name, listener)
    return sessions



def _store_pixels(session: Session, _context, _instances) -> None:
    """Keep ``map_x``/``map_y`` in step with the position, whoever changed it."""
    for hazard in (*session.new, *session.dirty):
        if isinstance(hazard, Hazard):
            columns = pixel_columns(hazard.lon, hazard.lat)
            if (hazard.map_x, hazard.map_y) != (columns["map_x"], columns["map_y"]):
                hazard.map_x, hazard.map_y = columns["map_x"], columns["map_y"]


_TRACKED = ("lon", "lat", "status", "deadline")  # mapped with active_history, so a change keeps the old value


def _as_stored(hazard: Hazard) -> _Place | None:
    """The hazard as the database had it before this flush."""
    state = inspect(hazard)
    values = []
    for name in _TRACKED:
        history = state.attrs[name].history
        values.append(history.deleted[0] if history.deleted else getattr(hazard, name))
    return _place(*values)


def _as_now(hazard: Hazard) -> _Place | None:
    return _place(hazard.lon, hazard.lat, hazard.status, hazard.deadline)


def _collect(session: Session, _context) -> None:
    """Note what the flush changed in the counts; `_apply` writes it just before the commit."""
    changes: list[tuple[_Place | None, _Place | None]] = []
    for hazard in session.new:
        if isinstance(hazard, Hazard):
            changes.append((None, _as_now(hazard)))
    for hazard in session.dirty:
        if isinstance(hazard, Hazard):
            state = inspect(hazard)
            if any(state.attrs[name].history.has_changes() for name in _TRACKED):
                changes.append((_as_stored(hazard), _as_now(hazard)))
    for hazard in session.deleted:
        if isinstance(hazard, Hazard):
            changes.append((_as_stored(hazard), None))
    if not changes:
        return
    deltas = session.info.setdefault(_DELTAS, _no_deltas())
    for before, after in changes:
        _add(deltas, before, -1)
        _add(deltas, after, 1)


def _no_deltas() -> dict[Key, list]:
    return defaultdict(lambda: [0, 0.0, 0.0])  # hazards, sum_lon, sum_lat


def _add(deltas: dict[Key, list], place: _Place | None, sign: int) -> None:
    if place is None:
        return
    for key in keys_of(place):
        delta = deltas[key]
        delta[0] += sign
        delta[1] += sign * place.lon
        delta[2] += sign * place.lat


def _apply(session: Session) -> None:
    session.flush()  # the commit would flush after this hook: flush now so that nothing is left out
    deltas = session.info.pop(_DELTAS, None)
    if deltas:
        apply_deltas(session, deltas)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back, or committed (then already applied and popped)
        session.info.pop(_DELTAS, None)


_LISTENERS = (("before_flush", _store_pixels), ("after_flush", _collect), ("before_commit", _apply),
              ("after_transaction_end", _forget))


def apply_deltas(session: Session, deltas: dict[Key, list]) -> None:
    """Add the deltas to the counts, in key order; drop the cells that no hazard is left in."""
    changed = sorted((key, delta) for key, delta in deltas.items() if delta[0] or delta[1] or delta[2])
    if not changed:
        return
    rows = [{"level": k[0], "cx": k[1], "cy": k[2], "status": k[3], "open_deadline": k[4],
             "hazards": d[0], "sum_lon": d[1], "sum_lat": d[2]} for k, d in changed]
    connection = session.connection()
    upsert = _dialect_insert(connection.dialect.name)(MapCell)
    connection.execute(upsert.on_conflict_do_update(
        index_elements=["level", "cx", "cy", "status", "open_deadline"],
        set_={"hazards": MapCell.hazards + upsert.excluded.hazards,
              "sum_lon": MapCell.sum_lon + upsert.excluded.sum_lon,
              "sum_lat": MapCell.sum_lat + upsert.excluded.sum_lat},
    ), rows)
    emptied = [k for k, d in changed if d[0] < 0]
    if emptied:
        key = tuple_(MapCell.level, MapCell.cx, MapCell.cy, MapCell.status, MapCell.open_deadline)
        connection.execute(delete(MapCell).where(key.in_(emptied), MapCell.hazards <= 0))


def _dialect_insert(name: str):
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def count_inserted(session: Session, hazards: list[dict]) -> None:
    """Count hazards written without the ORM (a bulk insert of dicts with lon, lat, status and deadline)."""
    deltas = _no_deltas()
    for row in hazards:
        _add(deltas, _place(row["lon"], row["lat"], row["status"], row["deadline"]), 1)
    apply_deltas(session, deltas)


def pixel_columns(lon: float | None, lat: float | None) -> dict:
    """``map_x`` and ``map_y`` for a hazard row written without the ORM."""
    x, y = pixel(lon, lat) if lon is not None and lat is not None else (None, None)
    return {"map_x": x, "map_y": y}


# --- rebuilding and checking -----------------------------------------------------------------------------------


def _open_deadline():
    return case((Hazard.status.in_(_ACTIVE), Hazard.deadline), else_=literal(NEVER))


def _from_hazards(level: int):
    """The counts of one level, computed from the hazards."""
    shift = Grid(level).shift
    located = select(
        (Hazard.map_x.op(">>")(literal_column(str(shift)))).label("cx"),
        (Hazard.map_y.op(">>")(literal_column(str(shift)))).label("cy"),
        Hazard.status.label("status"), _open_deadline().label("open_deadline"),
        Hazard.lon.label("lon"), Hazard.lat.label("lat"),
    ).where(Hazard.map_x.is_not(None)).subquery()
    return select(
        literal_column(str(level), Integer).label("level"), located.c.cx, located.c.cy, located.c.status,
        located.c.open_deadline, func.count().label("hazards"), func.sum(located.c.lon).label("sum_lon"),
        func.sum(located.c.lat).label("sum_lat"),
    ).group_by(located.c.cx, located.c.cy, located.c.status, located.c.open_deadline)


def _from_finer(level: int):
    """The counts of one level, from the next finer level's (four cells make one)."""
    finer = select(
        (MapCell.cx.op(">>")(literal_column("1"))).label("cx"), (MapCell.cy.op(">>")(literal_column("1"))).label("cy"),
        MapCell.status, MapCell.open_deadline, MapCell.hazards, MapCell.sum_lon, MapCell.sum_lat,
    ).where(MapCell.level == level + 1).subquery()
    return select(
        literal_column(str(level), Integer).label("level"), finer.c.cx, finer.c.cy, finer.c.status,
        finer.c.open_deadline, func.sum(finer.c.hazards), func.sum(finer.c.sum_lon), func.sum(finer.c.sum_lat),
    ).group_by(finer.c.cx, finer.c.cy, finer.c.status, finer.c.open_deadline)


_COLUMNS = ["level", "cx", "cy", "status", "open_deadline", "hazards", "sum_lon", "sum_lat"]


def rebuild(session: Session, progress=None) -> int:
    """Recount every cell from the hazards, in the session's transaction (the caller commits). Returns rows."""
    session.execute(delete(MapCell))
    session.execute(insert(MapCell).from_select(_COLUMNS, _from_hazards(MAX_LEVEL)))
    if progress:
        progress(f"map cells: zoom {MAX_LEVEL} counted from the hazards")
    for level in range(MAX_LEVEL - 1, -1, -1):
        session.execute(insert(MapCell).from_select(_COLUMNS, _from_finer(level)))
        if progress:
            progress(f"map cells: zoom {level} counted")
    return session.scalar(select(func.count()).select_from(MapCell))


@dataclass(frozen=True)
class Disagreement:
    level: int
    cx: int
    cy: int
    status: str
    open_deadline: date
    kept: int
    actual: int

    def __str__(self) -> str:
        due = "" if self.open_deadline == NEVER else f", deadline {self.open_deadline}"
        source = "the hazards table has" if self.level == MAX_LEVEL else f"its cells at zoom {self.level + 1} hold"
        return (f"zoom {self.level} cell ({self.cx}, {self.cy}), {self.status}{due}: "
                f"the map counts {self.kept}, {source} {self.actual}")


def check(session: Session, limit: int = 20) -> list[Disagreement]:
    """Cells whose kept count is wrong: the finest level against the hazards, each coarser level against the
    level below it (which together means every level against the hazards). At most ``limit`` are named."""
    found: list[Disagreement] = []
    for level in range(MAX_LEVEL, -1, -1):
        expected = _from_hazards(level) if level == MAX_LEVEL else _from_finer(level)
        actual = {tuple(row[1:5]): row[5] for row in session.execute(expected)}
        kept = {(c.cx, c.cy, c.status, c.open_deadline): c.hazards
                for c in session.scalars(select(MapCell).where(MapCell.level == level))}
        for key in sorted(actual.keys() | kept.keys()):
            if actual.get(key, 0) != kept.get(key, 0):
                found.append(Disagreement(level, *key, kept.get(key, 0), actual.get(key, 0)))
                if len(found) >= limit:
                    return found
    return found


# --- reading the counts for a box -------------------------------------------------------------------------------


def box_counts(session: Session, grid: Grid, bbox: tuple[float, float, float, float], *, today: date,
               statuses: tuple[str, ...] = (), overdue: bool | None = None):
    """One row per non-empty cell of ``grid`` in the box: cx, cy, hazards, overdue, sum_lon, sum_lat, then the
    count of each status in `STATUSES` order. Exact: kept counts inside the box, single hazards along its edge.

    ``grid.zoom`` must be at most `MAX_LEVEL`. Every located hazard counts, whoever may see it: only for
    callers who see the whole district.
    """
    parts = []
    inner = None  # the cells wholly inside at the previous (coarser) level, in this level's cells
    covered = None  # the pixels counted so far
    for level in range(grid.zoom, MAX_LEVEL + 1):
        inside = Grid(level).inside(bbox)
        if inside.empty:
            continue
        for piece in _ring(inside, inner):
            parts.append(_kept(level, level - grid.zoom, piece, today, statuses, overdue))
        inner = CellRange(inside.x0 * 2, inside.y0 * 2, inside.x1 * 2 + 1, inside.y1 * 2 + 1)
        covered = Grid(level).pixels(inside)
    parts.extend(_single(grid.shift, strip, today, statuses, overdue) for strip in _edge_strips(bbox, covered))
    rows = union_all(*parts).subquery()
    by_status = [func.sum(case((rows.c.status == s, rows.c.n), else_=0)) for s in STATUSES]
    query = (select(rows.c.gx, rows.c.gy, func.sum(rows.c.n), func.sum(rows.c.late), func.sum(rows.c.slon),
                    func.sum(rows.c.slat), *by_status)
             .group_by(rows.c.gx, rows.c.gy).having(func.sum(rows.c.n) > 0))
    return session.execute(query).all()


def _ring(inside: CellRange, inner: CellRange | None) -> list[CellRange]:
    """``inside`` less ``inner`` (which it contains), as at most four rectangles."""
    if inner is None:
        return [inside]
    pieces = [
        CellRange(inside.x0, inside.y0, inner.x0 - 1, inside.y1),  # west
        CellRange(inner.x1 + 1, inside.y0, inside.x1, inside.y1),  # east
        CellRange(inner.x0, inside.y0, inner.x1, inner.y0 - 1),  # north
        CellRange(inner.x0, inner.y1 + 1, inner.x1, inside.y1),  # south
    ]
    return [p for p in pieces if not p.empty]


def _kept(level: int, factor: int, cells: CellRange, today: date, statuses, overdue):
    where = [MapCell.level == level, MapCell.cx.between(cells.x0, cells.x1), MapCell.cy.between(cells.y0, cells.y1)]
    if statuses:
        where.append(MapCell.status.in_(statuses))
    if overdue is not None:
        where.append(MapCell.open_deadline < today if overdue else MapCell.open_deadline >= today)
    # Bound parameters, not literals: the same shape of query is then the same SQL text, which SQLAlchemy compiles
    # once and psycopg prepares once (PostgreSQL plans it once), however the box moves.
    return select(
        MapCell.cx.op(">>")(factor).label("gx"), MapCell.cy.op(">>")(factor).label("gy"), MapCell.status.label("status"),
        MapCell.hazards.label("n"), case((MapCell.open_deadline < today, MapCell.hazards), else_=0).label("late"),
        MapCell.sum_lon.label("slon"), MapCell.sum_lat.label("slat"),
    ).where(*where)


def _edge_strips(bbox, covered: CellRange | None) -> list[tuple]:
    """The box less the pixels ``covered`` by kept counts, as up to four strips: (float bounds for the index,
    exact pixel condition)."""
    west, south, east, north = bbox
    if covered is None:
        return [((west, south, east, north), None)]
    x0, y0, x1, y1 = covered.x0, covered.y0, covered.x1, covered.y1
    # The float bounds are a pixel wider than the strip, so that rounding can never leave a hazard out;
    # the pixel condition then decides exactly.
    return [
        ((west, south, min(east, lon_of(x0 + 1)), north), Hazard.map_x < x0),
        ((max(west, lon_of(x1)), south, east, north), Hazard.map_x > x1),
        ((west, max(south, lat_of(y0 + 1)), east, north), and_(Hazard.map_x.between(x0, x1), Hazard.map_y < y0)),
        ((west, south, east, min(north, lat_of(y1))), and_(Hazard.map_x.between(x0, x1), Hazard.map_y > y1)),
    ]


def _single(shift: int, strip, today: date, statuses, overdue):
    (west, south, east, north), exact = strip
    where = [Hazard.lon.between(west, east), Hazard.lat.between(south, north)]
    if exact is not None:
        where.append(exact)
    late = overdue_clause(today)
    if statuses:
        where.append(Hazard.status.in_(statuses))
    if overdue is not None:
        where.append(late if overdue else ~late)
    return select(
        Hazard.map_x.op(">>")(shift).label("gx"), Hazard.map_y.op(">>")(shift).label("gy"), Hazard.status.label("status"),
        literal_column("1").label("n"), case((late, 1), else_=0).label("late"),
        Hazard.lon.label("slon"), Hazard.lat.label("slat"),
    ).where(*where)
