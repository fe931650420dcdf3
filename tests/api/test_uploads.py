"""Direct uploads: declare, post the bytes straight to the store, attach; and every way that goes wrong."""
from __future__ import annotations

import io
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from inspections.models import Upload
from tests.api.conftest import API
from tests.api.test_photos import (  # noqa: F401  (store is a fixture)
    http_get, keys, new_hazard, photo_bytes, photo_count, sha256, store, upload,
)
from tests.factories import field_errors


def start(client, headers, content: bytes, content_type="image/jpeg", **overrides):
    body = {"content_type": content_type, "size": len(content), "sha256": sha256(content), **overrides}
    return client.post(f"{API}/uploads", json=body, headers=headers)


def post_to_store(ticket: dict, content: bytes, content_type="image/jpeg") -> int:
    """What the phone does with the ticket: a browser-style form, the policy fields first, then `file`."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in ticket["fields"].items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(ticket["url"], data=b"".join(parts), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def attach(client, headers, hazard_id, upload_id, kind="evidence", **fields):
    body = {"upload_id": str(upload_id), "kind": kind, **fields}
    return client.post(f"{API}/hazards/{hazard_id}/photos", json=body, headers=headers)


def uploaded(client, headers, content: bytes, content_type="image/jpeg") -> dict:
    response = start(client, headers, content, content_type)
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    assert post_to_store(ticket, content, content_type) in (200, 201, 204)
    return ticket


def test_direct_upload_happy_path(client, district, store, db_session):
    content = photo_bytes("pillowheif_xiaomi.heic")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    started = start(client, district["wang"], content, "image/heic")

    assert started.status_code == 201
    ticket = started.get_json()
    assert set(ticket) == {"upload_id", "url", "fields", "expires_at"}
    assert ticket["fields"]["key"] == f"uploads/{ticket['upload_id']}"
    assert timedelta(minutes=14) < datetime.fromisoformat(ticket["expires_at"]) - datetime.now(timezone.utc) \
        <= timedelta(minutes=15)
    assert post_to_store(ticket, content, "image/heic") in (200, 201, 204)

    photo_id = uuid.uuid4()
    attached = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=str(photo_id),
                      lat=39.9, lon=116.4)
    assert attached.status_code == 201, attached.get_json()
    photo = attached.get_json()
    assert (photo["id"], photo["sha256"], photo["content_type"]) == (str(photo_id), sha256(content), "image/heic")
    assert (round(photo["lat"], 6), round(photo["lon"], 6), photo["location_source"]) == (47.227289, 39.699992, "exif")
    assert http_get(photo["url"]) == (200, content)
    digest = sha256(content)
    assert keys(store) == {f"originals/{digest}", f"display/{digest}.jpg", f"thumbnails/{digest}.jpg"}

    again = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=str(photo_id), lat=39.9, lon=116.4)
    without_id = attach(client, district["wang"], hazard["id"], ticket["upload_id"], lat=39.9, lon=116.4)
    assert (again.status_code, without_id.status_code) == (200, 200)
    assert again.get_json()["id"] == without_id.get_json()["id"] == str(photo_id)
    assert photo_count(db_session) == 1
    row = db_session.scalar(select(Upload))
    assert (row.photo_id, row.used_at is not None) == (photo_id, True)


def test_an_attached_upload_cannot_become_a_second_photo(client, district, store):
    content = photo_bytes("exexif_sunrise.jpg")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    other = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], content)
    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"]).status_code == 201

    assert attach(client, district["wang"], other["id"], ticket["upload_id"]).status_code == 409
    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=str(uuid.uuid4())).status_code == 409


def test_attaching_an_upload_again_with_another_place_or_time_is_a_conflict(client, district, store, db_session):
    content = photo_bytes("exexif_pp_editors_no_exif.jpg")  # no EXIF: the phone's place and time are the photo's
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], content)
    photo_id = str(uuid.uuid4())
    facts = {"lat": 39.9031, "lon": 116.4032, "accuracy_m": 8, "taken_at": "2026-09-28T09:30:00+08:00"}
    first = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id, **facts)
    assert first.status_code == 201, first.get_json()

    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id, **facts).status_code == 200
    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"], **facts).status_code == 200
    for changed in ({"lat": 39.9041}, {"taken_at": "2026-09-28T09:45:00+08:00"}, {"accuracy_m": None, "lon": 116.5}):
        with_id = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id,
                         **{**facts, **changed})
        without_id = attach(client, district["wang"], hazard["id"], ticket["upload_id"], **{**facts, **changed})
        assert (with_id.status_code, without_id.status_code) == (409, 409), changed
        assert "position or time" in with_id.get_json()["message"]
        assert "send exactly the first request again" in field_errors(with_id)["upload_id"][0]
    # The same id and bytes sent as multipart are another request (not this upload): a conflict too.
    assert upload(client, district["wang"], hazard["id"], content, id=photo_id, **facts).status_code == 409

    assert photo_count(db_session) == 1
    kept = client.get(f"{API}/hazards/{hazard['id']}/photos/{photo_id}", headers=district["wang"]).get_json()
    assert (kept["lat"], kept["lon"], kept["accuracy_m"]) == (39.9031, 116.4032, 8)


def test_attaching_before_the_file_arrived_says_upload_it_first(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = start(client, district["wang"], photo_bytes("exexif_sunrise.jpg")).get_json()

    response = attach(client, district["wang"], hazard["id"], ticket["upload_id"])
    assert response.status_code == 422
    assert "first" in response.get_json()["message"] and "upload_id" in field_errors(response)


def test_unknown_and_other_peoples_uploads_look_the_same(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    theirs = uploaded(client, district["zhao"], photo_bytes("exexif_sunrise.jpg"))

    unknown = attach(client, district["wang"], hazard["id"], uuid.uuid4())
    not_mine = attach(client, district["wang"], hazard["id"], theirs["upload_id"])
    assert (unknown.status_code, not_mine.status_code) == (422, 422)
    assert field_errors(unknown).keys() == field_errors(not_mine).keys() == {"upload_id"}
    assert f"uploads/{theirs['upload_id']}" in keys(store)  # someone else's try touches nothing of theirs


def test_a_file_that_is_not_the_declared_one_is_422_and_removed(client, district, store, db_session):
    content, impostor = photo_bytes("exexif_sunrise.jpg"), bytearray(photo_bytes("exexif_sunrise.jpg"))
    impostor[-100] ^= 0xFF  # same size, same type, other bytes: only the SHA-256 tells
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = start(client, district["wang"], content).get_json()
    assert post_to_store(ticket, bytes(impostor)) in (200, 201, 204)

    response = attach(client, district["wang"], hazard["id"], ticket["upload_id"])
    assert response.status_code == 422
    assert "SHA-256" in field_errors(response)["upload_id"][0]
    assert not keys(store) and photo_count(db_session) == 0

    # The form is still valid: the phone sends the right file and attaches it.
    assert post_to_store(ticket, content) in (200, 201, 204)
    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"]).status_code == 201


def test_a_store_object_of_another_size_is_422_and_removed(client, district, store):
    content = photo_bytes("exexif_sunrise.jpg")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = start(client, district["wang"], content).get_json()
    # The presigned form cannot post another size; an object put behind its back still must not pass.
    store.put(f"uploads/{ticket['upload_id']}", io.BytesIO(content + b"more"), content_type="image/jpeg")

    response = attach(client, district["wang"], hazard["id"], ticket["upload_id"])
    assert response.status_code == 422 and "larger" in field_errors(response)["upload_id"][0]
    assert not keys(store)


def test_the_store_itself_refuses_a_file_other_than_declared(client, district, store):
    content = photo_bytes("exexif_sunrise.jpg")
    ticket = start(client, district["wang"], content).get_json()
    assert post_to_store(ticket, content + b"x") in (400, 403)
    retyped = dict(ticket, fields={**ticket["fields"], "Content-Type": "text/html"})
    assert post_to_store(retyped, content, "text/html") in (400, 403)
    assert not keys(store)


def test_declared_bytes_that_are_no_photo_are_refused_and_removed(client, district, store, db_session):
    pdf = b"%PDF-1.7\n" + b"0" * 500
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], pdf)  # declared image/jpeg; the store cannot tell

    response = attach(client, district["wang"], hazard["id"], ticket["upload_id"])
    assert response.status_code == 415
    assert not keys(store) and photo_count(db_session) == 0


def test_an_expired_upload_whose_file_never_came(client, district, store, clock):
    clock.set(datetime.now(timezone.utc))
    hazard = new_hazard(client, district["wang"], district.plant.id)
    late = start(client, district["wang"], photo_bytes("exexif_sunrise.jpg")).get_json()
    in_time = uploaded(client, district["wang"], photo_bytes("drew_Photo_1.webp"), "image/webp")
    clock.set(datetime.now(timezone.utc) + timedelta(hours=1))

    expired = attach(client, district["wang"], hazard["id"], late["upload_id"])
    assert expired.status_code == 422 and "expired" in field_errors(expired)["upload_id"][0]
    # A file that arrived in time is still taken: the store's own policy already stopped late files.
    assert attach(client, district["wang"], hazard["id"], in_time["upload_id"]).status_code == 201


@pytest.mark.parametrize(("body", "status"), [
    ({"content_type": "application/pdf"}, 415),
    ({"content_type": "image/gif"}, 415),
    ({"size": 26 * 1024 * 1024}, 413),
    ({"size": 0}, 422),
    ({"sha256": "not-a-hash"}, 422),
    ({"extra": 1}, 422),
], ids=["pdf", "gif", "too-large", "empty", "bad-sha", "unknown-field"])
def test_bad_declarations(client, district, store, db_session, body, status):
    response = start(client, district["wang"], b"x" * 100, **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == status
    assert db_session.scalar(select(Upload)) is None


def test_who_may_upload(client, district, store):
    content = photo_bytes("exexif_sunrise.jpg")
    assert start(client, district["admin"], content).status_code == 403
    assert start(client, district["li"], content).status_code == 201  # officers send rectification photos
    assert client.post(f"{API}/uploads", json={"content_type": "image/jpeg", "size": 1, "sha256": "0" * 64}
                       ).status_code == 401


def test_attaching_checks_the_hazard_like_a_multipart_upload(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["li"], photo_bytes("exexif_sunrise.jpg"))

    assert attach(client, district["li"], hazard["id"], ticket["upload_id"]).status_code == 403  # no evidence
    assert attach(client, district["li"], hazard["id"], ticket["upload_id"], kind="rectification").status_code == 409
    assert attach(client, district["other_officer"], hazard["id"], ticket["upload_id"]).status_code == 404
    assert f"uploads/{ticket['upload_id']}" in keys(store)  # refusals of the caller keep the file for later


def test_a_malformed_attach_body_is_422(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = client.post(f"{API}/hazards/{hazard['id']}/photos", json={"kind": "evidence"}, headers=district["wang"])
    assert response.status_code == 422 and "upload_id" in field_errors(response)


def test_attaching_with_the_store_down_is_503_and_the_retry_lands_once(client, app, district, store, db_session,
                                                                      monkeypatch):
    from media.storage import ObjectStore
    from scripts.seaweedfs import free_port

    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], photo_bytes("exexif_sunrise.jpg"))
    monkeypatch.setitem(app.extensions, "object_store",
                        ObjectStore(f"http://127.0.0.1:{free_port()}", store.bucket, "key", "secret"))
    photo_id = str(uuid.uuid4())

    down = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id)
    assert down.status_code == 503 and down.headers["Retry-After"]
    monkeypatch.setitem(app.extensions, "object_store", store)
    first = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id)
    again = attach(client, district["wang"], hazard["id"], ticket["upload_id"], id=photo_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert photo_count(db_session) == 1
