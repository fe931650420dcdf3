"""Benchmark of the district map (GET /api/v1/map/hazards) on PostgreSQL, beside the naive way.

Run from the repository root:

    python bench/map.py --database-url postgresql://postgres@127.0.0.1:5432/hazards_bench [--hazards 1000000]

* The database (loopback only) is created if missing, migrated, and seeded with the demo district
  (``inspections.demo``) when it has no hazards; that takes minutes at a million, with progress lines.
* Requests go through the Flask test client with a reviewer's token (the whole district is visible), over
  random screen-sized boxes (1280 x 800 px) in the district at city (zoom 10), district (12, 13) and street
  (15, 16) zoom. Each box is asked twice, taking turns at going first: "ours" (the endpoint: the map's running counts per cell,
  exact along the box's edge) and "naive" (the same request, same filters, same grid and same answer, but every
  hazard in the box selected into Python - position, map pixel, status and deadline only - and clustered there).
  Both answers are checked to agree.
* Times how long each of our answers waits on the database (every statement, round trip included), and
  measures the endpoint's floor at each zoom: the same request for a screen-sized box with no hazards in it
  (beside the district). That is what any answer costs before there is anything to count - the token check, the
  arguments, the visibility rule, the database's word that the box is empty, and the JSON - so ``naive / floor``
  is the best speed-up any way of counting could reach there, and ``naive / (floor + our extra database time)``
  the best this schema's queries could reach if all our own Python cost nothing.
* Prints median and p95 per zoom class and kind of answer (clusters or points), the speed-up (naive / ours),
  and a summary line against the targets: p95 under 150 ms at every zoom and at least 10 times faster than the
  naive way where there is clustering to do (a box answered with single points is the same query both ways).
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from inspections.db import make_engine, normalize_url  # noqa: E402

# Street zoom is reported a zoom at a time: at 16 a box holds a quarter of what it holds at 15.
ZOOMS = [("city", [10]), ("district", [12, 13]), ("street", [15]), ("street", [16])]
SCREEN = (1280, 800)
TARGET_P95_MS = 150.0
TARGET_SPEEDUP = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="PostgreSQL on loopback, e.g. postgresql://postgres@127.0.0.1:5432/hazards_bench")
    parser.add_argument("--hazards", type=int, default=1_000_000, help="seed this many when the database has none")
    parser.add_argument("--boxes", type=int, default=60, help="random boxes per zoom level (bounded)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = normalize_url(args.database_url)
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        sys.exit("The benchmark is for PostgreSQL.")
    if parsed.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"Loopback only: {parsed.host} is not this machine.")
    if not 1 <= args.boxes <= 1000:
        sys.exit("--boxes between 1 and 1000.")

    prepare_database(url, args.hazards, args.seed)
    app, headers = make_app(url)
    gc.freeze()  # as wsgi.py does for the server: start-up's objects out of the collector's sight
    CLOCK.install(app.extensions["db_engine"])
    client = app.test_client()
    bounds = district_bounds(url)
    rng = random.Random(args.seed)
    print(f"\nMeasuring {args.boxes} boxes per zoom ({SCREEN[0]}x{SCREEN[1]} px) on {os.cpu_count()} CPUs, "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows = []
    for label, zooms in ZOOMS:
        # Clustered answers, point answers: (ours ms, naive ms, hazards, features, ours in the database ms).
        measured = {True: [], False: []}
        floors = []  # (ms, in the database ms)
        for zoom in zooms:
            floors.extend(floor_times(client, bounds, zoom, headers, args.boxes))
            boxes = [random_box(rng, bounds, zoom) for _ in range(args.boxes)]
            for box in boxes[:3]:  # warm the caches a little, as a server that has been running would be
                ask(client, "/api/v1/map/hazards", box, zoom, headers)
                ask(client, "/bench/naive-map", box, zoom, headers)
            for number, box in enumerate(boxes):
                # Whichever goes second finds the box's pages cached: take turns going first.
                if number % 2:
                    ms_naive, naive_answer, _ = ask(client, "/bench/naive-map", box, zoom, headers)
                    ms_ours, answer, db_ours = ask(client, "/api/v1/map/hazards", box, zoom, headers)
                else:
                    ms_ours, answer, db_ours = ask(client, "/api/v1/map/hazards", box, zoom, headers)
                    ms_naive, naive_answer, _ = ask(client, "/bench/naive-map", box, zoom, headers)
                same(answer, naive_answer)
                measured[answer["clustered"]].append(
                    (ms_ours, ms_naive, answer["total"], len(answer["features"]), db_ours))
        floor, floor_db = (statistics.median(column) for column in zip(*floors))
        for clustered, cases in measured.items():
            if cases:
                ours, naive, sizes, features, in_db = (list(column) for column in zip(*cases))
                rows.append((label, "clusters" if clustered else "points", "/".join(map(str, zooms)), len(ours),
                             statistics.median(sizes), statistics.median(features), statistics.median(ours), p95(ours),
                             statistics.median(in_db), statistics.median(naive), p95(naive), floor, floor_db))
    report(rows)


# --- set-up ---------------------------------------------------------------------------------------------------


def prepare_database(url: str, hazards: int, seed: int) -> None:
    from inspections import schema

    name = make_url(url).database
    admin = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            print(f"Creating the database {name}")
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    schema.upgrade(url)
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        have = connection.scalar(text("SELECT count(*) FROM hazards"))
    if have == 0:
        seed_database(url, hazards, seed)
    else:
        print(f"The database has {have:,} hazards already: measuring those.")
    engine.dispose()


def seed_database(url: str, hazards: int, seed: int) -> None:
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from inspections import demo, map_cells
    from inspections.calendar_store import load_calendar
    from inspections.audit.keys import SESSION_KEY, AuditKeys
    from inspections.db import make_session_factory

    print(f"Seeding {hazards:,} hazards (minutes at a million)")
    engine = make_engine(url)
    session = map_cells.keep_counts(make_session_factory(engine, info={SESSION_KEY: AuditKeys(os.urandom(32))}))()
    summary = demo.seed_demo(
        session, hazards=hazards, seed=seed, now=datetime.now(timezone.utc), tz=ZoneInfo("Asia/Shanghai"),
        calendar=load_calendar(session), password=os.urandom(12).hex(), progress=lambda m: print(f"  … {m}", flush=True),
    )
    session.close()
    engine.dispose()
    print("  " + ", ".join(f"{table} {n:,}" for table, n in summary.rows.items()))
    print(f"Seeded in {summary.elapsed:.0f} s")


def make_app(url: str):
    """The app on the benchmark database, with the naive endpoint beside the real one, and a reviewer's token."""
    from datetime import datetime, timezone

    from flask import jsonify, request

    from api import create_app
    from api.auth import current_user, issue_access_token, login_required
    from api.clock import local_today, now
    from api.db import session
    from api.hazards.routes import filters_from
    from api.map.routes import _links
    from api.map.schemas import MapHazardsQuerySchema, hazard_collection
    from inspections.models import User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(16).hex(), "AUDIT_KEY": os.urandom(32).hex(),
                      "RATELIMIT_STORAGE_URI": "memory://"})

    @login_required()
    def naive_map():
        args = MapHazardsQuerySchema().load(request.args)
        result = naive_hazard_map(session(), current_user(), filters_from(args), zoom=args.get("zoom"), today=local_today())
        return jsonify(hazard_collection(result, _links().maker(now().timestamp())))

    app.add_url_rule("/bench/naive-map", view_func=naive_map)
    with app.app_context():
        reviewer = session().scalar(select(User).where(User.role == "reviewer", User.active.is_(True)).limit(1))
        if reviewer is None:
            sys.exit("No active reviewer in the database.")
        token, _ = issue_access_token(reviewer, datetime.now(timezone.utc))
    return app, {"Authorization": f"Bearer {token}"}


def naive_hazard_map(session, actor, filters, *, zoom, today):
    """The same answer as ``map_queries.hazard_map``, but every hazard in the box comes into Python to be counted."""
    from dataclasses import replace

    from inspections import map_queries as mq
    from inspections.enums import ACTIVE_STATUSES
    from inspections.hazard_queries import hazards_query
    from inspections.map_grid import grid_for
    from inspections.models import Hazard

    filters = replace(filters, bbox=tuple(filters.bbox) if filters.bbox else mq.WORLD)
    zoom = mq.zoom_for(filters.bbox) if zoom is None else zoom
    matching = hazards_query(session, actor, filters, today=today)
    columns = (Hazard.lon, Hazard.lat, Hazard.map_x, Hazard.map_y, Hazard.status, Hazard.deadline)
    every = session.execute(matching.order_by(None).with_only_columns(*columns)).all()
    if (zoom >= mq.POINT_ZOOM and len(every) <= mq.MAX_FEATURES) or len(every) <= mq.SPARSE_POINTS:
        points = mq._points(session, matching, today)
        return mq.HazardMap(filters.bbox, zoom, clustered=False, total=len(points), points=points)
    grid = grid_for(filters.bbox, zoom, mq.MAX_FEATURES)
    active = {s.value for s in ACTIVE_STATUSES}
    clusters = {}
    shift = grid.shift
    for lon, lat, x, y, status, deadline in every:
        key = (x >> shift, y >> shift)
        cluster = clusters.get(key)
        if cluster is None:
            cluster = clusters[key] = mq.Cluster(cell=grid.bounds(*key))
        cluster.count += 1
        cluster.by_status[status] += 1
        cluster.overdue += status in active and deadline < today
        cluster.sum_lon += lon
        cluster.sum_lat += lat
    ordered = sorted(clusters.values(), key=lambda c: (c.cell[1], c.cell[0]))
    return mq.HazardMap(filters.bbox, zoom, clustered=True, total=len(every), clusters=ordered, grid=grid)


def district_bounds(url: str) -> tuple[float, float, float, float]:
    """Where the hazards are: the district's box, or the hazards' own extent."""
    engine = make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT min(lon), min(lat), max(lon), max(lat) FROM hazards WHERE lon IS NOT NULL")).one()
    engine.dispose()
    return tuple(row)


# --- measuring ------------------------------------------------------------------------------------------------


def random_box(rng: random.Random, bounds, zoom: int) -> tuple[float, float, float, float]:
    """A screen-sized web-mercator view at ``zoom`` centred somewhere in the district."""
    lon = rng.uniform(bounds[0], bounds[2])
    lat = rng.uniform(bounds[1], bounds[3])
    width = SCREEN[0] / 256 * 360 / 2 ** zoom
    height = SCREEN[1] / 256 * 360 / 2 ** zoom * math.cos(math.radians(lat))
    return lon - width / 2, lat - height / 2, lon + width / 2, lat + height / 2


class DatabaseClock:
    """Milliseconds spent in the database's statements (sent, executed, answered) since ``reset``."""

    def __init__(self):
        self.ms = 0.0
        self._started = 0.0

    def install(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.ms = 0.0

    def _before(self, *_):
        self._started = time.perf_counter()

    def _after(self, *_):
        self.ms += (time.perf_counter() - self._started) * 1000


CLOCK = DatabaseClock()


def ask(client, path, box, zoom, headers) -> tuple[float, dict, float]:
    """One request: its milliseconds, its answer, and the milliseconds of it spent in the database."""
    CLOCK.reset()
    started = time.perf_counter()
    response = client.get(path, query_string={"bbox": ",".join(f"{v:.6f}" for v in box), "zoom": zoom}, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return elapsed, response.get_json(), CLOCK.ms


def floor_times(client, bounds, zoom: int, headers, times: int) -> list[tuple[float, float]]:
    """The endpoint's time (and its time in the database) for a screen-sized box just east of the district, where
    there are no hazards."""
    west, south, east, north = bounds
    width = SCREEN[0] / 256 * 360 / 2 ** zoom
    box = (east + width, (south + north) / 2, east + 2 * width, (south + north) / 2 + width * SCREEN[1] / SCREEN[0])
    elapsed = []
    for _ in range(times + 3):
        ms, answer, in_db = ask(client, "/api/v1/map/hazards", box, zoom, headers)
        if answer["total"]:
            sys.exit(f"The floor's box {box} is not empty: it holds {answer['total']} hazards.")
        elapsed.append((ms, in_db))
    return elapsed[3:]  # the first few warm the caches


def same(ours: dict, naive: dict) -> None:
    """Both ways must give the same answer: same kind, same total, same counts by cell."""
    def counts(body):
        return sorted((tuple(f["properties"].get("cell_bbox") or ()), f["properties"].get("count", 1),
                       f["properties"].get("overdue")) for f in body["features"])
    if ours["clustered"] != naive["clustered"] or ours["total"] != naive["total"] or counts(ours) != counts(naive):
        sys.exit(f"The two ways disagree: ours {ours['total']} hazards, naive {naive['total']}.")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def report(rows) -> None:
    header = (f"{'zoom':<9}{'answer':<10}{'levels':>7}{'boxes':>7}{'hazards/box':>13}{'features':>10}"
              f"{'ours med':>10}{'ours p95':>10}{'in db':>8}{'naive med':>11}{'naive p95':>11}{'speed-up':>10}"
              f"{'floor':>8}{'best':>8}{'best db':>9}")
    print("\n" + header)
    print("-" * len(header))
    worst_p95, worst_speedup, out_of_reach = 0.0, math.inf, []
    for label, kind, levels, boxes, size, features, med, p, in_db, naive_med, naive_p, floor, floor_db in rows:
        speedup, best = naive_med / med, naive_med / floor
        best_db = naive_med / (floor + max(in_db - floor_db, 0.0))
        worst_p95 = max(worst_p95, p)
        if kind == "clusters":  # for points both ways select the same hazards: there is nothing to cluster
            worst_speedup = min(worst_speedup, speedup)
            if best_db < TARGET_SPEEDUP:
                out_of_reach.append(f"{label} zoom {levels} (best {best:.1f}x, best with our queries {best_db:.1f}x)")
        print(f"{label:<9}{kind:<10}{levels:>7}{boxes:>7}{size:>13,.0f}{features:>10,.0f}{med:>8.1f}ms{p:>8.1f}ms"
              f"{in_db:>6.1f}ms{naive_med:>9.1f}ms{naive_p:>9.1f}ms{speedup:>9.1f}x{floor:>6.1f}ms{best:>7.1f}x"
              f"{best_db:>8.1f}x")
    verdict = "MET" if worst_p95 < TARGET_P95_MS and worst_speedup >= TARGET_SPEEDUP else "NOT MET"
    print(f"\nSummary: worst p95 {worst_p95:.1f} ms (target < {TARGET_P95_MS:.0f}), smallest median speed-up on "
          f"clustered answers {worst_speedup:.1f}x (target >= {TARGET_SPEEDUP:.0f}x): targets {verdict}.\n"
          "in db: our answer's median time in database statements. floor: the endpoint's median for an empty box at "
          "the same zooms (token, arguments, visibility, the database's word that the box is empty, JSON).\n"
          "best: naive / floor, the speed-up of an answer that cost nothing beyond the floor; best db: naive / (floor "
          "+ our database time beyond the floor's), the speed-up if none of our own Python cost anything.")
    for case in out_of_reach:
        print(f"At {case} the naive way costs less than {TARGET_SPEEDUP:.0f} times the floor and our queries' "
              "own time together.")
    print("Point answers (zoom 16 and up with at most 2,000 hazards in the box, or at most 250 at any zoom) select "
          "the same hazards both ways, so their speed-up is about 1 by construction.")


if __name__ == "__main__":
    main()
