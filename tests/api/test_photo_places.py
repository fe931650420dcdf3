"""An evidence photo's position moves its hazard only when plausible (issue 13, item 2): near the enterprise and
taken around the report. An implausible one is kept and flagged, and the hazard stays; the first located evidence
photo decides, later ones never move the hazard."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import upload_photo
from tests.photo_edit import north_of, photo_with_exif

SHANGHAI = ZoneInfo("Asia/Shanghai")
FOUND = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # the clock fixture's time: when the hazards are reported
SYDNEY = (-33.8568, 151.2153)
PICTURE = "exexif_pp_editors_no_exif.jpg"


def _hazard(client, district) -> dict:
    hazard = report(client, district["wang"], district.plant.id).get_json()
    assert hazard["location_source"] == "enterprise"
    return hazard


def _evidence(client, district, hazard_id, *, lat, lon, taken_at, scale=1.0) -> dict:
    data = photo_with_exif(PICTURE, lat=lat, lon=lon, taken_at=taken_at, scale=scale)
    response = upload_photo(client, district["wang"], hazard_id, kind="evidence", data=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _where(client, district, hazard_id) -> tuple:
    detail = client.get(f"{API}/hazards/{hazard_id}", headers=district["zhao"]).get_json()
    feature = client.get(f"/ogc/collections/hazards/items/{hazard_id}", headers=district["zhao"]).get_json()
    assert feature["geometry"]["coordinates"] == [detail["lon"], detail["lat"]]  # OGC shows the same place
    return detail["lat"], detail["lon"], detail["location_source"]


def test_an_old_photo_from_abroad_is_kept_and_flagged_and_the_hazard_stays(client, district, clock):
    hazard = _hazard(client, district)
    old = _evidence(client, district, hazard["id"], lat=SYDNEY[0], lon=SYDNEY[1],
                    taken_at=datetime(2008, 5, 1, 14, 0, tzinfo=SHANGHAI))
    assert (old["lat"], old["location_source"], old["location_plausible"]) == (pytest.approx(SYDNEY[0]), "exif", False)
    assert "km from the enterprise's registered position" in old["location_reason"]
    assert "18.4 years before the hazard was found" in old["location_reason"]
    assert _where(client, district, hazard["id"]) == (PLANT_LAT, PLANT_LON, "enterprise")
    # Shown the same way wherever the photo is.
    listed = client.get(f"{API}/hazards/{hazard['id']}/photos", headers=district["li"]).get_json()
    assert [(p["location_plausible"], p["location_reason"]) for p in listed] == [(False, old["location_reason"])]
    events = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["zhao"]).get_json()
    kept = [e["details"]["hazard_location_kept"] for e in events if "hazard_location_kept" in e["details"]]
    assert kept == [{"photo_id": old["id"], "reason": old["location_reason"]}]
    assert not any("hazard_location" in e["details"] for e in events)


@pytest.mark.parametrize("lat, taken, reason", [
    (north_of(PLANT_LAT, 1500), FOUND - timedelta(minutes=20), "m from the enterprise's registered position, more than the 1000 m"),
    (north_of(PLANT_LAT, 30), FOUND - timedelta(days=30), "30 days before the hazard was found"),
    (north_of(PLANT_LAT, 30), FOUND + timedelta(days=2), "taken later than it was received"),
])
def test_too_far_or_too_long_before_is_implausible(client, district, clock, lat, taken, reason):
    hazard = _hazard(client, district)
    photo = _evidence(client, district, hazard["id"], lat=lat, lon=PLANT_LON, taken_at=taken)
    assert photo["location_plausible"] is False and reason in photo["location_reason"]
    assert _where(client, district, hazard["id"]) == (PLANT_LAT, PLANT_LON, "enterprise")


def test_a_plausible_photo_moves_the_hazard_and_a_wider_setting_accepts_a_big_site(client, app, district, clock,
                                                                                 monkeypatch):
    hazard = _hazard(client, district)
    near = _evidence(client, district, hazard["id"], lat=north_of(PLANT_LAT, 400), lon=PLANT_LON,
                     taken_at=FOUND - timedelta(hours=70))  # kept offline almost three days: still around the report
    assert (near["location_plausible"], near["location_reason"]) == (True, None)
    assert _where(client, district, hazard["id"]) == (near["lat"], near["lon"], "exif")
    monkeypatch.setitem(app.config, "PHOTO_LOCATION_MAX_DISTANCE_M", 3000)
    quarry = _hazard(client, district)
    far = _evidence(client, district, quarry["id"], lat=north_of(PLANT_LAT, 2500), lon=PLANT_LON, taken_at=FOUND)
    assert far["location_plausible"] is True
    assert _where(client, district, quarry["id"])[2] == "exif"


def test_the_first_located_evidence_photo_decides(client, district, clock):
    # The first located photo is implausible: the hazard stays, and a plausible one after it changes nothing.
    hazard = _hazard(client, district)
    _evidence(client, district, hazard["id"], lat=SYDNEY[0], lon=SYDNEY[1], taken_at=FOUND)
    later = _evidence(client, district, hazard["id"], lat=north_of(PLANT_LAT, 50), lon=PLANT_LON, taken_at=FOUND,
                      scale=0.9)
    assert later["location_plausible"] is True
    assert _where(client, district, hazard["id"]) == (PLANT_LAT, PLANT_LON, "enterprise")
    # The first is plausible: the hazard takes it, and a later plausible one elsewhere does not move it again.
    other = _hazard(client, district)
    first = _evidence(client, district, other["id"], lat=north_of(PLANT_LAT, 50), lon=PLANT_LON, taken_at=FOUND)
    _evidence(client, district, other["id"], lat=north_of(PLANT_LAT, 600), lon=PLANT_LON, taken_at=FOUND, scale=0.9)
    assert _where(client, district, other["id"]) == (first["lat"], first["lon"], "exif")


def test_a_rectification_photo_is_not_judged(client, district, clock):
    hazard = _hazard(client, district)
    data = photo_with_exif(PICTURE, lat=SYDNEY[0], lon=SYDNEY[1], taken_at=FOUND)
    photo = upload_photo(client, district["wang"], hazard["id"], kind="rectification", data=data).get_json()
    assert (photo["location_plausible"], photo["location_reason"]) == (None, None)
