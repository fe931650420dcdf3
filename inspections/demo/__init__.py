"""Demo data: a realistic district to try the service, show the map and benchmark it at a million hazards.

The district is Beijing's 朝阳区 with ten of its real streets, laid out schematically (rectangles around 39.95 N
116.52 E, not the real boundaries): street → 8 communities → 4 grids each. Enterprises and the 九小场所 cluster
around a few busy centres, with valid unified social credit codes. Hazards are reported over the past two years
and live their lives through the real workflow up to ``now``: acknowledged, plans for major ones, extensions,
rectification with photos, rejections, approval, on-the-spot rectification, voids, and the sweep's ``due_soon``
and ``overdue`` marks. Deadlines come from the real calendar (``deadlines.default_deadline`` with the district's
working-day calendar, memoised per day). Every step is in the audit trail, chained by ``audit.event_hash``.

Photos are rows only: their object keys point to objects that do not exist (no image bytes are made), so their
links answer 404 and ``media sweep`` reports them missing. A handful of accounts can sign in (``password``);
every enterprise gets an officer account whose password is unusable until an admin sets one.

Hazards are made in batches, each from its own seed (worker processes make them on PostgreSQL), and written with
COPY on PostgreSQL, executemany elsewhere, one transaction per batch.

The package, a concept a module:

- ``layout``: the district's streets, communities and grids as rectangles (``Layout``);
- ``bulk``: writing plain rows fast (``insert_rows``: COPY on PostgreSQL, executemany elsewhere);
- ``sampling``: small helpers for random draws (cumulative weights, a geometric count);
- ``directory``: the demo's accounts, campaigns and enterprises (with their officers), and the categories in use;
- ``lives``: the life of each hazard (``_Life``, ``_Story``), made in batches, by worker processes or here;
- ``seed``: the use-case, ``seed_demo``, which puts them together.
"""
from inspections.demo.bulk import insert_rows
from inspections.demo.seed import SeedSummary, seed_demo

__all__ = ["SeedSummary", "insert_rows", "seed_demo"]
