"""Benchmark of the statistics (GET /api/v1/stats) and the map's area shading (GET /api/v1/map/areas) on
PostgreSQL, on the database bench/map.py seeds (a million hazards by default).

Run from the repository root, after bench/map.py has seeded the database:

    python bench/stats.py --database-url postgresql://postgres@127.0.0.1:5432/hazards_bench

Requests go through the Flask test client with a reviewer's token (the whole district is counted) and with an
inspector's (one street). Each case is asked ``--times`` times; the first answer warms the caches and is not
counted. Prints the median and the slowest time and the rows and hazards counted; then compares the statistics
by enterprise with the naive way: every hazard's enterprise, state and dates selected into Python and counted
there by the same rules, checked to give the same numbers.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from inspections.db import make_engine, normalize_url  # noqa: E402

CASES = [  # (label, path, query string)
    ("stats by street", "/api/v1/stats", {"group_by": "area", "level": "street"}),
    ("stats by community", "/api/v1/stats", {"group_by": "area", "level": "community"}),
    ("stats by sector", "/api/v1/stats", {"group_by": "sector"}),
    ("stats by category", "/api/v1/stats", {"group_by": "category"}),
    ("stats by enterprise", "/api/v1/stats", {"group_by": "enterprise"}),
    ("stats, one month", "/api/v1/stats", {"group_by": "area", "from": "2026-06-01", "to": "2026-06-30"}),
    ("map areas by street", "/api/v1/map/areas", {"level": "street"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="PostgreSQL on loopback, seeded by bench/map.py")
    parser.add_argument("--times", type=int, default=5, help="requests per case (bounded)")
    args = parser.parse_args()
    url = normalize_url(args.database_url)
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or parsed.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark is for PostgreSQL on this machine (loopback).")
    if not 2 <= args.times <= 100:
        sys.exit("--times between 2 and 100.")
    engine = make_engine(url)
    with engine.connect() as connection:
        hazards = connection.scalar(text("SELECT count(*) FROM hazards"))
    engine.dispose()
    if not hazards:
        sys.exit("The database has no hazards: run bench/map.py first, which seeds it.")

    app, tokens = make_app(url)
    gc.freeze()  # as wsgi.py does for the server
    client = app.test_client()
    print(f"{hazards:,} hazards; {args.times} requests per case, the first not counted")
    header = f"{'case':<22}{'caller':<11}{'rows':>8}{'hazards':>12}{'median':>10}{'slowest':>10}"
    print("\n" + header)
    print("-" * len(header))
    for number, (label, path, query) in enumerate(CASES, start=1):
        for caller, headers in tokens.items():
            times, body = [], None
            for _ in range(args.times):
                started = time.perf_counter()
                response = client.get(path, query_string=query, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{label} as {caller}: {path} answered {response.status_code}: "
                             f"{response.get_data(as_text=True)[:300]}")
                body = response.get_json()
            rows, counted = _size(body)
            counted_times = times[1:]
            print(f"{label:<22}{caller:<11}{rows:>8,}{counted:>12,}{statistics.median(counted_times):>8.0f}ms"
                  f"{max(counted_times):>8.0f}ms", flush=True)
        print(f"  … {number}/{len(CASES)} cases", file=sys.stderr, flush=True)
    compare_with_naive(app, client, tokens["reviewer"], args.times)


def compare_with_naive(app, client, headers, times: int) -> None:
    """GET /stats?group_by=enterprise beside selecting every hazard into Python and counting there."""
    from api.clock import local_tz, now
    from api.db import session
    from inspections import deadlines
    from inspections.enums import ACTIVE_STATUSES
    from inspections.models import Hazard

    active = {s.value for s in ACTIVE_STATUSES}

    def naive() -> dict[int, list[int]]:
        tz = local_tz()
        today = deadlines.local_date(now(), tz)
        counts: dict[int, list[int]] = {}
        query = select(Hazard.enterprise_id, Hazard.status, Hazard.deadline, Hazard.closed_at,
                       Hazard.original_deadline).where(Hazard.status != "void")
        for enterprise_id, status, deadline, closed_at, original in session().execute(query):
            row = counts.setdefault(enterprise_id, [0, 0, 0, 0, 0, 0])  # total, open, overdue, due, closed, on time
            row[0] += 1
            if status in active:
                row[1] += 1
                row[2] += deadline < today
                row[3] += original < today
            elif status == "closed":
                row[3] += 1
                row[4] += 1
                local_day = closed_at.replace(tzinfo=timezone.utc).astimezone(tz).date()
                row[5] += local_day <= original
        return counts

    ours_ms, naive_ms = [], []
    for _ in range(times):
        started = time.perf_counter()
        body = client.get("/api/v1/stats", query_string={"group_by": "enterprise"}, headers=headers).get_json()
        ours_ms.append((time.perf_counter() - started) * 1000)
        with app.test_request_context():
            started = time.perf_counter()
            counted = naive()
            naive_ms.append((time.perf_counter() - started) * 1000)
            session().close()
    ours = {row["enterprise_id"]: [row["total"], row["open"], row["open_overdue"], row["due"], row["closed"],
                                   row["closed_on_time"]] for row in body["rows"]}
    if ours != counted:
        sys.exit("The statistics and the naive count disagree.")
    ours_median, naive_median = statistics.median(ours_ms[1:]), statistics.median(naive_ms[1:])
    print(f"\nBy enterprise ({len(ours):,} rows): ours {ours_median:.0f} ms (the whole request), naive "
          f"{naive_median:.0f} ms (the query and the counting in Python alone, no JSON): "
          f"{naive_median / ours_median:.1f}x. Both give the same numbers.")


def _size(body: dict) -> tuple[int, int]:
    """The rows of an answer and the hazards they count (the statistics' totals, or the areas' sum)."""
    if "rows" in body:
        return len(body["rows"]), body["totals"]["total"]
    return len(body["features"]), sum(f["properties"]["total"] for f in body["features"])


def make_app(url: str):
    """The app on the benchmark database with a reviewer's token and a street inspector's."""
    from api import create_app
    from api.auth import issue_access_token
    from api.db import session
    from inspections.models import Area, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(16).hex(), "AUDIT_KEY": os.urandom(32).hex()})
    tokens = {}
    with app.app_context():
        streets = select(Area.code).where(Area.level == "street")
        for role, scope in (("reviewer", True), ("inspector", User.area_code.in_(streets))):
            user = session().scalar(select(User).where(User.role == role, User.active.is_(True), scope)
                                    .order_by(User.id).limit(1))
            if user is None:
                sys.exit(f"No active {role} in the database.")
            token, _ = issue_access_token(user, datetime.now(timezone.utc))
            tokens[role] = {"Authorization": f"Bearer {token}"}
    return app, tokens


if __name__ == "__main__":
    main()
