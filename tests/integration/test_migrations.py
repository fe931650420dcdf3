"""Migrations stand on their own: they import no application code, and the one that counts data (0005, the map's
running counts) gives on a database full of hazards exactly what the application's own counting gives."""
from __future__ import annotations

import ast
import importlib.util
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from inspections import map_cells, map_grid, schema
from inspections.audit.keys import SESSION_KEY, AuditKeys
from inspections.db import make_engine, make_session_factory
from inspections.demo import seed_demo
from inspections.enums import ACTIVE_STATUSES
from inspections.models import Hazard, MapCell
from inspections.workcalendar import WorkCalendar

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
APPLICATION = {"api", "inspections", "media", "scripts", "tests", "wsgi"}


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_migration_imports_application_code():
    # The application changes; a migration must mean on a fresh database years later what it meant the day it
    # was written, so it carries its own SQL and copies of the values it needs.
    offenders = {path.name: sorted(_top_level_imports(path) & APPLICATION)
                 for path in sorted(VERSIONS.glob("*.py")) if _top_level_imports(path) & APPLICATION}
    assert offenders == {}


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(f"migration_{name}", VERSIONS / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_map_cells_migration_froze_what_the_application_still_means():
    frozen = _migration("0005_map_cells.py")
    positions = [(116.4074, 39.9042), (-180.0, -90.0), (179.9999999, 89.9), (0.0, 0.0), (121.4737, 31.2304)]
    assert [frozen.pixel(lon, lat) for lon, lat in positions] == [map_grid.pixel(lon, lat) for lon, lat in positions]
    assert frozen.MAX_LEVEL == map_cells.MAX_LEVEL
    assert frozen.NEVER == map_cells.NEVER
    assert set(frozen.ACTIVE_STATUSES) == {s.value for s in ACTIVE_STATUSES}
    assert frozen.PIXEL_ZOOM - frozen.MAX_LEVEL + frozen.CELL_BITS == map_grid.Grid(map_cells.MAX_LEVEL).shift


def test_counting_the_map_cells_of_hazards_already_there(fresh_database_url):
    """Walked back to before 0005 with a seeded district in it and forward again, the counts 0005 makes agree
    with the hazards cell by cell at every zoom (``map check``)."""
    url = fresh_database_url
    engine = make_engine(url)
    sessions = map_cells.keep_counts(make_session_factory(engine, info={SESSION_KEY: AuditKeys(b"k" * 32)}))
    try:
        with sessions() as session:
            seed_demo(session, hazards=300, now=datetime(2026, 6, 12, 1, 30, tzinfo=timezone.utc),
                      tz=ZoneInfo("Asia/Shanghai"), calendar=WorkCalendar(), password="tangerine violin orbit 47", batch=300,
                      workers=0)
        engine.dispose()
        schema.downgrade(url, "0004")
        schema.upgrade(url)
        with sessions() as session:
            located = session.scalar(select(func.count()).select_from(Hazard).where(Hazard.lon.is_not(None)))
            counted = session.scalar(select(func.sum(MapCell.hazards)).where(MapCell.level == 0))
            assert located > 0 and counted == located
            assert map_cells.check(session) == []
    finally:
        engine.dispose()
