"""Verified closure: rectification photos are checked for place, time and re-use before a hazard closes.

The photos are real phone photos (tests/fixtures/photos) whose EXIF place and time are rewritten to what
each case needs: 12 m from the hazard, last month, the inspector's own picture sent back, and so on.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import PHOTOS, field_errors, upload_photo
from tests.photo_edit import north_of, photo_with_exif

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTED = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # the clock fixture's time
EVIDENCE = "exifr_IMG_20180725_163423-tiny.jpg"
REPAIRED = "exexif_sunrise.jpg"


@pytest.fixture
def hazard(client, district, clock):
    """A blocked exit at the plant, photographed by 王 at the spot; 李 has acknowledged it."""
    created = report(client, district["wang"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON).get_json()
    evidence = photo_with_exif(EVIDENCE, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED - timedelta(minutes=2))
    uploaded = upload_photo(client, district["wang"], created["id"], kind="evidence", name="evidence.jpg", data=evidence)
    assert uploaded.status_code == 201, uploaded.get_json()
    assert client.post(f"{API}/hazards/{created['id']}/acknowledge", json={}, headers=district["li"]).status_code == 200
    clock.set(REPORTED + timedelta(days=5))
    return {"id": created["id"], "evidence_bytes": evidence, "evidence_id": uploaded.get_json()["id"]}


def submit(client, district, hazard_id, data, name="rectified.jpg", **fields):
    photo = upload_photo(client, district["li"], hazard_id, name=name, data=data, **fields)
    assert photo.status_code == 201, photo.get_json()
    return client.post(f"{API}/hazards/{hazard_id}/rectification",
                       json={"measures": "清除了安全出口的杂物", "photo_ids": [photo.get_json()["id"]]},
                       headers=district["li"])


def test_li_photographs_the_repair_from_the_same_spot(client, district, hazard):
    """12 m from the hazard, after the report, not the old picture: every check passes."""
    data = photo_with_exif(REPAIRED, lat=north_of(PLANT_LAT, 12), lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    submitted = submit(client, district, hazard["id"], data)
    assert submitted.status_code == 200, submitted.get_json()
    checks = submitted.get_json()["closure_checks"]
    photo = checks["photos"][0]
    assert photo["distance_m"] == pytest.approx(12, abs=0.5)
    assert (photo["within_radius"], photo["taken_after_report"], photo["same_as_evidence"]) == (True, True, False)
    assert checks["clean"] and checks["warnings"] == [] and checks["blocking"] == []
    # The re-inspector sees the same checks on the hazard, and approves without having to explain anything.
    seen = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).get_json()
    assert seen["rectifications"][-1]["checks"] == checks
    closed = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"


def test_last_months_photo_warns_and_approval_needs_a_comment(client, district, hazard):
    data = photo_with_exif(REPAIRED, lat=north_of(PLANT_LAT, 5), lon=PLANT_LON, taken_at=REPORTED - timedelta(days=30))
    submitted = submit(client, district, hazard["id"], data)
    assert submitted.status_code == 200
    checks = submitted.get_json()["closure_checks"]
    assert checks["photos"][0]["taken_after_report"] is False
    assert checks["warnings"] == ["taken_before_report"]
    silent = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["zhao"])
    assert silent.status_code == 422 and "comment" in field_errors(silent)
    explained = client.post(f"{API}/hazards/{hazard['id']}/review",
                            json={"decision": "approve", "comment": "现场复查确认已整改，照片时间设置错误"},
                            headers=district["zhao"])
    assert explained.status_code == 200
    last = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["zhao"]).get_json()[-1]
    assert last["action"] == "approve"
    assert last["comment"] == "现场复查确认已整改，照片时间设置错误"
    assert last["details"]["approved_despite"] == ["taken_before_report"]


def test_the_inspectors_own_photo_sent_back_is_refused(client, district, hazard):
    refused = submit(client, district, hazard["id"], hazard["evidence_bytes"], name="evidence.jpg")
    assert refused.status_code == 422
    reasons = " ".join(field_errors(refused)["photo_ids"])
    assert "exact_reuse" in reasons and hazard["evidence_id"] in reasons
    after = client.get(f"{API}/hazards/{hazard['id']}", headers=district["li"]).get_json()
    assert after["status"] == "acknowledged" and after["rectifications"] == []


def test_the_evidence_resized_and_recompressed_is_caught(client, district, hazard):
    copy = photo_with_exif(EVIDENCE, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4),
                           scale=0.6, quality=60)
    assert copy != hazard["evidence_bytes"]
    submitted = submit(client, district, hazard["id"], copy)
    assert submitted.status_code == 200  # near duplicates warn by default
    photo = submitted.get_json()["closure_checks"]["photos"][0]
    assert photo["same_as_evidence"] is True
    assert "near_duplicate" in photo["problems"]
    assert photo["matches"][0]["photo_id"] == hazard["evidence_id"]


def test_a_photo_without_gps_is_unverified_never_a_pass(client, district, hazard):
    data = photo_with_exif(REPAIRED, taken_at=REPORTED + timedelta(days=4))
    photo = submit(client, district, hazard["id"], data).get_json()["closure_checks"]["photos"][0]
    assert photo["within_radius"] is None and photo["location_unverified"] is True and photo["distance_m"] is None


@pytest.mark.parametrize("metres, inside", [(90, True), (150, False)])
def test_known_distances_against_the_radius(client, district, hazard, metres, inside):
    data = photo_with_exif(REPAIRED, lat=north_of(PLANT_LAT, metres), lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    photo = submit(client, district, hazard["id"], data).get_json()["closure_checks"]["photos"][0]
    assert photo["distance_m"] == pytest.approx(metres, abs=1)
    assert photo["within_radius"] is inside


def test_the_phones_reported_accuracy_widens_the_radius(client, district, hazard):
    # No EXIF position: the phone's own fix, 130 m away but only accurate to 40 m.
    photo = submit(client, district, hazard["id"], (PHOTOS / "exexif_pp_editors_no_exif.jpg").read_bytes(),
                   lat=north_of(PLANT_LAT, 130), lon=PLANT_LON, accuracy_m=40, taken_at=REPORTED + timedelta(days=4))
    checks = photo.get_json()["closure_checks"]["photos"][0]
    assert checks["radius_m"] == 140 and checks["within_radius"] is True


@pytest.mark.parametrize("minutes_before, after", [(9, True), (11, False)])
def test_clock_skew_at_the_edge(client, district, hazard, minutes_before, after):
    taken = REPORTED - timedelta(minutes=minutes_before)
    data = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=taken)
    photo = submit(client, district, hazard["id"], data).get_json()["closure_checks"]["photos"][0]
    assert photo["taken_after_report"] is after


def test_a_picture_that_closed_one_hazard_cannot_close_another(client, district, hazard, clock):
    data = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    assert submit(client, district, hazard["id"], data).status_code == 200
    assert client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"},
                       headers=district["wang"]).get_json()["status"] == "closed"
    second = report(client, district["wang"], district.plant.id, category="electrical.wiring",
                    lat=PLANT_LAT, lon=PLANT_LON).get_json()["id"]
    client.post(f"{API}/hazards/{second}/acknowledge", json={}, headers=district["li"])
    refused = submit(client, district, second, data)
    assert refused.status_code == 422
    assert hazard["id"] in " ".join(field_errors(refused)["photo_ids"])


def test_the_policy_can_make_distance_block(app, client, district, hazard, monkeypatch):
    monkeypatch.setitem(app.config, "CLOSURE_BLOCKING", ("exact_reuse", "outside_radius"))
    data = photo_with_exif(REPAIRED, lat=north_of(PLANT_LAT, 500), lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    refused = submit(client, district, hazard["id"], data)
    assert refused.status_code == 422 and "outside_radius" in " ".join(field_errors(refused)["photo_ids"])


def test_the_reinspectors_own_photos_are_checked_too(client, district, hazard):
    data = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    assert submit(client, district, hazard["id"], data).status_code == 200
    far = photo_with_exif("drew_Photo_1.webp", lat=north_of(PLANT_LAT, 800), lon=PLANT_LON,
                          taken_at=REPORTED + timedelta(days=5))
    assert upload_photo(client, district["wang"], hazard["id"], name="recheck.jpg", data=far).status_code == 201
    silent = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    assert silent.status_code == 422
    approved = client.post(f"{API}/hazards/{hazard['id']}/review",
                           json={"decision": "approve", "comment": "复查照片在厂门口拍摄"}, headers=district["wang"])
    assert approved.status_code == 200
    event = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()[-1]
    assert event["details"]["reinspection_checks"]["photos"][0]["within_radius"] is False


def test_a_new_hazard_soon_after_a_closed_one_is_a_recurrence(client, district, hazard, clock):
    data = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED + timedelta(days=4))
    submit(client, district, hazard["id"], data)
    client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    clock.set(REPORTED + timedelta(days=60))
    again = report(client, district["wang"], district.plant.id).get_json()
    assert again["recurrence_of"] == hazard["id"]
    other_category = report(client, district["wang"], district.plant.id, category="gas.hoses").get_json()
    assert other_category["recurrence_of"] is None
    recurring = client.get(f"{API}/hazards?recurrence=true", headers=district["zhao"]).get_json()
    assert [h["id"] for h in recurring] == [again["id"]]
    clock.set(REPORTED + timedelta(days=100))
    assert report(client, district["wang"], district.plant.id).get_json()["recurrence_of"] is None
