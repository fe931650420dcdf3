"""赵's map (JOURNEYS.md, the Monday meeting): hazards as GeoJSON points zoomed in and database-counted clusters
zoomed out, never more than 2,000 features, and the streets shaded by their counts."""
import json
import random
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from inspections import demo, map_cells
from inspections.models import Hazard
from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import field_errors, upload_photo

S1_BOX = "116.40,39.90,116.41,39.91"  # street S1 of the district fixture
DISTRICT_BOX = "116.40,39.90,116.42,39.91"  # S1 and S2
TODAY = date(2026, 9, 28)  # the clock fixture's day
ACTIVE = ("open", "acknowledged", "submitted")


def bulk_hazards(db_session, district, count, *, west=116.40, south=39.90, size=0.005, plant=None, area=("C1", "/D1/S1/C1/"),
                 statuses=("open", "acknowledged", "submitted", "closed", "void"), severity="general",
                 deadline=TODAY + timedelta(days=5), located=True, seed=1):
    """``count`` hazards at random places in a square, written with the demo's bulk insert (no audit trail)."""
    rng = random.Random(seed)
    plant = plant or district.plant
    reported = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)
    rows = []
    for number in range(count):
        status = statuses[number % len(statuses)]
        lon, lat = (round(west + rng.random() * size, 6), round(south + rng.random() * size, 6)) if located else (None, None)
        rows.append({
            "id": uuid.uuid4(), "enterprise_id": plant.id, "category_code": "fire.exits", "severity": severity,
            "description": "安全出口被货物堵塞", "lat": lat, "lon": lon, **map_cells.pixel_columns(lon, lat),
            "location_source": "device" if located else None,
            "area_code": area[0], "area_path": area[1], "status": status, "reported_by": district.users["wang"].id,
            "reported_at": reported, "deadline": deadline, "original_deadline": deadline, "rejection_count": 0,
            "closed_at": reported + timedelta(days=3) if status == "closed" else None,
            "voided_at": reported + timedelta(days=1) if status == "void" else None,
            "overdue_recorded": False, "due_soon_recorded": False, "request_digest": "0" * 64, "updated_at": reported,
            "version": 1,
        })
    demo.insert_rows(db_session, Hazard, rows)
    map_cells.count_inserted(db_session, rows)
    db_session.commit()
    return rows


def map_of(client, headers, **params):
    response = client.get(f"{API}/map/hazards", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    return body


def listed(client, headers, **params) -> int:
    """How many hazards GET /hazards finds with the same filters."""
    response = client.get(f"{API}/hazards", query_string={**params, "page_size": 1}, headers=headers)
    return json.loads(response.headers["X-Pagination"])["total"]


def test_zoomed_in_each_hazard_is_a_feature_in_lon_lat_order(client, district, clock):
    first = report(client, district["wang"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON).get_json()
    second = report(client, district["wang"], district.plant.id, severity="major", category="electrical.wiring",
                    lat=PLANT_LAT + 0.0005, lon=PLANT_LON + 0.0007).get_json()
    photo = upload_photo(client, district["wang"], first["id"], kind="evidence", lat=PLANT_LAT, lon=PLANT_LON)
    assert photo.status_code == 201

    body = map_of(client, district["zhao"], bbox=S1_BOX, zoom=17)
    assert body["clustered"] is False and body["total"] == 2 and body["cell_zoom"] is None
    features = {f["id"]: f for f in body["features"]}
    assert set(features) == {first["id"], second["id"]}
    near = features[second["id"]]
    assert near["type"] == "Feature"
    assert near["geometry"] == {"type": "Point", "coordinates": [PLANT_LON + 0.0007, PLANT_LAT + 0.0005]}
    assert near["properties"] == {
        "id": second["id"], "status": "open", "severity": "major", "category": "electrical.wiring", "overdue": False,
        "deadline": second["deadline"], "enterprise_id": district.plant.id, "enterprise_name": "示范机械厂",
        "thumbnail_url": None,
    }
    # The thumbnail link needs no token (an <img> loads it): it is signed, and redirects to the object store.
    photo = client.get(f"{API}/hazards/{first['id']}", headers=district["zhao"]).get_json()["photos"][0]
    thumbnail = features[first["id"]]["properties"]["thumbnail_url"]
    assert thumbnail.startswith(f"http://localhost{API}/map/thumbnails/{photo['id']}?expires=")
    followed = client.get(thumbnail)
    assert followed.status_code == 302
    assert followed.headers["Location"].split("?")[0] == photo["thumbnail_url"].split("?")[0]
    assert "X-Amz-Signature" in followed.headers["Location"]
    assert client.get(thumbnail[:-1] + ("0" if thumbnail[-1] != "0" else "1")).status_code == 404  # altered
    clock.set(clock.instant + timedelta(minutes=17))
    assert client.get(thumbnail).status_code == 404  # expired
    assert client.get(f"{API}/map/thumbnails/{photo['id']}").status_code == 422  # unsigned


def test_a_sparse_box_shows_single_hazards_even_zoomed_out(client, district, clock):
    report(client, district["wang"], district.plant.id)
    body = map_of(client, district["zhao"], bbox=DISTRICT_BOX, zoom=8)
    assert body["clustered"] is False and len(body["features"]) == 1


def test_zoomed_out_clusters_add_up_to_the_hazards_in_the_box(client, db_session, district, clock):
    report(client, district["wang"], district.plant.id)
    rows = bulk_hazards(db_session, district, 700)
    rows += bulk_hazards(db_session, district, 150, west=116.41, plant=district.other_plant, area=("S2", "/D1/S2/"), seed=2)
    # East of the box:
    bulk_hazards(db_session, district, 40, west=116.43, plant=district.other_plant, area=("S2", "/D1/S2/"), seed=3)

    body = map_of(client, district["zhao"], bbox=DISTRICT_BOX, zoom=14)
    assert body["clustered"] is True
    clusters = [f["properties"] for f in body["features"]]
    assert all(c["cluster"] is True for c in clusters)
    assert len(clusters) > 1
    assert sum(c["count"] for c in clusters) == body["total"] == 1 + 700 + 150
    assert body["total"] == listed(client, district["zhao"], bbox=DISTRICT_BOX)
    for cluster in clusters:
        assert sum(cluster["by_status"].values()) == cluster["count"]
        assert set(cluster["by_status"]) == {"open", "acknowledged", "submitted", "closed", "void"}
    assert sum(c["by_status"]["void"] for c in clusters) == sum(r["status"] == "void" for r in rows)
    # Each cluster sits at the mean of its hazards, inside its cell.
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        west, south, east, north = feature["properties"]["cell_bbox"]
        assert west <= lon <= east and south <= lat <= north
    # The whole world (no bbox) holds them all, the one outside the box too.
    assert map_of(client, district["zhao"], zoom=3)["total"] == 1 + 700 + 150 + 40


def test_never_more_than_2000_features(client, db_session, district, clock):
    bulk_hazards(db_session, district, 3000, size=0.01)
    zoomed_in = map_of(client, district["zhao"], bbox=S1_BOX, zoom=20)
    # 3,000 points are too many: clustered, and the 20th zoom's cells (2,700 of them would hold a hazard) grown.
    assert zoomed_in["clustered"] is True
    assert len(zoomed_in["features"]) <= 2000
    assert zoomed_in["cell_zoom"] < 20
    assert sum(f["properties"]["count"] for f in zoomed_in["features"]) == 3000
    everywhere = map_of(client, district["zhao"], zoom=24)
    assert len(everywhere["features"]) <= 2000 and everywhere["total"] == 3000


def test_up_to_2000_hazards_zoomed_in_are_points(client, db_session, district, clock):
    bulk_hazards(db_session, district, 1200, size=0.01)
    body = map_of(client, district["zhao"], bbox=S1_BOX, zoom=16)
    assert body["clustered"] is False and len(body["features"]) == 1200


def test_hazards_without_a_location_are_not_on_the_map(client, db_session, district, clock):
    bulk_hazards(db_session, district, 3, located=False)
    bulk_hazards(db_session, district, 2, seed=2)
    assert map_of(client, district["zhao"], zoom=2)["total"] == 2
    street = areas_of(client, district["zhao"])["S1"]
    assert street["total"] == 5  # counted by area, located or not


def test_filters_are_those_of_the_hazard_list(client, db_session, district, clock):
    bulk_hazards(db_session, district, 400, statuses=ACTIVE, deadline=TODAY - timedelta(days=1))  # overdue
    bulk_hazards(db_session, district, 300, deadline=TODAY, seed=2)  # due today: not yet overdue
    bulk_hazards(db_session, district, 50, severity="major", statuses=("closed",), deadline=TODAY - timedelta(days=9), seed=3)
    zhao = district["zhao"]

    overdue = map_of(client, zhao, bbox=S1_BOX, zoom=12, overdue="true")
    assert overdue["total"] == 400 == sum(f["properties"]["overdue"] for f in overdue["features"])
    assert map_of(client, zhao, bbox=S1_BOX, zoom=12, overdue="false")["total"] == 350
    everything = map_of(client, zhao, bbox=S1_BOX, zoom=12)
    assert sum(f["properties"]["overdue"] for f in everything["features"]) == 400

    major = map_of(client, zhao, bbox=S1_BOX, zoom=17, severity="major")
    assert major["total"] == 50 == listed(client, zhao, bbox=S1_BOX, severity="major")
    assert {f["properties"]["severity"] for f in major["features"]} == {"major"}
    assert {f["properties"]["overdue"] for f in major["features"]} == {False}  # closed hazards are never overdue

    statuses = map_of(client, zhao, bbox=S1_BOX, zoom=12, status="open,submitted")
    assert statuses["total"] == listed(client, zhao, bbox=S1_BOX, status="open,submitted")
    assert {k for f in statuses["features"] for k, n in f["properties"]["by_status"].items() if n} == {"open", "submitted"}

    # A day later the ones due today are overdue too (all but the closed and the void of that batch).
    clock.set(clock.instant + timedelta(days=1))
    assert map_of(client, zhao, bbox=S1_BOX, zoom=12, overdue="true")["total"] == 400 + 180
    assert map_of(client, zhao, bbox=S1_BOX, zoom=12, area_code="C1")["total"] == 750


def test_each_role_sees_only_its_hazards_on_the_map(client, db_session, district, clock):
    ours = report(client, district["wang"], district.plant.id).get_json()["id"]
    theirs = report(client, district["zhang"], district.other_plant.id).get_json()["id"]
    bulk_hazards(db_session, district, 300)
    bulk_hazards(db_session, district, 200, west=116.41, plant=district.other_plant, area=("S2", "/D1/S2/"), seed=2)

    def total(who):
        return map_of(client, district[who], bbox=DISTRICT_BOX, zoom=12)["total"]

    def shown(who, bbox):
        return {f["id"] for f in map_of(client, district[who], bbox=bbox, zoom=19)["features"]}

    assert total("li") == total("wang") == 301
    assert total("zhang") == total("other_officer") == 201
    assert total("zhao") == total("district_inspector") == 502
    assert ours in shown("li", f"{PLANT_LON - 0.0001},{PLANT_LAT - 0.0001},{PLANT_LON + 0.0001},{PLANT_LAT + 0.0001}")
    assert theirs not in shown("wang", "116.4149,39.9049,116.4151,39.9051")
    assert theirs in shown("zhang", "116.4149,39.9049,116.4151,39.9051")


@pytest.mark.parametrize("path, params, field", [
    ("hazards", {"bbox": "116.5,39.9,116.4,40.0"}, "bbox"),
    ("hazards", {"bbox": "116.4,39.9,116.5"}, "bbox"),
    ("hazards", {"zoom": "25"}, "zoom"),
    ("hazards", {"zoom": "far"}, "zoom"),
    ("hazards", {"severity": "huge"}, "severity"),
    # Beyond any id the database can hold (SQLite cannot even bind it): a field error, not a 500.
    ("areas", {"enterprise_id": str(2**64)}, "enterprise_id"),
    ("areas", {"enterprise_id": "0"}, "enterprise_id"),
])
def test_bad_map_requests_name_the_field(client, district, path, params, field):
    response = client.get(f"{API}/map/{path}", query_string=params, headers=district["zhao"])
    assert response.status_code == 422
    assert field in field_errors(response)


def test_a_thumbnail_link_with_a_signature_that_is_not_hex_is_refused(client, district):
    photo_id = "00000000-0000-4000-8000-000000000001"
    for signature in ("é" * 32, "Z" * 32, "0" * 31):
        response = client.get(f"{API}/map/thumbnails/{photo_id}", query_string={"expires": 1, "signature": signature})
        assert response.status_code == 422, signature
        assert "signature" in field_errors(response)


def test_the_map_needs_a_token(client):
    assert client.get(f"{API}/map/hazards").status_code == 401
    assert client.get(f"{API}/map/areas").status_code == 401


# --- the areas, shaded by their counts ----------------------------------------------------------------------------


def areas_of(client, headers, **params) -> dict:
    response = client.get(f"{API}/map/areas", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/geo+json"
    return {f["id"]: f["properties"] for f in response.get_json()["features"]}


def test_streets_count_their_communities_hazards(client, db_session, district, clock):
    # In community C1 of S1: 10 of each state (deadline passed: 30 overdue); in S1 outside C1: 4 open, not overdue.
    bulk_hazards(db_session, district, 50, deadline=TODAY - timedelta(days=2))
    bulk_hazards(db_session, district, 4, west=116.406, south=39.906, size=0.003, area=("S1", "/D1/S1/"),
                 statuses=("open",), seed=2)
    bulk_hazards(db_session, district, 6, west=116.41, plant=district.other_plant, area=("S2", "/D1/S2/"),
                 statuses=("closed", "open"), seed=3)
    response = client.get(f"{API}/map/areas", query_string={"level": "street"}, headers=district["zhao"])
    features = response.get_json()["features"]
    assert [f["id"] for f in features] == ["S1", "S2"]
    assert features[0]["geometry"]["type"] == "Polygon"
    assert features[0]["geometry"]["coordinates"][0][0] == [116.40, 39.90]

    streets = areas_of(client, district["zhao"])
    assert streets["S1"] == {
        "code": "S1", "name": "建外街道", "level": "street", "parent_code": "D1", "total": 44, "open": 34,
        # Due: the 10 closed and the 30 open past their deadline; on time: the 10 closed.
        "overdue": 30, "due": 40, "closed": 10, "closed_on_time": 10, "rectification_rate": round(10 / 44, 4),
        "overdue_rate": round(30 / 44, 4), "on_time_rate": 0.25,
    }
    assert (streets["S2"]["total"], streets["S2"]["open"], streets["S2"]["closed"]) == (6, 3, 3)
    communities = areas_of(client, district["zhao"], level="community")
    assert list(communities) == ["C1"] and communities["C1"]["total"] == 40
    assert areas_of(client, district["zhao"], level="district") == {}  # D1 has no boundary to draw


def test_on_time_is_by_the_original_deadline_and_the_local_day_of_closing(client, db_session, district, clock):
    rows = bulk_hazards(db_session, district, 3, statuses=("closed",), deadline=date(2026, 9, 10))
    # 23:30 in Shanghai on the deadline is on time; 00:30 the next day is not, though it is still the 10th in UTC.
    closings = [datetime(2026, 9, 10, 15, 30, tzinfo=timezone.utc), datetime(2026, 9, 10, 16, 30, tzinfo=timezone.utc),
                datetime(2026, 9, 12, 1, 0, tzinfo=timezone.utc)]
    from sqlalchemy import update

    for row, closed in zip(rows, closings):
        # The third was extended to the 15th: closing on the 12th is within the new deadline, not the original one.
        db_session.execute(update(Hazard).where(Hazard.id == row["id"]).values(
            closed_at=closed, deadline=date(2026, 9, 15) if closed.day == 12 else row["deadline"]))
    db_session.commit()
    street = areas_of(client, district["zhao"])["S1"]
    assert (street["closed"], street["closed_on_time"], street["on_time_rate"]) == (3, 1, round(1 / 3, 4))


def test_area_counts_take_the_filters_and_only_what_the_caller_sees(client, db_session, district, clock):
    bulk_hazards(db_session, district, 20, statuses=("open",))
    bulk_hazards(db_session, district, 5, statuses=("open",), severity="major", seed=2)
    bulk_hazards(db_session, district, 7, west=116.41, plant=district.other_plant, area=("S2", "/D1/S2/"),
                 statuses=("open",), seed=3)
    assert areas_of(client, district["zhao"], severity="major")["S1"]["total"] == 5
    assert areas_of(client, district["zhao"], created_after="2026-09-02T00:00:00+08:00")["S1"]["total"] == 0
    officer = areas_of(client, district["li"])
    assert (officer["S1"]["total"], officer["S2"]["total"]) == (25, 0)
    inspector = areas_of(client, district["zhang"])
    assert list(inspector) == ["S2"] and inspector["S2"]["total"] == 7
    assert areas_of(client, district["zhao"])["S2"]["rectification_rate"] == 0.0
    response = client.get(f"{API}/map/areas", query_string={"level": "planet"}, headers=district["zhao"])
    assert response.status_code == 422 and "level" in field_errors(response)


def test_an_area_without_hazards_has_no_rates(client, district):
    street = areas_of(client, district["zhao"])["S2"]
    rates = (street["rectification_rate"], street["overdue_rate"], street["on_time_rate"])
    assert street["total"] == 0 and rates == (None, None, None)
