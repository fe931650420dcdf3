"""How answers write times, positions and messages, whichever endpoint and whichever request of a retry:

- every date-time in the district's offset (`+08:00` for `TIMEZONE=Asia/Shanghai`), so that the first answer and a
  retry's (read back from the database, in UTC) are the same text;
- coordinates to 7 places (about 1 cm), without the float noise of conversions (`39.905049999999996`);
- role names in English sentences with the right article ("An enterprise officer", not "A enterprise_officer").

These tests run on the real clock (UTC), not the fixed Shanghai clock: that is where answers used to differ.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, rectification_photo, report
from tests.api.test_photos import upload, with_exif

DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
# What an event's `details` records is the fact as it was hashed into the audit trail; it is kept as recorded.
RECORDED = {"details"}


def date_times(document, path="") -> dict[str, str]:
    """Every date-time string in a JSON document, by its path."""
    found = {}
    if isinstance(document, dict):
        for key, value in document.items():
            if key not in RECORDED:
                found.update(date_times(value, f"{path}.{key}"))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.update(date_times(value, f"{path}[{index}]"))
    elif isinstance(document, str) and DATE_TIME.match(document):
        found[path] = document
    return found


def assert_local(document, *expected_paths):
    times = date_times(document)
    for path in expected_paths:
        assert path in times, (path, sorted(times))
    not_local = {path: value for path, value in times.items() if not value.endswith("+08:00")}
    assert not not_local, not_local


def test_a_hazard_and_its_retry_answer_the_same_local_times(client, district):
    body = {"id": str(uuid.uuid4()), "reported_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()}
    first = report(client, district["wang"], district.plant.id, **body)
    retry = report(client, district["wang"], district.plant.id, **body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert_local(first.get_json(), ".reported_at", ".updated_at")
    assert retry.get_json() == first.get_json()
    listed = client.get(f"{API}/hazards", headers=district["zhao"]).get_json()
    assert_local(listed, "[0].reported_at")
    assert listed[0]["reported_at"] == first.get_json()["reported_at"]


def test_a_photo_and_its_retry_answer_local_times_even_when_the_phone_sent_another_zone(client, district):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    fields = {"id": str(uuid.uuid4()), "taken_at": "2026-09-28T04:00:00+02:00"}
    content = with_exif("exexif_pp_editors_no_exif.jpg")
    first = upload(client, district["wang"], hazard_id, content, **fields)
    retry = upload(client, district["wang"], hazard_id, content, **fields)
    assert (first.status_code, retry.status_code) == (201, 200), first.get_json()
    assert first.get_json()["taken_at"] == "2026-09-28T10:00:00+08:00"
    assert_local(first.get_json(), ".taken_at", ".uploaded_at")
    assert retry.get_json()["taken_at"] == first.get_json()["taken_at"]
    assert retry.get_json()["uploaded_at"] == first.get_json()["uploaded_at"]
    detail = client.get(f"{API}/hazards/{hazard_id}", headers=district["wang"]).get_json()
    assert_local(detail, ".photos[0].taken_at", ".photos[0].uploaded_at")


def test_events_rectifications_plans_and_extensions_answer_local_times(client, district):
    hazard_id = report(client, district["wang"], district.plant.id, severity="major").get_json()["id"]
    acknowledged = client.post(f"{API}/hazards/{hazard_id}/acknowledge",
                               json={"client_time": datetime.now(timezone.utc).isoformat()}, headers=district["li"])
    assert acknowledged.status_code == 200, acknowledged.get_json()
    plan = {field: "按方案整改" for field in ("objectives", "measures", "funds", "responsible", "timeline",
                                             "safety_measures")}
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=district["li"]).status_code == 200
    deadline = client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["deadline"]
    new_deadline = (datetime.fromisoformat(deadline) + timedelta(days=14)).date().isoformat()
    asked = client.post(f"{API}/hazards/{hazard_id}/extensions", json={"new_deadline": new_deadline, "reason": "等待新防火门"},
                        headers=district["li"])
    assert asked.status_code in (200, 201), asked.get_json()
    extension_id = client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["extensions"][0]["id"]
    decided = client.post(f"{API}/hazards/{hazard_id}/extensions/{extension_id}/decision", json={"approve": True},
                          headers=district["zhao"])
    assert decided.status_code == 200, decided.get_json()
    photo = rectification_photo(client, district["li"], hazard_id)
    submitted = client.post(f"{API}/hazards/{hazard_id}/rectification",
                            json={"measures": "更换防火门", "photo_ids": [photo.get_json()["id"]]}, headers=district["li"])
    assert submitted.status_code == 200, submitted.get_json()

    detail = client.get(f"{API}/hazards/{hazard_id}", headers=district["zhao"]).get_json()
    assert_local(detail, ".reported_at", ".updated_at", ".plan.updated_at", ".extensions[0].requested_at",
                 ".extensions[0].decided_at", ".rectifications[0].submitted_at", ".closure_summary.submitted_at")
    events = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()
    assert_local(events, *(f"[{i}].at" for i in range(len(events))), "[1].client_at")
    listed = client.get(f"{API}/hazards", headers=district["wang"]).get_json()
    assert_local(listed, "[0].closure_summary.submitted_at")


def test_users_and_inspections_answer_local_times(client, district):
    created = client.post(f"{API}/users", json={"username": "sun", "password": "a long enough password",
                                                "role": "reviewer"}, headers=district["admin"])
    assert created.status_code == 201, created.get_json()
    assert_local(created.get_json(), ".created_at")
    assert_local(client.get(f"{API}/users", headers=district["admin"]).get_json(), "[0].created_at")
    inspection = client.post(f"{API}/inspections", json={"id": str(uuid.uuid4()), "enterprise_id": district.plant.id,
                                                          "kind": "routine", "started_at": "2026-09-28T01:30:00Z"},
                             headers=district["wang"])
    assert inspection.status_code == 201, inspection.get_json()
    assert inspection.get_json()["started_at"] == "2026-09-28T09:30:00+08:00"
    assert_local(inspection.get_json(), ".started_at", ".created_at")


def test_ogc_features_answer_local_times(client, district):
    report(client, district["wang"], district.plant.id)
    items = client.get("/ogc/collections/hazards/items", headers=district["zhao"]).get_json()
    assert_local(items, ".features[0].properties.reported_at", ".timeStamp")
    collection = client.get("/ogc/collections/hazards", headers=district["zhao"]).get_json()
    assert_local(collection, ".extent.temporal.interval[0][0]")


# 39.90505 written as degrees, minutes and seconds (EXIF's rationals) comes back as 39.905049999999996.
NOISY_LAT = 39 + 54 / 60 + 18.18 / 3600


def test_coordinates_come_back_without_float_noise(client, district):
    assert str(NOISY_LAT) == "39.905049999999996"  # the noise this test is about
    hazard = report(client, district["wang"], district.plant.id, lat=NOISY_LAT, lon=116.40321000000001)
    assert hazard.status_code == 201, hazard.get_json()
    assert (hazard.get_json()["lat"], hazard.get_json()["lon"]) == (39.90505, 116.40321)
    hazard_id = hazard.get_json()["id"]
    photo = upload(client, district["wang"], hazard_id, with_exif("exexif_pp_editors_no_exif.jpg"),
                   lat=NOISY_LAT, lon=PLANT_LON)
    assert (photo.get_json()["lat"], photo.get_json()["lon"]) == (39.90505, PLANT_LON)
    feature = client.get(f"/ogc/collections/hazards/items/{hazard_id}", headers=district["zhao"]).get_json()
    assert feature["geometry"]["coordinates"] == [116.40321, 39.90505]
    points = client.get(f"{API}/map/hazards", query_string={"bbox": "116.40,39.90,116.41,39.91", "zoom": 18},
                        headers=district["zhao"]).get_json()
    assert [f["geometry"]["coordinates"] for f in points["features"]] == [[116.40321, 39.90505]]


def test_messages_name_roles_with_the_right_article(client, district):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    officer = client.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "x"}, headers=district["li"])
    assert officer.status_code == 403
    assert officer.get_json()["message"].startswith("An enterprise officer may not void")
    admin = upload(client, district["admin"], hazard_id, with_exif("exexif_pp_editors_no_exif.jpg"))
    assert admin.status_code == 403
    assert admin.get_json()["message"] == "An admin may not add evidence photos."
    direct = client.post(f"{API}/uploads", json={"content_type": "image/jpeg", "size": 10, "sha256": "0" * 64},
                         headers=district["admin"])
    assert direct.status_code == 403
    assert direct.get_json()["message"] == "An admin does not add photos."
