"""Migration 0009 on a database whose trail the code before keys wrote: its events keep verifying, unrewritten."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from api import create_app
from inspections import schema
from tests.api.test_audit_trail import PLUS_EIGHT, old_event_hash
from tests.conftest import TEST_AUDIT_KEY
from tests.factories import login, make_area, make_enterprise, make_user


def test_a_trail_written_before_the_upgrade_verifies_after_it(fresh_database_url, seaweedfs):
    fresh_url = fresh_database_url
    app = create_app({
        "TESTING": True, "DATABASE_URL": fresh_url, "S3_ENDPOINT_URL": seaweedfs.endpoint_url,
        "S3_PUBLIC_ENDPOINT_URL": seaweedfs.endpoint_url, "S3_ACCESS_KEY_ID": seaweedfs.access_key,
        "S3_SECRET_ACCESS_KEY": seaweedfs.secret_key, "S3_BUCKET": f"test-{uuid.uuid4().hex[:12]}",
        "SECRET_KEY": "test-secret-key-long-enough-for-hs256-signing", "AUDIT_KEY": TEST_AUDIT_KEY,
    })
    app.extensions["object_store"].ensure_bucket()
    engine = app.extensions["db_engine"]
    try:
        session = app.extensions["db_sessions"]()
        make_area(session)
        plant = make_enterprise(session, name="示范机械厂", area_code="D1")
        make_user(session, "wang", "inspector", area_code="D1")
        make_user(session, "li", "enterprise_officer", enterprise_id=plant.id)
        session.close()
        client = app.test_client()
        found = (datetime.now(PLUS_EIGHT) - timedelta(minutes=30)).replace(microsecond=0)
        hazard = client.post("/api/v1/hazards", headers=login(client, "wang"), json={
            "enterprise_id": plant.id, "category": "fire.exits", "severity": "general",
            "description": "安全出口被货物堵塞", "reported_at": found.isoformat()}).get_json()
        assert client.post(f"/api/v1/hazards/{hazard['id']}/acknowledge", headers=login(client, "li"),
                           json={"client_time": (found + timedelta(minutes=5)).isoformat()}).status_code == 200

        # The database as the code before keys left it: schema 0007, each event's plain SHA-256 computed over
        # the phone's time as sent (+08:00).
        engine.dispose()
        schema.downgrade(fresh_url, "0007")
        with engine.begin() as connection:
            rows = connection.execute(text("SELECT * FROM hazard_events ORDER BY seq")).all()
            prev = "0" * 64
            for row in rows:
                event = _Event(row, prev)
                digest = old_event_hash(event, event.at, event.client_at.astimezone(PLUS_EIGHT) if event.client_at else None)
                connection.execute(text("UPDATE hazard_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                                   {"p": prev, "h": digest, "i": row.id})
                prev = digest
            before = connection.execute(text("SELECT id, seq, hash, prev_hash, at, client_at, details "
                                             "FROM hazard_events ORDER BY seq")).all()
        engine.dispose()
        schema.upgrade(fresh_url)

        with engine.connect() as connection:
            assert connection.execute(text("SELECT format, key_id FROM hazard_events")).all() == [(1, None), (1, None)]
            assert connection.execute(text("SELECT audit_count, audit_head, audit_seal FROM hazards")).one() == (2, prev, None)
            after = connection.execute(text("SELECT id, seq, hash, prev_hash, at, client_at, details "
                                            "FROM hazard_events ORDER BY seq")).all()
        assert after == before  # nothing rewritten
        runner = app.test_cli_runner()
        verified = runner.invoke(args=["audit", "verify"])
        assert verified.exit_code == 0, verified.output
        assert "1 hazards, 2 events checked (2 written before keys)" in verified.output
        sealed = runner.invoke(args=["audit", "checkpoint"])
        assert sealed.exit_code == 0 and "1 trails written before keys sealed" in sealed.output
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    finally:
        store = app.extensions["object_store"]
        for info in list(store.iter_objects("audit/")):
            store.delete(info.key)
        engine.dispose()


class _Event:
    """A hazard_events row read back with SQL, as the old hash read the event (aware UTC instants, parsed JSON)."""

    def __init__(self, row, prev_hash: str):
        import json

        mapping = dict(row._mapping)
        for name in ("at", "client_at"):
            value = mapping[name]
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            mapping[name] = value.replace(tzinfo=timezone.utc) if value is not None else None
        for name in ("evidence_ids", "details"):
            if isinstance(mapping[name], str):
                mapping[name] = json.loads(mapping[name])
        mapping["hazard_id"] = uuid.UUID(str(mapping["hazard_id"]))
        mapping["prev_hash"] = prev_hash
        self.__dict__.update(mapping)
