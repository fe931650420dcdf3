"""Photos through the API: real phone files, a real SeaweedFS, each backend's real database.

Helpers at the top are shared with test_uploads.py and test_media_sweep.py.
"""
from __future__ import annotations

import csv
import hashlib
import io
import urllib.error
import urllib.request
import uuid
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspections.audit import verify_chains
from inspections.models import Photo
from media.storage import ObjectStore
from tests.api.conftest import API, report
from tests.factories import field_errors

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
MANIFEST = list(csv.DictReader((PHOTOS / "MANIFEST.csv").open(encoding="utf-8")))
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}


def photo_bytes(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def store(app, object_store, monkeypatch) -> ObjectStore:
    """The app's object store, on an empty bucket of this test's own (so a listing shows only its objects)."""
    monkeypatch.setitem(app.extensions, "object_store", object_store)
    return object_store


def keys(store: ObjectStore) -> set[str]:
    return {info.key for info in store.iter_objects()}


def photo_count(db_session) -> int:
    db_session.rollback()  # see what the requests committed since this session last looked
    return db_session.scalar(select(func.count()).select_from(Photo))


def new_hazard(client, headers, enterprise_id, **fields) -> dict:
    response = report(client, headers, enterprise_id, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload(client, headers, hazard_id, content: bytes, kind="evidence", filename="photo.jpg", **fields):
    """POST a photo as the phone does: multipart with `file` and the text fields."""
    data = {"kind": kind, **{k: str(v) for k, v in fields.items()}, "file": (io.BytesIO(content), filename)}
    return client.post(f"{API}/hazards/{hazard_id}/photos", data=data, headers=headers,
                       content_type="multipart/form-data")


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def with_exif(name: str, *, lat=None, lon=None, taken=None, offset=None) -> bytes:
    """A fixture re-saved with EXIF that no fixture has: a position in any hemisphere, a time, an offset."""
    image = Image.open(PHOTOS / name)
    exif = Image.Exif()
    if lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
    if taken is not None:
        tags = exif.get_ifd(0x8769)
        tags[0x9003] = taken
        if offset:
            tags[0x9011] = offset
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", exif=exif, quality=80)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


# --- reading the real files right ---------------------------------------------------------------------


def _manifest_id(row):
    return row["file"]


@pytest.mark.parametrize("row", MANIFEST, ids=_manifest_id)
def test_every_manifest_photo_uploads_and_its_gps_comes_back_exactly(client, district, store, row):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = upload(client, district["wang"], hazard["id"], photo_bytes(row["file"]), filename=row["file"])

    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert photo["content_type"] == CONTENT_TYPES[row["format"]]
    # The manifest gives JPEG sizes as stored; the API gives them upright (see the orientation test).
    assert sorted((photo["width"], photo["height"])) == sorted((int(row["width"]), int(row["height"])))
    # A GPS block of zeros ("null island") is a phone without a fix, not a place.
    has_fix = row["gps_lat"] not in ("", "0") and row["gps_lon"] not in ("", "0")
    if has_fix:
        assert round(photo["lat"], 6) == round(float(row["gps_lat"]), 6)
        assert round(photo["lon"], 6) == round(float(row["gps_lon"]), 6)
        assert photo["location_source"] == "exif"
    else:
        assert (photo["lat"], photo["lon"], photo["location_source"]) == (None, None, None)
    assert photo["make"] == (row["make"] or None)
    assert photo["model"] == (row["model"] or None)
    assert photo["sha256"] == sha256(photo_bytes(row["file"]))


def test_exif_time_is_placed_in_the_district_zone_unless_it_carries_its_offset(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    iphone = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_4.jpg")).get_json()
    heic = upload(client, district["wang"], hazard["id"], photo_bytes("ianare_IMG_5195.HEIC")).get_json()

    # 2011:01:13 14:33:39 without an offset is Beijing time; the iPhone 11's -05:00 is its own.
    assert datetime.fromisoformat(iphone["taken_at"]) == datetime(2011, 1, 13, 6, 33, 39, tzinfo=timezone.utc)
    assert datetime.fromisoformat(heic["taken_at"]) == datetime(2021, 4, 11, 20, 47, 53, tzinfo=timezone.utc)


def test_rewritten_exif_south_west_with_offset(client, district, store):
    content = with_exif("exexif_pp_editors_no_exif.jpg", lat=-33.856784, lon=-70.654321,
                        taken="2026:06:12 09:30:00", offset="-04:00")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], content, lat=39.9, lon=116.4).get_json()

    assert (round(photo["lat"], 6), round(photo["lon"], 6)) == (-33.856784, -70.654321)
    assert photo["location_source"] == "exif"  # the file's own position wins over the phone's
    assert datetime.fromisoformat(photo["taken_at"]) == datetime(2026, 6, 12, 13, 30, tzinfo=timezone.utc)


def test_without_exif_the_phones_position_and_time_are_used(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_pp_editors_no_exif.jpg"),
                   lat=39.9051, lon=116.4052, accuracy_m=8, taken_at="2026-06-12T09:30:00+08:00").get_json()

    assert (photo["lat"], photo["lon"], photo["accuracy_m"], photo["location_source"]) == (39.9051, 116.4052, 8, "device")
    assert datetime.fromisoformat(photo["taken_at"]) == datetime(2026, 6, 12, 1, 30, tzinfo=timezone.utc)


def test_a_file_with_neither_has_no_position(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Photo_1.webp")).get_json()
    assert (photo["lat"], photo["location_source"], photo["taken_at"]) == (None, None, None)


def test_the_phone_must_send_a_whole_position(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Photo_1.webp"), lat=39.9)
    assert response.status_code == 422
    assert "lat" in field_errors(response)
    assert not keys(store)


# --- what is stored, and the links ------------------------------------------------------------------------


def test_links_give_the_untouched_original_and_clean_upright_copies(client, district, store):
    content = photo_bytes("recurser_Portrait_6.jpg")  # stored 1800x1200 landscape, EXIF says turn it upright
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], content).get_json()

    assert http_get(photo["url"]) == (200, content)
    for link, longest in (("display_url", 1600), ("thumbnail_url", 320)):
        status, body = http_get(photo[link])
        assert status == 200
        copy = Image.open(io.BytesIO(body))
        assert copy.format == "JPEG"
        assert max(copy.size) == longest and copy.height > copy.width  # portrait: the rotation was applied
        assert not copy.getexif() and "exif" not in copy.info and "icc_profile" not in copy.info
    assert (photo["width"], photo["height"]) == (1200, 1800)


def test_objects_are_content_addressed_and_the_same_bytes_are_stored_once(client, district, store, db_session):
    content = photo_bytes("drew_Apple_iPhone_4.jpg")
    digest = sha256(content)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    first = upload(client, district["wang"], hazard["id"], content, id=uuid.uuid4())
    second = upload(client, district["wang"], hazard["id"], content, id=uuid.uuid4())

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] != second.get_json()["id"]
    assert keys(store) == {f"originals/{digest}", f"display/{digest}.jpg", f"thumbnails/{digest}.jpg"}
    assert photo_count(db_session) == 2
    listed = client.get(f"{API}/hazards/{hazard['id']}/photos", headers=district["wang"]).get_json()
    assert [p["id"] for p in listed] == [first.get_json()["id"], second.get_json()["id"]]
    only = client.get(f"{API}/hazards/{hazard['id']}/photos?kind=rectification", headers=district["wang"])
    assert only.status_code == 200 and only.get_json() == []


def test_urls_are_presigned_and_expire(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg")).get_json()
    for link in ("url", "display_url", "thumbnail_url"):
        assert "X-Amz-Expires=900" in photo[link] and "X-Amz-Signature=" in photo[link]
    unsigned = photo["url"].split("?")[0]
    assert http_get(unsigned)[0] == 403


def test_the_hazard_detail_and_single_photo_show_it(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg")).get_json()

    detail = client.get(f"{API}/hazards/{hazard['id']}", headers=district["li"]).get_json()
    assert [p["id"] for p in detail["photos"]] == [photo["id"]]
    one = client.get(f"{API}/hazards/{hazard['id']}/photos/{photo['id']}", headers=district["zhao"])
    assert one.status_code == 200 and one.get_json()["sha256"] == photo["sha256"]
    assert client.get(f"{API}/hazards/{hazard['id']}/photos/{uuid.uuid4()}", headers=district["zhao"]).status_code == 404
    other = client.get(f"{API}/hazards/{hazard['id']}/photos", headers=district["other_officer"])
    assert other.status_code == 404  # no links for those who may not see the hazard


# --- idempotency ------------------------------------------------------------------------------------------


def test_a_retried_upload_returns_the_first_result(client, district, store, db_session):
    content, photo_id = photo_bytes("drew_FujiFilm_FinePixS1Pro_1.jpg"), uuid.uuid4()
    hazard = new_hazard(client, district["wang"], district.plant.id)
    first = upload(client, district["wang"], hazard["id"], content, id=photo_id)
    again = upload(client, district["wang"], hazard["id"], content, id=photo_id)

    assert (first.status_code, again.status_code) == (201, 200)
    same = ("id", "sha256", "kind", "lat", "lon", "taken_at", "uploaded_at")
    assert {k: again.get_json()[k] for k in same} == {k: first.get_json()[k] for k in same}
    assert photo_count(db_session) == 1
    events = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    assert [e["action"] for e in events] == ["reported", "photo_added"]
    assert events[1]["evidence_ids"] == [str(photo_id)]
    assert (events[1]["details"]["kind"], events[1]["details"]["sha256"]) == ("evidence", sha256(content))


def test_the_same_id_with_other_bytes_or_kind_is_a_conflict(client, district, store, db_session):
    photo_id = uuid.uuid4()
    hazard = new_hazard(client, district["wang"], district.plant.id)
    assert upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg"), id=photo_id).status_code == 201

    other_bytes = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Photo_1.webp"), id=photo_id)
    other_kind = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg"), id=photo_id,
                        kind="rectification")
    assert (other_bytes.status_code, other_kind.status_code) == (409, 409)
    assert "id" in field_errors(other_bytes)
    assert photo_count(db_session) == 1


def test_the_same_id_and_bytes_with_another_place_or_time_is_a_conflict(client, district, store, db_session):
    """A phone that reuses an id for the same file taken elsewhere or at another time learns so; it is not
    answered with the first photo's place and time as if they were its own."""
    content, photo_id = photo_bytes("exexif_pp_editors_no_exif.jpg"), uuid.uuid4()
    facts = {"lat": 39.9031, "lon": 116.4032, "accuracy_m": 8, "taken_at": "2026-09-28T09:30:00+08:00"}
    hazard = new_hazard(client, district["wang"], district.plant.id)
    first = upload(client, district["wang"], hazard["id"], content, id=photo_id, **facts)
    assert first.status_code == 201, first.get_json()

    exact = upload(client, district["wang"], hazard["id"], content, id=photo_id, **facts)
    same_instant = upload(client, district["wang"], hazard["id"], content, id=photo_id,
                          **{**facts, "taken_at": "2026-09-28T01:30:00Z"})
    assert (exact.status_code, same_instant.status_code) == (200, 200)
    assert exact.get_json() | {"url": "", "display_url": "", "thumbnail_url": ""} == \
        first.get_json() | {"url": "", "display_url": "", "thumbnail_url": ""}

    for changed in ({"lat": 39.9041}, {"lon": 116.4042}, {"accuracy_m": 30},
                    {"taken_at": "2026-09-28T09:45:00+08:00"}, {"kind": "rectification"}):
        response = upload(client, district["wang"], hazard["id"], content, id=photo_id, **{**facts, **changed})
        assert response.status_code == 409, changed
        assert "position or time" in response.get_json()["message"]
        assert "send exactly the first request again" in field_errors(response)["id"][0]
    without_time = upload(client, district["wang"], hazard["id"], content, id=photo_id,
                          **{k: v for k, v in facts.items() if k != "taken_at"})
    assert without_time.status_code == 409

    assert photo_count(db_session) == 1
    kept = client.get(f"{API}/hazards/{hazard['id']}/photos/{photo_id}", headers=district["wang"]).get_json()
    assert (kept["lat"], kept["lon"], kept["accuracy_m"]) == (39.9031, 116.4032, 8)
    assert datetime.fromisoformat(kept["taken_at"]) == datetime(2026, 9, 28, 1, 30, tzinfo=timezone.utc)


def test_a_retry_of_a_photo_stored_before_place_and_time_were_fingerprinted_is_still_recognised(
        client, district, store, db_session):
    """Photos stored earlier kept a fingerprint of who, hazard, kind and bytes only; their retries still land
    once, and other bytes or another kind under their id are still a conflict."""
    from inspections.idempotency import request_digest

    content, photo_id = photo_bytes("exexif_sunrise.jpg"), uuid.uuid4()
    hazard = new_hazard(client, district["wang"], district.plant.id)
    facts = {"lat": 39.9031, "lon": 116.4032, "taken_at": "2026-09-28T09:30:00+08:00"}
    assert upload(client, district["wang"], hazard["id"], content, id=photo_id, **facts).status_code == 201
    # As the row was written before: the digest of {hazard_id, kind, sha256} by its sender.
    row = db_session.get(Photo, photo_id)
    row.request_digest = request_digest(district.users["wang"].id, {
        "hazard_id": uuid.UUID(hazard["id"]), "kind": "evidence", "sha256": sha256(content)})
    db_session.commit()

    again = upload(client, district["wang"], hazard["id"], content, id=photo_id, **facts)
    assert again.status_code == 200 and again.get_json()["id"] == str(photo_id)
    assert upload(client, district["wang"], hazard["id"], photo_bytes("drew_Photo_1.webp"), id=photo_id,
                  **facts).status_code == 409
    assert upload(client, district["wang"], hazard["id"], content, id=photo_id, kind="rectification",
                  **facts).status_code == 409
    assert photo_count(db_session) == 1


# --- refusals leave nothing behind ------------------------------------------------------------------------


def png_bomb(width=50_000, height=50_000) -> bytes:
    """A few hundred bytes of PNG that declare 2.5 gigapixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * 2000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("content", "status"), [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", 415),
    ("隐患照片稍后补上".encode() * 20, 415),
    (b"GIF89a" + b"\x00" * 200, 415),
    (b"", 422),
    (png_bomb(), 422),
    (photo_bytes("drew_Apple_iPhone_4.jpg")[:60_000], 422),  # cut off in transit: most of the picture missing
], ids=["pdf", "text", "gif", "empty", "png-bomb", "truncated-jpeg"])
def test_refused_files_leave_no_object_and_no_row(client, district, store, db_session, content, status):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = upload(client, district["wang"], hazard["id"], content, filename="photo.jpg")

    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == status and response.get_json()["message"]
    assert not keys(store)
    assert photo_count(db_session) == 0


def test_a_body_that_is_neither_multipart_nor_json_is_415(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = client.post(f"{API}/hazards/{hazard['id']}/photos", data=photo_bytes("exexif_sunrise.jpg"),
                           content_type="image/jpeg", headers=district["wang"])
    assert response.status_code == 415 and response.get_json()["code"] == 415


def test_over_the_size_limit_is_413_in_the_json_error_body(client, app, district, store, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 100_000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200_000)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    content = photo_bytes("drew_Apple_iPhone_4.jpg")  # 338 kB

    over_photo_limit = upload(client, district["wang"], hazard["id"], content[:150_000])  # the service counts
    over_body_limit = upload(client, district["wang"], hazard["id"], content)  # Werkzeug stops reading

    for response in (over_photo_limit, over_body_limit):
        assert response.status_code == 413
        assert response.get_json()["code"] == 413 and response.get_json()["status"]
    assert not keys(store)
    assert photo_count(db_session) == 0
    within = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg"))  # 18 kB
    assert within.status_code == 201


# --- the hazard takes the photo's place ------------------------------------------------------------------


def test_the_first_evidence_photo_gives_an_enterprise_located_hazard_its_exif_position(client, district, store,
                                                                                      db_session):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    assert hazard["location_source"] == "enterprise"
    no_gps = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_pp_editors_no_exif.jpg"),
                    lat=39.9, lon=116.4)
    first = upload(client, district["wang"], hazard["id"], with_exif("exexif_pp_editors_no_exif.jpg",
                                                                     lat=39.905812, lon=116.406071))
    second = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_4.jpg"))

    assert no_gps.get_json()["location_source"] == "device"  # the phone's GPS is the photo's, not the hazard's
    located = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).get_json()
    assert (located["lat"], located["lon"]) == (first.get_json()["lat"], first.get_json()["lon"])
    assert (located["location_source"], located["accuracy_m"]) == ("exif", None)
    assert second.status_code == 201  # later photos leave the position be
    events = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    taken = [e["details"]["hazard_location"] for e in events if "hazard_location" in e["details"]]
    assert len(taken) == 1
    assert taken[0]["photo_id"] == first.get_json()["id"] and taken[0]["was"]["source"] == "enterprise"
    db_session.rollback()
    assert verify_chains(db_session).breaks == []  # the location change is inside the hash chain


def test_a_hazard_placed_by_the_phone_keeps_its_position(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id, lat=39.9052, lon=116.4053, accuracy_m=5)
    upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_4.jpg"))
    after = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).get_json()
    assert (after["lat"], after["lon"], after["location_source"]) == (39.9052, 116.4053, "device")


def test_a_rectification_photo_does_not_move_the_hazard(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_4.jpg"), kind="rectification")
    after = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).get_json()
    assert after["location_source"] == "enterprise"


# --- who may add what, when -------------------------------------------------------------------------------


def test_who_may_add_evidence(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    content = photo_bytes("exexif_sunrise.jpg")

    def status(who, kind="evidence"):
        return upload(client, district[who], hazard["id"], content, kind=kind).status_code

    assert status("wang") == 201
    assert status("district_inspector") == 201  # the district's inspector covers every street
    assert status("zhao") == 201
    assert status("li") == 403  # the plant's officer sees the hazard but brings no evidence
    assert status("admin") == 403
    assert status("zhang") == 404  # an inspector of another street does not see it
    assert status("other_officer") == 404  # nor does another enterprise's officer
    unknown = upload(client, district["wang"], uuid.uuid4(), content)
    assert unknown.status_code == 404


def test_rectification_photos_follow_the_workflow(client, district, store, db_session):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    hid, content = hazard["id"], photo_bytes("exexif_sunrise.jpg")

    assert upload(client, district["li"], hid, content, kind="rectification").status_code == 409  # not acknowledged
    assert client.post(f"{API}/hazards/{hid}/acknowledge", json={}, headers=district["li"]).status_code == 200
    assert upload(client, district["wang"], hid, content, kind="rectification").status_code == 409  # the plant's turn
    fixed = upload(client, district["li"], hid, photo_bytes("drew_Photo_1.webp"), kind="rectification")
    assert fixed.status_code == 201
    submitted = client.post(f"{API}/hazards/{hid}/rectification", headers=district["li"],
                            json={"measures": "清理了安全出口", "photo_ids": [fixed.get_json()["id"]]})
    assert submitted.status_code == 200, submitted.get_json()
    assert upload(client, district["li"], hid, content, kind="rectification").status_code == 409  # submitted now
    assert upload(client, district["wang"], hid, content, kind="rectification").status_code == 201  # re-inspection
    assert client.post(f"{API}/hazards/{hid}/review", json={"decision": "approve", "comment": "现场复查合格"},
                       headers=district["wang"]).status_code == 200
    assert upload(client, district["wang"], hid, content).status_code == 409  # closed: no more evidence


def test_rectified_on_the_spot(client, district, store):
    general = new_hazard(client, district["wang"], district.plant.id)
    major = new_hazard(client, district["wang"], district.plant.id, severity="major")
    content = photo_bytes("exexif_sunrise.jpg")

    assert upload(client, district["wang"], general["id"], content, kind="rectification").status_code == 201
    approved = client.post(f"{API}/hazards/{general['id']}/review", headers=district["wang"],
                           json={"decision": "approve", "comment": "现场复查合格"})
    assert approved.get_json()["status"] == "closed"
    assert upload(client, district["wang"], major["id"], content, kind="rectification").status_code == 403


# --- the object store going away ---------------------------------------------------------------------------


def test_store_down_is_503_and_the_retry_succeeds_exactly_once(client, app, district, store, db_session, monkeypatch):
    from scripts.seaweedfs import free_port

    hazard = new_hazard(client, district["wang"], district.plant.id)
    content, photo_id = photo_bytes("drew_Apple_iPhone_4.jpg"), uuid.uuid4()
    dead = ObjectStore(f"http://127.0.0.1:{free_port()}", store.bucket, "key", "secret")
    monkeypatch.setitem(app.extensions, "object_store", dead)

    down = upload(client, district["wang"], hazard["id"], content, id=photo_id)
    assert down.status_code == 503
    assert int(down.headers["Retry-After"]) > 0 and down.get_json()["code"] == 503
    assert photo_count(db_session) == 0

    monkeypatch.setitem(app.extensions, "object_store", store)
    retried = upload(client, district["wang"], hazard["id"], content, id=photo_id)
    again = upload(client, district["wang"], hazard["id"], content, id=photo_id)
    assert (retried.status_code, again.status_code) == (201, 200)
    assert photo_count(db_session) == 1
    assert http_get(retried.get_json()["url"]) == (200, content)


def test_the_openapi_document_describes_both_ways_to_send_a_photo(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    post = spec["paths"]["/api/v1/hazards/{hazard_id}/photos"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert post["summary"].startswith("Add a photo")
    assert {"201", "200", "409", "413", "415", "503"} <= set(post["responses"])
    assert "/api/v1/uploads" in spec["paths"]


def test_photos_sent_at_once_all_land_and_a_doubled_retry_lands_once(client, district, store, db_session):
    from concurrent.futures import ThreadPoolExecutor

    hazard = new_hazard(client, district["wang"], district.plant.id)
    twice = uuid.uuid4()
    sends = [(twice, "exexif_sunrise.jpg"), (twice, "exexif_sunrise.jpg"),
             (uuid.uuid4(), "drew_Photo_1.webp"), (uuid.uuid4(), "exifr_IMG_20180725_163423-1.png")]

    def send(photo):
        photo_id, name = photo
        return upload(client, district["wang"], hazard["id"], photo_bytes(name), id=photo_id).status_code

    with ThreadPoolExecutor(len(sends)) as pool:
        statuses = sorted(pool.map(send, sends))

    assert statuses == [200, 201, 201, 201]
    assert photo_count(db_session) == 3
    events = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    assert [e["action"] for e in events].count("photo_added") == 3
    assert verify_chains(db_session).breaks == []
