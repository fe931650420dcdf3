"""`flask media sweep`: orphans go after the grace period, referenced and foreign objects stay, missing ones
are reported."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone

from tests.api.test_photos import keys, new_hazard, photo_bytes, sha256, store, upload  # noqa: F401
from tests.api.test_uploads import start


def put(store, key: str, content: bytes = b"orphan bytes") -> str:
    store.put(key, io.BytesIO(content), content_type="application/octet-stream")
    return key


def sweep(runner, *args):
    return runner.invoke(args=["media", "sweep", *args])


def test_sweep_removes_orphans_after_the_grace_period_and_keeps_the_rest(client, runner, district, store, clock):
    later = datetime.now(timezone.utc) + timedelta(days=2)  # every object written now is two days old then
    clock.set(later - timedelta(minutes=5))
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg")).get_json()
    referenced = {f"originals/{photo['sha256']}", f"display/{photo['sha256']}.jpg",
                  f"thumbnails/{photo['sha256']}.jpg"}
    orphan_sha = sha256(b"a crash between object and row")
    orphans = {put(store, f"originals/{orphan_sha}"), put(store, f"display/{orphan_sha}.jpg"),
               put(store, f"thumbnails/{orphan_sha}.jpg"), put(store, f"uploads/{uuid.uuid4()}")}
    waiting = start(client, district["wang"], b"x" * 10).get_json()  # declared, unused, not yet expired
    kept = {put(store, f"uploads/{waiting['upload_id']}"), put(store, "notices/2026/通知书.pdf"),
            put(store, "originals/not-a-sha256")}
    clock.set(later)

    young = sweep(runner, "--grace-hours", "72")  # two days old is young for a three-day grace
    assert young.exit_code == 0, young.output
    assert keys(store) == referenced | orphans | kept

    dry = sweep(runner, "--grace-hours", "24", "--dry-run")
    assert dry.exit_code == 0 and "would delete 4" in dry.output
    assert keys(store) == referenced | orphans | kept

    swept = sweep(runner, "--grace-hours", "24")
    assert swept.exit_code == 0, swept.output
    assert keys(store) == referenced | kept
    assert "deleted 4" in swept.output and "0 originals missing" in swept.output
    assert "originals/" in swept.output  # progress lines name the slice they worked on

    again = sweep(runner, "--grace-hours", "24")  # idempotent
    assert again.exit_code == 0 and "deleted 0" in again.output
    assert keys(store) == referenced | kept


def test_sweep_keeps_young_orphans(client, runner, district, store):
    orphan = put(store, f"originals/{sha256(b'just written')}")
    result = sweep(runner, "--grace-hours", "1")
    assert result.exit_code == 0
    assert orphan in keys(store) and "1 unreferenced kept" in result.output


def test_sweep_removes_the_object_of_an_attached_upload_left_behind(client, runner, district, store, clock):
    from tests.api.test_uploads import attach, uploaded

    clock.set(datetime.now(timezone.utc))
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], photo_bytes("exexif_sunrise.jpg"))
    assert attach(client, district["wang"], hazard["id"], ticket["upload_id"]).status_code == 201
    left_behind = put(store, f"uploads/{ticket['upload_id']}")  # as if the delete after attaching had failed

    clock.set(datetime.now(timezone.utc) + timedelta(hours=2))
    result = sweep(runner, "--grace-hours", "1")
    assert result.exit_code == 0, result.output
    assert left_behind not in keys(store)


def test_sweep_reports_rows_whose_original_is_missing(client, runner, district, store):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    photo = upload(client, district["wang"], hazard["id"], photo_bytes("exexif_sunrise.jpg")).get_json()
    store.delete(f"originals/{photo['sha256']}")

    result = sweep(runner)
    assert result.exit_code == 1
    assert f"MISSING: originals/{photo['sha256']} (photos {photo['id']})" in result.output
    assert "1 originals missing" in result.output


def test_sweep_with_the_store_down_says_so(app, runner, monkeypatch):
    from media.storage import ObjectStore
    from scripts.seaweedfs import free_port

    monkeypatch.setitem(app.extensions, "object_store", ObjectStore(f"http://127.0.0.1:{free_port()}", "b", "k", "s"))
    result = sweep(runner)
    assert result.exit_code != 0 and "failed" in result.output
