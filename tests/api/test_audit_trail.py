"""The audit trail against someone with write access to the database (issue 12, items 3 and 4).

Each attack is done by hand with SQL, as such a person would, on the real database and the real SeaweedFS
(checkpoints live there); ``flask audit verify`` must name it by hazard and event, and leave an untouched
district clean.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from api import create_app
from inspections.audit import checkpoints
from inspections.audit.keys import key_id_of
from inspections.models import Hazard, HazardEvent
from tests.api.conftest import API, rectification_photo, report
from tests.api.test_workflow import bring_to

PLUS_EIGHT = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def _no_checkpoints_left(app):
    """Checkpoints live in the bucket the whole test session shares: each test starts and ends without any."""
    store = app.extensions["object_store"]
    yield
    for info in list(store.iter_objects(checkpoints.PREFIX)):
        store.delete(info.key)


def verify(runner):
    return runner.invoke(args=["audit", "verify"])


def checkpoint(runner):
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    return result


def sql(app, statement: str, **params):
    with app.extensions["db_engine"].begin() as connection:
        return connection.execute(text(statement), params)


def events_of(app, hazard_id: str) -> list:
    return sql(app, "SELECT * FROM hazard_events WHERE hazard_id = :h ORDER BY seq", h=uuid_param(app, hazard_id)).all()


def uuid_param(app, hazard_id: str):
    """A hazard id as the backend stores it (SQLite: 32 hex digits; PostgreSQL: a uuid)."""
    value = uuid.UUID(hazard_id)
    return value.hex if app.extensions["db_engine"].dialect.name == "sqlite" else value


def phone_time(minutes_ago: float = 0) -> str:
    """The phone's clock, as the contract's example writes it: local time with +08:00."""
    return (datetime.now(PLUS_EIGHT) - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def submitted_hazard(client, district, photo: str = "exexif_pp_editors_no_exif.jpg") -> str:
    """A hazard reported, acknowledged and rectified, every step sent with the phone's +08:00 time."""
    hazard_id = report(client, district["wang"], district.plant.id, reported_at=phone_time(30)).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={"client_time": phone_time(20)},
                       headers=district["li"]).status_code == 200
    photo_id = rectification_photo(client, district["li"], hazard_id, name=photo).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard_id}/rectification", headers=district["li"], json={
        "measures": "清理了出口", "photo_ids": [photo_id], "client_time": phone_time(10)}).status_code == 200
    return hazard_id


def closed_hazard(client, district, photo: str = "exexif_pp_editors_no_exif.jpg") -> str:
    """A hazard through to its approval by zhao (five events), every step sent with the phone's +08:00 time."""
    hazard_id = submitted_hazard(client, district, photo)
    assert client.post(f"{API}/hazards/{hazard_id}/review", headers=district["zhao"], json={
        "decision": "approve", "client_time": phone_time(1)}).status_code == 200
    return hazard_id


def broken_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("BROKEN:")]


# --- item 4: no false alarms --------------------------------------------------------------------------------


def test_steps_sent_with_a_plus_eight_phone_time_verify_clean(client, runner, district):
    """The contract's own time format (+08:00) in reported_at and every step's client_time is no tamper alarm."""
    closed_hazard(client, district)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 1 hazards, 5 events checked" in result.output


def old_event_hash(event, at, client_at) -> str:
    """inspections/audit.py's event_hash before keys, verbatim: SHA-256 over the instants as the code had them."""
    def iso(instant):
        return instant.isoformat(timespec="microseconds") if instant else None

    content = {
        "hazard_id": str(event.hazard_id), "seq": event.seq, "action": event.action, "from": event.from_status,
        "to": event.to_status, "actor_id": event.actor_id, "actor_role": event.actor_role, "at": iso(at),
        "client_at": iso(client_at), "comment": event.comment, "evidence_ids": list(event.evidence_ids or []),
        "details": event.details or {}, "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def rewrite_the_old_way(db_session, hazard_id: str) -> None:
    """Make a hazard's trail what the code before keys wrote: plain SHA-256 over the phone's time as sent (+08:00)
    and the server's UTC, marked format 1 as migration 0009 marks it, the head filled but unsealed."""
    hazard = db_session.get(Hazard, uuid.UUID(hazard_id))
    prev = "0" * 64
    for event in db_session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                    .order_by(HazardEvent.seq)):
        event.prev_hash = prev
        as_sent = event.client_at.astimezone(PLUS_EIGHT) if event.client_at else None
        event.hash = prev = old_event_hash(event, event.at, as_sent)
        event.format, event.key_id = 1, None
        assert as_sent is None or old_event_hash(event, event.at, event.client_at) != event.hash  # the old false alarm
    hazard.audit_head, hazard.audit_seal, hazard.audit_key_id = prev, None, None
    db_session.commit()


def test_a_trail_written_before_keys_still_verifies_without_being_rewritten(app, client, runner, district, db_session):
    hazard_id = closed_hazard(client, district)
    rewrite_the_old_way(db_session, hazard_id)
    stored = [tuple(e) for e in events_of(app, hazard_id)]

    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "(5 written before keys)" in result.output and "not sealed yet" in result.output

    sealed = checkpoint(runner)  # seals the head after checking the chain
    assert "1 trails written before keys sealed" in sealed.output
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "not sealed yet" not in result.output
    assert [tuple(e) for e in events_of(app, hazard_id)] == stored  # no event was rewritten

    # Still tamper-evident: a changed legacy event is a break.
    sql(app, "UPDATE hazard_events SET comment = '没问题' WHERE seq = 4")
    changed = verify(runner)
    assert changed.exit_code != 0
    assert "event #4 (submit by li at" in changed.output and "its content was changed" in changed.output


def test_a_trail_written_before_keys_takes_keyed_events_after_it(app, client, runner, district, db_session):
    hazard_id = bring_to(client, district, "submitted")[0]
    rewrite_the_old_way(db_session, hazard_id)
    assert client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"},
                       headers=district["wang"]).status_code == 200
    formats = [e.format for e in events_of(app, hazard_id)]
    assert formats == [1, 1, 1, 1, 2]
    assert verify(runner).exit_code == 0


# --- item 3: the attacks of the issue -------------------------------------------------------------------------


def test_an_untouched_district_verifies_clean_with_checkpoints(app, client, runner, district):
    closed_hazard(client, district, photo="drew_Photo_1.webp")
    for state in ("open", "acknowledged", "submitted", "void"):
        bring_to(client, district, state)
    major = bring_to(client, district, "acknowledged", severity="major")[0]
    assert client.put(f"{API}/hazards/{major}/plan", headers=district["li"], json={
        "objectives": "消除隐患", "measures": "更换设备", "funds": "自筹", "responsible": "厂长", "timeline": "一月内",
        "safety_measures": "设置警示"}).status_code == 200
    first = checkpoint(runner)
    assert "(full)" in first.output
    rejected = submitted_hazard(client, district, photo="drew_Apple_iPhone_4.jpg")
    assert client.post(f"{API}/hazards/{rejected}/review", json={"decision": "reject", "comment": "照片不清"},
                       headers=district["wang"]).status_code == 200
    second = checkpoint(runner)
    assert "(delta): 1 heads listed, 7 known" in second.output
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 7 hazards" in result.output and "against checkpoint audit/checkpoints/" in result.output


def test_an_event_edited_and_its_sha256_recomputed_is_caught(app, client, runner, district, db_session):
    hazard_id = closed_hazard(client, district)
    event = db_session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == uuid.UUID(hazard_id),
                                                        HazardEvent.seq == 5))
    event.comment = "复查合格"
    event.hash = old_event_hash(event, event.at, event.client_at)  # what the old `audit verify` recomputed
    db_session.commit()
    sql(app, "UPDATE hazards SET audit_head = :h", h=event.hash)
    result = verify(runner)
    assert result.exit_code != 0
    assert "event #5 (approve by zhao at" in result.output and "its content was changed after it was written" in result.output
    assert "its seal does not match" in result.output  # the head moved to the forged digest


def test_passing_the_whole_trail_off_as_written_before_keys_is_caught_after_a_checkpoint(app, client, runner, district,
                                                                                      db_session):
    hazard_id = closed_hazard(client, district)
    checkpoint(runner)
    sql(app, "UPDATE hazard_events SET comment = '复查合格' WHERE seq = 5")
    rewrite_the_old_way(db_session, hazard_id)  # recomputed in the unkeyed form, the seal removed
    result = verify(runner)
    assert result.exit_code != 0
    assert "has no seal, though every checkpoint seals the heads it records" in result.output
    assert "is not the event checkpoint" in result.output and "the trail was rewritten after it" in result.output


def test_deleting_the_approval_that_closed_a_hazard_is_named(app, client, runner, district):
    hazard_id = closed_hazard(client, district)
    sql(app, "DELETE FROM hazard_events WHERE seq = 5")
    result = verify(runner)
    assert result.exit_code != 0
    lines = broken_lines(result)
    label = f"hazard {hazard_id} (示范机械厂, 安全出口被货物堵塞): "
    assert f"BROKEN: {label}event #5 was deleted: its row's sealed record counts 5 events, 4 are stored" in lines
    assert f"BROKEN: {label}its status is 'closed' in its row, but its events say 'submitted' (the row was changed " \
           "without an event)" in lines
    assert any(line.startswith(f"BROKEN: {label}its closed_at is ") for line in lines)


def test_a_deleted_tail_with_the_row_set_back_is_named_by_the_checkpoint(app, client, runner, district):
    """The careful attacker: the approval deleted, and the row put back as it was before it, seal and all (saved
    beforehand). Nothing in the database disagrees any more; the checkpoint does."""
    hazard_id = bring_to(client, district, "submitted")[0]
    before = sql(app, "SELECT status, audit_count, audit_head, audit_seal, audit_key_id, version FROM hazards").one()
    assert client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"},
                       headers=district["zhao"]).status_code == 200
    checkpoint(runner)
    sql(app, "DELETE FROM hazard_events WHERE seq = 5")
    sql(app, "UPDATE hazards SET status = :status, closed_at = NULL, audit_count = :audit_count, audit_head = :audit_head, "
             "audit_seal = :audit_seal, audit_key_id = :audit_key_id, version = :version", **before._mapping)
    result = verify(runner)
    assert result.exit_code != 0
    (line,) = broken_lines(result)
    assert line.startswith(f"BROKEN: hazard {hazard_id} (示范机械厂, 安全出口被货物堵塞): event #5 (approve by zhao at ")
    assert "was deleted after checkpoint 20" in line


def test_a_hazard_deleted_with_its_whole_trail_is_named_by_the_checkpoint(app, client, runner, district):
    kept = closed_hazard(client, district)
    gone = submitted_hazard(client, district, photo="drew_Photo_1.webp")
    checkpoint(runner)
    for table in ("rectifications", "photos", "hazard_events"):
        sql(app, f"DELETE FROM {table} WHERE hazard_id = :h", h=uuid_param(app, gone))
    sql(app, "DELETE FROM hazards WHERE id = :h", h=uuid_param(app, gone))
    result = verify(runner)
    assert result.exit_code != 0
    (line,) = broken_lines(result)
    assert line.startswith(f"BROKEN: hazard {uuid.UUID(gone)} (示范机械厂, 安全出口被货物堵塞): was deleted with its whole "
                           "trail (4 events, the last: submit by li at ")
    assert "after checkpoint 20" in line and kept not in result.output
    # The next checkpoint keeps the recorded head, so the loss stays named.
    again = runner.invoke(args=["audit", "checkpoint"])
    assert again.exit_code != 0 and "its trail is gone from the database" in again.output
    assert verify(runner).exit_code != 0


@pytest.mark.parametrize("column, value, words", [
    ("status", "'closed'", "its status is 'closed' in its row, but its events say 'submitted'"),
    ("description", "'已整改'", "its description is '已整改' in its row, but its events say '安全出口被货物堵塞'"),
    ("deadline", "'2099-01-01'", "its deadline is '2099-01-01' in its row, but its events say '"),
    ("severity", "'major'", "its severity is 'major' in its row, but its events say 'general'"),
    ("category_code", "'fire'", "its category_code is 'fire' in its row, but its events say 'fire.exits'"),
    ("rejection_count", "3", "its rejection_count is 3 in its row, but its events say 0"),
])
def test_a_rewritten_hazard_row_is_named_field_by_field(app, client, runner, district, column, value, words):
    hazard_id = bring_to(client, district, "submitted")[0]
    extra = ", closed_at = updated_at" if column == "status" else ""
    sql(app, f"UPDATE hazards SET {column} = {value}{extra}")
    result = verify(runner)
    assert result.exit_code != 0
    assert any(line.startswith(f"BROKEN: hazard {hazard_id} (示范机械厂, ") and words in line
               for line in broken_lines(result)), result.output


# --- keys and checkpoints -------------------------------------------------------------------------------------


def app_with_keys(app, current: str, *previous: str):
    """A second app on the same database and bucket with other audit keys (the operator after a rotation)."""
    names = ("TESTING", "DATABASE_URL", "S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY_ID",
             "S3_SECRET_ACCESS_KEY", "S3_BUCKET", "SECRET_KEY", "RATELIMIT_STORAGE_URI")
    return create_app({**{name: app.config[name] for name in names}, "AUDIT_KEY": current, "AUDIT_OLD_KEYS": previous})


def test_the_audit_key_can_be_rotated(app, client, runner, district):
    old_key, new_key = app.config["AUDIT_KEY"], "a-new-audit-key-after-rotation-" + "n" * 16
    hazard_id = bring_to(client, district, "submitted")[0]
    checkpoint(runner)
    rotated = app_with_keys(app, new_key, old_key)
    try:
        assert rotated.test_client().post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"},
                                          headers=district["wang"]).status_code == 200
        assert [e.key_id for e in events_of(app, hazard_id)] == [key_id_of(old_key.encode())] * 4 + [
            key_id_of(new_key.encode())]
        assert rotated.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
        result = rotated.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
    finally:
        rotated.extensions["db_engine"].dispose()

    forgotten = app_with_keys(app, new_key)  # the old key dropped from AUDIT_OLD_KEYS
    try:
        result = forgotten.test_cli_runner().invoke(args=["audit", "verify"])
    finally:
        forgotten.extensions["db_engine"].dispose()
    assert result.exit_code != 0
    old_id = key_id_of(old_key.encode())
    assert f"was sealed with audit key {old_id}, which is not configured (add it to AUDIT_OLD_KEYS)" in result.output
    assert f"event #1 (reported by wang at" in result.output


def test_a_checkpoint_altered_or_removed_in_the_store_is_named(app, client, runner, district):
    store = app.extensions["object_store"]
    hazard_id = bring_to(client, district, "acknowledged")[0]
    checkpoint(runner)
    assert client.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "录入错误"},
                       headers=district["admin"]).status_code == 200
    checkpoint(runner)
    first, second = checkpoints.checkpoint_names(store)

    lines = gzip.decompress(store.read(second)).decode().splitlines()
    entry = json.loads(lines[1])
    entry[1] = 2  # as if the void had never been recorded
    lines[1] = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    store.put(second, io.BytesIO(gzip.compress(("\n".join(lines) + "\n").encode())), content_type="application/gzip")
    altered = verify(runner)
    assert altered.exit_code != 0
    assert f"BROKEN: checkpoint {second}: was altered: its digest does not match" in altered.output
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code != 0  # nothing is chained to a broken checkpoint

    store.delete(second)
    store.delete(first)
    checkpoint(runner)
    checkpoint(runner)
    store.delete(checkpoints.checkpoint_names(store)[0])  # the full one the delta builds on
    removed = verify(runner)
    assert removed.exit_code != 0
    assert "does not follow the checkpoint before it in the store (one was removed, replaced or added)" in removed.output
