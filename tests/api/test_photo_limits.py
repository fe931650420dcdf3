"""How much a hazard, a user and a process take (issue 12 items 2, 9, 10; issue 13 item 3), through the API."""
from __future__ import annotations

import io
import json
import threading
import time

import pytest
from PIL import Image

from media.decode_gate import DecodeGate
from tests.api.conftest import API
from tests.api.test_photos import (  # noqa: F401  (store is a fixture)
    keys, new_hazard, photo_bytes, photo_count, store, upload,
)
from tests.api.test_uploads import post_to_store, start


def distinct_jpegs(count: int) -> list[bytes]:
    """Small real-looking photos with different bytes (each a different colour)."""
    out = []
    for n in range(count):
        data = io.BytesIO()
        Image.new("RGB", (64, 48), (n * 5 % 256, 80, 200 - n)).save(data, "JPEG")
        out.append(data.getvalue())
    return out


# --- photos per hazard and the paginated list ------------------------------------------------------------


def test_a_hazard_takes_at_most_its_limit_of_photos_and_a_retry_still_answers(client, app, district, store,
                                                                            db_session, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_PER_HAZARD", 3)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    first, *rest, extra = distinct_jpegs(4)
    import uuid

    photo_id = str(uuid.uuid4())
    assert upload(client, district["wang"], hazard["id"], first, id=photo_id).status_code == 201
    for content in rest:
        assert upload(client, district["wang"], hazard["id"], content).status_code == 201

    full = upload(client, district["wang"], hazard["id"], extra)
    assert full.status_code == 409
    assert "already has 3 photos" in full.get_json()["message"]
    assert upload(client, district["wang"], hazard["id"], first, id=photo_id).status_code == 200  # a retry
    assert photo_count(db_session) == 3
    other = new_hazard(client, district["wang"], district.plant.id)
    assert upload(client, district["wang"], other["id"], extra).status_code == 201  # the limit is per hazard


def test_the_photo_list_is_paginated_and_the_detail_carries_the_first_page_and_the_total(
        client, district, store, monkeypatch):
    monkeypatch.setattr("api.hazards.detail.FIRST_PAGE", 2)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ids = [upload(client, district["wang"], hazard["id"], content).get_json()["id"] for content in distinct_jpegs(3)]

    page = client.get(f"{API}/hazards/{hazard['id']}/photos?page=2&page_size=2", headers=district["wang"])
    assert page.status_code == 200
    assert [p["id"] for p in page.get_json()] == ids[2:]
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    default = client.get(f"{API}/hazards/{hazard['id']}/photos", headers=district["wang"])
    assert [p["id"] for p in default.get_json()] == ids  # 50 a page by default
    detail = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]).get_json()
    assert [p["id"] for p in detail["photos"]] == ids[:2] and detail["photos_total"] == 3
    hidden = client.get(f"{API}/hazards/{hazard['id']}/photos", headers=district["other_officer"])
    assert hidden.status_code == 404


# --- open direct uploads per user ------------------------------------------------------------------------


def test_a_user_may_have_only_so_many_uploads_open_and_the_same_file_declared_again_reuses_its_own(
        client, app, district, store, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_OPEN_PER_USER", 2)
    first, second, third = distinct_jpegs(3)
    one = start(client, district["wang"], first)
    two = start(client, district["wang"], second)
    assert (one.status_code, two.status_code) == (201, 201)

    again = start(client, district["wang"], first)  # the phone asks again for the same photo
    assert again.status_code == 200 and again.get_json()["upload_id"] == one.get_json()["upload_id"]
    over = start(client, district["wang"], third)
    assert over.status_code == 409 and "2 direct uploads" in over.get_json()["message"]
    assert start(client, district["zhang"], third).status_code == 201  # per user

    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = one.get_json()
    assert post_to_store(ticket, first) in (200, 201, 204)
    attached = client.post(f"{API}/hazards/{hazard['id']}/photos", headers=district["wang"],
                           json={"upload_id": ticket["upload_id"], "kind": "evidence"})
    assert attached.status_code == 201
    assert start(client, district["wang"], third).status_code == 201  # attaching one freed its place


def test_expired_uploads_whose_file_never_came_stop_counting(client, app, district, store, clock, monkeypatch):
    from datetime import datetime, timedelta, timezone

    monkeypatch.setitem(app.config, "UPLOAD_MAX_OPEN_PER_USER", 2)
    clock.set(datetime.now(timezone.utc))
    first, second, third = distinct_jpegs(3)
    posted = start(client, district["wang"], first).get_json()
    assert post_to_store(posted, first) in (200, 201, 204)
    start(client, district["wang"], second)  # never posted
    clock.set(datetime.now(timezone.utc) + timedelta(hours=1))
    # The posted one may still be attached (its file is in the store); the other parks nothing.
    assert start(client, district["wang"], third).status_code == 201
    assert start(client, district["wang"], distinct_jpegs(4)[3]).status_code == 409


# --- the decode budget -----------------------------------------------------------------------------------


def test_a_busy_decode_budget_makes_an_upload_wait_then_503_with_retry_after(client, app, district, store,
                                                                           db_session, monkeypatch):
    gate = DecodeGate(budget_bytes=200 * 1024 * 1024, wait_seconds=0.3, retry_after=7)
    monkeypatch.setitem(app.extensions, "decode_gate", gate)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    content = photo_bytes("drew_Apple_iPhone_4.jpg")

    with gate.hold(gate.budget_bytes):  # every byte of it taken by decodes elsewhere
        busy = upload(client, district["wang"], hazard["id"], content)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "7"
    assert "busy decoding" in busy.get_json()["message"]
    assert photo_count(db_session) == 0 and not keys(store)

    gate.wait_seconds = 10
    holder = threading.Thread(target=lambda: _hold_for(gate, 0.5))
    holder.start()
    time.sleep(0.1)
    waited = upload(client, district["wang"], hazard["id"], content)  # waits its turn, then goes through
    holder.join()
    assert waited.status_code == 201 and gate.in_use == 0


def _hold_for(gate: DecodeGate, seconds: float) -> None:
    with gate.hold(gate.budget_bytes):
        time.sleep(seconds)


def test_a_photo_needing_more_than_the_whole_budget_is_refused(client, app, district, store, monkeypatch):
    monkeypatch.setitem(app.extensions, "decode_gate", DecodeGate(budget_bytes=20 * 1024 * 1024, wait_seconds=1))
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_5.jpg"))
    assert response.status_code == 422 and "MB of memory" in response.get_json()["message"]


# --- truncated photos, and what the links say -------------------------------------------------------------


@pytest.mark.parametrize(("cut", "status"), [(0.5, 422), (0.97, 422), (0.9995, 201)])
def test_a_phone_photo_cut_short_is_refused_unless_nearly_whole_and_then_marked(client, district, store, cut,
                                                                               status):
    content = photo_bytes("drew_Apple_iPhone_5.jpg")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    response = upload(client, district["wang"], hazard["id"], content[:int(len(content) * cut)])
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert "arrived incomplete" in response.get_json()["message"]
    else:
        photo = response.get_json()
        assert photo["truncated"] is True
        listed = client.get(f"{API}/hazards/{hazard['id']}/photos/{photo['id']}", headers=district["wang"])
        assert listed.get_json()["truncated"] is True
    whole = upload(client, district["wang"], hazard["id"], content)
    assert whole.status_code == 201 and whole.get_json()["truncated"] is False


def test_our_own_answers_carry_nosniff(client, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("drew_Apple_iPhone_4.jpg")).get_json()
    answers = [
        client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"]),
        client.get(f"{API}/exports/hazards.csv", headers=district["zhao"]),
        client.get(f"{API}/hazards/{hazard['id']}/nope", headers=district["wang"]),
    ]
    marker = client.get(f"{API}/map/hazards?zoom=18", headers=district["zhao"]).get_json()["features"][0]
    thumbnail = client.get(marker["properties"]["thumbnail_url"])
    answers.append(thumbnail)
    assert thumbnail.status_code == 302 and "response-content-type=image%2Fjpeg" in thumbnail.headers["Location"]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.request.path
    assert photo["thumbnail_url"]
