"""Whose hazard is it: jurisdiction (属地管理) follows the enterprise's registered area, not the GPS fix.

A restaurant registered in street S1 stands 8 m from the border with S2; a phone's fix in its kitchen lands
35 m away, over the border. The hazard is S1's all the same: S1's inspector reports and re-inspects it, S2's
inspector does not see it, and the map and the statistics count it in S1. Only an enterprise registered
without an area leaves the area to the hazard's position.
"""
import math
import uuid

from tests.api.conftest import API, report
from tests.factories import login, make_enterprise, make_user, upload_photo
from tests.photo_edit import photo_with_exif

# S1 covers 116.40–116.41 E and S2 lies east of it (tests/api/conftest.py).
BORDER_LON = 116.41
RESTAURANT_LAT, RESTAURANT_LON = 39.905, 116.4099  # in S1, about 8.5 m west of the border
METRES_PER_DEGREE_LON = 111_195.0 * math.cos(math.radians(RESTAURANT_LAT))
FIX_LAT, FIX_LON = RESTAURANT_LAT, RESTAURANT_LON + 35 / METRES_PER_DEGREE_LON  # 35 m east: in S2
REPAIRED = "exexif_sunrise.jpg"


def border_restaurant(db_session, client):
    """The restaurant on the border, registered in S1, and its owner (signed in)."""
    restaurant = make_enterprise(db_session, name="界边小馆", lat=RESTAURANT_LAT, lon=RESTAURANT_LON, area_code="S1",
                                 venue_type="small_restaurant")
    make_user(db_session, "owner", "enterprise_officer", enterprise_id=restaurant.id, display_name="店主")
    return restaurant, login(client, "owner")


def test_the_fix_lies_over_the_border_as_the_test_means():
    assert RESTAURANT_LON < BORDER_LON < FIX_LON
    assert round((FIX_LON - RESTAURANT_LON) * METRES_PER_DEGREE_LON) == 35


def test_s1s_inspector_reports_at_the_border_restaurant_he_just_began_inspecting(client, district, db_session, clock):
    restaurant, _ = border_restaurant(db_session, client)
    inspection = client.post(f"{API}/inspections", json={"id": str(uuid.uuid4()), "enterprise_id": restaurant.id,
                                                         "kind": "unannounced"}, headers=district["wang"])
    assert inspection.status_code == 201, inspection.get_json()
    reported = report(client, district["wang"], restaurant.id, inspection_id=inspection.get_json()["id"],
                      lat=FIX_LAT, lon=FIX_LON, accuracy_m=15)
    assert reported.status_code == 201, reported.get_json()
    hazard = reported.get_json()
    assert hazard["area_code"] == "S1"
    assert (hazard["lat"], hazard["lon"], hazard["location_source"]) == (FIX_LAT, round(FIX_LON, 7), "device")  # as fixed, to 1 cm
    assert client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).status_code == 200
    assert client.get(f"{API}/hazards/{hazard['id']}", headers=district["zhang"]).status_code == 404
    # S2's inspector may not report there, wherever his phone places him.
    assert report(client, district["zhang"], restaurant.id, lat=FIX_LAT, lon=FIX_LON).status_code == 403


def test_reported_by_a_reviewer_it_is_still_s1s_to_re_inspect(client, district, db_session, clock):
    restaurant, owner = border_restaurant(db_session, client)
    hazard = report(client, district["zhao"], restaurant.id, lat=FIX_LAT, lon=FIX_LON).get_json()
    assert hazard["area_code"] == "S1"
    assert [h["id"] for h in client.get(f"{API}/hazards", headers=district["wang"]).get_json()] == [hazard["id"]]
    assert client.get(f"{API}/hazards", headers=district["zhang"]).get_json() == []

    assert client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=owner).status_code == 200
    repaired = photo_with_exif(REPAIRED, lat=FIX_LAT, lon=FIX_LON, taken_at=clock.instant)
    photo = upload_photo(client, owner, hazard["id"], name="repaired.jpg", data=repaired).get_json()["id"]
    submitted = client.post(f"{API}/hazards/{hazard['id']}/rectification",
                            json={"measures": "清理了后厨通道", "photo_ids": [photo]}, headers=owner)
    assert submitted.status_code == 200, submitted.get_json()
    assert client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"},
                       headers=district["zhang"]).status_code == 404
    approved = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"},
                           headers=district["wang"])
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "closed"


def test_the_map_and_the_statistics_count_it_in_s1(client, district, db_session, clock):
    restaurant, _ = border_restaurant(db_session, client)
    assert report(client, district["wang"], restaurant.id, lat=FIX_LAT, lon=FIX_LON).status_code == 201
    assert report(client, district["zhao"], restaurant.id, lat=FIX_LAT, lon=FIX_LON).status_code == 201
    streets = client.get(f"{API}/map/areas", query_string={"level": "street"}, headers=district["zhao"]).get_json()
    assert {f["id"]: f["properties"]["total"] for f in streets["features"]} == {"S1": 2, "S2": 0}
    stats = client.get(f"{API}/stats", query_string={"group_by": "area"}, headers=district["zhao"]).get_json()
    assert {row["code"]: row["total"] for row in stats["rows"]} == {"S1": 2, "S2": 0}
    wang = client.get(f"{API}/stats", query_string={"group_by": "area"}, headers=district["wang"]).get_json()
    assert wang["totals"]["total"] == 2


def test_an_enterprise_registered_without_an_area_takes_the_area_of_the_fix(client, district, db_session, clock):
    stall = make_enterprise(db_session, name="无址摊位", venue_type="small_shop")  # no position, no area
    assert report(client, district["wang"], stall.id, lat=FIX_LAT, lon=FIX_LON).status_code == 403  # that is S2
    hazard = report(client, district["zhang"], stall.id, lat=FIX_LAT, lon=FIX_LON).get_json()
    assert hazard["area_code"] == "S2"


def test_an_evidence_photo_places_a_hazard_that_had_no_area(client, district, db_session, clock):
    """Reported by a reviewer with no position at an enterprise registered with neither: nobody's area until
    the first evidence photo's EXIF places it, and then it is that street's."""
    stall = make_enterprise(db_session, name="无址摊位", venue_type="small_shop")
    hazard = report(client, district["zhao"], stall.id).get_json()
    assert (hazard["area_code"], hazard["lat"]) == (None, None)
    assert client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).status_code == 404
    evidence = photo_with_exif(REPAIRED, lat=RESTAURANT_LAT, lon=RESTAURANT_LON, taken_at=clock.instant)
    assert upload_photo(client, district["zhao"], hazard["id"], kind="evidence", name="stall.jpg",
                        data=evidence).status_code == 201
    placed = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"])
    assert placed.status_code == 200
    assert (placed.get_json()["area_code"], placed.get_json()["location_source"]) == ("S1", "exif")


def test_an_evidence_photo_over_the_border_moves_the_pin_not_the_hazard(client, district, db_session, clock):
    restaurant, _ = border_restaurant(db_session, client)
    hazard = report(client, district["wang"], restaurant.id).get_json()  # no fix: the registered position
    assert (hazard["location_source"], hazard["area_code"]) == ("enterprise", "S1")
    evidence = photo_with_exif(REPAIRED, lat=FIX_LAT, lon=FIX_LON, taken_at=clock.instant)
    assert upload_photo(client, district["wang"], hazard["id"], kind="evidence", name="kitchen.jpg",
                        data=evidence).status_code == 201
    moved = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"])
    assert moved.status_code == 200
    assert (moved.get_json()["location_source"], moved.get_json()["area_code"]) == ("exif", "S1")
    assert client.get(f"{API}/hazards/{hazard['id']}", headers=district["zhang"]).status_code == 404
