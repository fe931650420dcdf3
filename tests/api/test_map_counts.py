"""The map's running counts (map_cells): kept in step with every change users make, and the same answer as
counting the hazards one by one, for any box, at any zoom, with the filters they hold."""
from __future__ import annotations

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from inspections import map_cells
from inspections.models import Hazard, MapCell
from tests.api.conftest import API, PLANT_LON, report
from tests.api.test_map import DISTRICT_BOX, TODAY, bulk_hazards, listed, map_of
from tests.api.test_workflow import bring_to
from tests.photo_edit import photo_with_exif
from tests.factories import upload_photo

SHANGHAI = timezone(timedelta(hours=8))


def cells(body: dict) -> list[tuple]:
    if not body["clustered"]:
        return sorted(f["id"] for f in body["features"])
    return sorted((tuple(round(v, 9) for v in f["properties"]["cell_bbox"]), f["properties"]["count"],
                   f["properties"]["overdue"], tuple(sorted(f["properties"]["by_status"].items())))
                  for f in body["features"])


def positions(body: dict) -> list:
    """Each cluster's mean position (summed in another order, so equal up to rounding)."""
    key = sorted(body["features"], key=lambda f: f["properties"].get("cell_bbox") or f["id"])
    return [value for f in key for value in f["geometry"]["coordinates"]]


def kept_and_counted(client, headers, **params) -> tuple[dict, dict]:
    """The reviewer's map (from the running counts) and the same map counted from the hazards: every hazard in
    these tests is "general", so filtering by it changes nothing but makes the map count them one by one."""
    return map_of(client, headers, **params), map_of(client, headers, severity="general", **params)


def assert_same_map(client, headers, **params) -> dict:
    kept, counted = kept_and_counted(client, headers, **params)
    assert kept["clustered"] is True and counted["clustered"] is True
    assert (kept["total"], kept["cell_zoom"]) == (counted["total"], counted["cell_zoom"])
    assert cells(kept) == cells(counted)
    assert positions(counted) == pytest.approx(positions(kept), abs=1e-9)
    return kept


def snapshot(db_session) -> list[tuple]:
    db_session.expire_all()
    return [(c.level, c.cx, c.cy, c.status, c.open_deadline, c.hazards, round(c.sum_lon, 6), round(c.sum_lat, 6))
            for c in db_session.scalars(select(MapCell).order_by(MapCell.level, MapCell.cx, MapCell.cy, MapCell.status,
                                                                  MapCell.open_deadline))]


def test_the_counts_follow_every_change_users_make(client, db_session, district, clock):
    bulk_hazards(db_session, district, 300)  # enough that the district is drawn as clusters
    for state in ("open", "acknowledged", "submitted", "closed", "void"):
        bring_to(client, district, state)
    # A hazard reported without a position is put at its enterprise until its first evidence photo with GPS.
    moved = report(client, district["wang"], district.plant.id).get_json()
    photo = upload_photo(client, district["wang"], moved["id"], kind="evidence",
                         data=photo_with_exif("exexif_pp_editors_no_exif.jpg", lat=39.9081, lon=116.4089))
    assert photo.status_code == 201, photo.get_json()
    # An approved extension moves the deadline (and so the day it becomes overdue).
    extended, _ = bring_to(client, district, "acknowledged")
    asked = client.post(f"{API}/hazards/{extended}/extensions", json={"new_deadline": "2026-11-06", "reason": "定制防火门"},
                        headers=district["li"]).get_json()
    assert client.post(f"{API}/hazards/{extended}/extensions/{asked['id']}/decision", json={"approve": True},
                       headers=district["zhao"]).status_code == 200
    # A refused request changes nothing.
    refused = client.post(f"{API}/hazards/{moved['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    assert 400 <= refused.status_code < 500
    db_session.rollback()

    assert map_cells.check(db_session) == []
    body = assert_same_map(client, district["zhao"], bbox=DISTRICT_BOX, zoom=14)
    assert body["total"] == 300 + 7 == listed(client, district["zhao"], bbox=DISTRICT_BOX)
    assert sum(f["properties"]["by_status"]["void"] for f in body["features"]) == 60 + 1

    # Days pass with no write at all: the open hazards become overdue on the map as in the list.
    clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    later = assert_same_map(client, district["zhao"], bbox=DISTRICT_BOX, zoom=14)
    overdue = sum(f["properties"]["overdue"] for f in later["features"])
    assert overdue == listed(client, district["zhao"], bbox=DISTRICT_BOX, overdue="true") > 180
    # The extended hazard is not among them: its deadline is in November.
    assert client.get(f"{API}/hazards/{extended}", headers=district["zhao"]).get_json()["overdue"] is False


def test_the_counts_equal_counting_the_hazards_for_any_box_and_zoom(client, db_session, district, clock):
    bulk_hazards(db_session, district, 900, size=0.02, deadline=TODAY - timedelta(days=3))
    bulk_hazards(db_session, district, 900, size=0.02, deadline=TODAY + timedelta(days=3), seed=2)
    bulk_hazards(db_session, district, 300, west=116.4, south=39.9, size=0.0004, seed=3)  # a dense block
    rng = random.Random(7)
    checked = 0
    for _ in range(24):
        zoom = rng.randint(5, 17)
        lon, lat = rng.uniform(116.395, 116.425), rng.uniform(39.895, 39.925)
        half = 0.03 / 2 ** max(0, zoom - 12) * rng.uniform(0.3, 1.5)
        bbox = f"{lon - half:.6f},{lat - half * 0.7:.6f},{lon + half:.6f},{lat + half * 0.7:.6f}"
        for filters in ({}, {"status": "open"}, {"overdue": "true"}, {"overdue": "false", "status": "closed"}):
            kept, counted = kept_and_counted(client, district["zhao"], bbox=bbox, zoom=zoom, **filters)
            assert kept["total"] == counted["total"] == listed(client, district["zhao"], bbox=bbox, **filters)
            assert cells(kept) == cells(counted)
            assert positions(counted) == pytest.approx(positions(kept), abs=1e-9)
            checked += kept["clustered"]
    assert checked > 30  # most of the boxes were drawn as clusters, so the counts were read


def test_a_change_rolled_back_leaves_the_counts_alone(client, db_session, district, clock):
    bulk_hazards(db_session, district, 50)
    hazard_id, _ = bring_to(client, district, "open")
    before = snapshot(db_session)
    hazard = db_session.get(Hazard, uuid.UUID(hazard_id))
    hazard.lon, hazard.status, hazard.deadline = PLANT_LON + 0.005, "acknowledged", date(2026, 12, 1)
    db_session.flush()
    db_session.rollback()
    assert snapshot(db_session) == before
    assert map_cells.check(db_session) == []


def test_map_check_names_a_cell_written_around_the_counts_and_rebuild_mends_it(runner, client, db_session, district,
                                                                                 clock):
    hazard_id, _ = bring_to(client, district, "open")
    assert runner.invoke(args=["map", "check"]).exit_code == 0
    # Hand-made SQL bypasses the counts.
    db_session.execute(update(Hazard).where(Hazard.id == uuid.UUID(hazard_id)).values(status="void",
                       voided_at=datetime(2026, 9, 28, 3, 0, tzinfo=timezone.utc)))
    db_session.commit()
    result = runner.invoke(args=["map", "check"])
    assert result.exit_code == 1
    assert "DIFFERS: zoom 16 cell (" in result.output
    assert ", open, deadline 2026-10-13: the map counts 1, the hazards table has 0" in result.output
    assert "map rebuild" in result.output
    rebuilt = runner.invoke(args=["map", "rebuild"])
    assert rebuilt.exit_code == 0 and "Map counts rebuilt: 17 cells." in rebuilt.output  # one void hazard, zooms 0-16
    assert runner.invoke(args=["map", "check"]).exit_code == 0
    assert map_cells.check(db_session) == []


def test_changes_made_at_once_are_all_counted(app, client, db_session, district, clock):
    """Field inspectors report at the same moment while the admin voids others: every write touches the same
    coarse cells, none waits forever on another, and none is lost from the counts."""
    voidable = [bring_to(client, district, "open")[0] for _ in range(3)]
    barrier = threading.Barrier(9)

    def report_one(number: int) -> int:
        local = app.test_client()
        barrier.wait()
        return report(local, district["wang"], district.plant.id, lat=39.9001 + number * 0.0011,
                      lon=PLANT_LON - number * 0.0007).status_code

    def void_one(hazard_id: str) -> int:
        local = app.test_client()
        barrier.wait()
        return local.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "重复录入"},
                          headers=district["admin"]).status_code

    with ThreadPoolExecutor(9) as pool:
        reported = [pool.submit(report_one, n) for n in range(6)]
        voided = [pool.submit(void_one, h) for h in voidable]
        statuses = [f.result() for f in reported], [f.result() for f in voided]
    assert statuses == ([201] * 6, [200] * 3)
    db_session.rollback()
    assert map_cells.check(db_session) == []
    top = db_session.scalars(select(MapCell).where(MapCell.level == 0)).all()
    assert {c.status: c.hazards for c in top} == {"open": 6, "void": 3}
