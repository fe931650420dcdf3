"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
built by running the migrations, and a real SeaweedFS (``tests/s3_fixtures.py``).

Each backend's schema is built once per session; every test starts from empty tables, so tests may use
several connections at once (races) and still not see each other's rows.
"""
from __future__ import annotations

import os
import secrets
import uuid

import pytest
from sqlalchemy import text

from api import create_app
from inspections import schema
from inspections.db import Base, make_engine, normalize_url

pytest_plugins = ["tests.s3_fixtures"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The machine's real Redis, shared with other users: each test keeps to a key prefix of its own.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_AUDIT_KEY = "test-audit-key-" + "k" * 32


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A freshly migrated, empty database of each backend, dropped at the end of the session."""
    yield from fresh_database(request.param, tmp_path_factory.mktemp("db"))


def fresh_database(backend: str, directory):
    """A freshly migrated database of ``backend`` ("sqlite", in ``directory``, or "postgresql"), dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'test.db'}"
        schema.upgrade(url)
        yield url
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL half: set TEST_DATABASE_URL (as .ci/run does)")
    yield from _postgres_database()


def _postgres_database():
    admin = make_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"hazards_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalize_url(TEST_DATABASE_URL)
    url = url.rsplit("/", 1)[0] + "/" + name
    try:
        schema.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _session_app(database_url, seaweedfs):
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    settings = {
        "TESTING": True,
        # Production mode, as operators run it: the suite holds real keys, never the published defaults.
        "HAZARDS_ENV": "production",
        "DATABASE_URL": database_url,
        "S3_ENDPOINT_URL": seaweedfs.endpoint_url,
        "S3_PUBLIC_ENDPOINT_URL": seaweedfs.endpoint_url,
        "S3_ACCESS_KEY_ID": seaweedfs.access_key,
        "S3_SECRET_ACCESS_KEY": seaweedfs.secret_key,
        "S3_BUCKET": bucket,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "AUDIT_KEY": TEST_AUDIT_KEY,
        "RATELIMIT_STORAGE_URI": "database",
    }
    app = create_app(settings)
    app.extensions["test_settings"] = settings
    app.extensions["object_store"].ensure_bucket()
    # Seeded reference rows (the hazard taxonomy) are put back after each test empties the tables.
    with app.extensions["db_engine"].connect() as connection:
        app.extensions["test_seed"] = {
            table: [dict(row._mapping) for row in connection.execute(table.select())]
            for table in Base.metadata.sorted_tables if table.name in SEEDED_TABLES
        }
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(_session_app):
    """The app on one backend, with empty tables (so fresh sign-in counters) for this test."""
    yield _session_app
    _empty_tables(_session_app.extensions["db_engine"], _session_app.extensions["test_seed"])


SEEDED_TABLES = {"categories"}


def _empty_tables(engine, seed: dict) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        for table, rows in seed.items():
            # Parents first: second-level categories refer to top-level ones.
            ordered = sorted(rows, key=lambda row: row.get("parent_code") is not None)
            connection.execute(table.insert(), ordered)


@pytest.fixture
def make_app(app):
    """More app objects on the test's database, store and keys, as more gunicorn workers or instances would be;
    ``make_app(RATELIMIT_STORAGE_URI=...)`` changes a setting."""
    made = []

    def make(**settings):
        made.append(create_app({**app.extensions["test_settings"], **settings}))
        return made[-1]

    yield make
    for other in made:
        other.extensions["db_engine"].dispose()


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the real Redis at ``TEST_REDIS_URL``; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need the real Redis at {TEST_REDIS_URL} (set TEST_REDIS_URL): {error}",
                    pytrace=False)
    prefix = f"hazards-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (a service that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """A session of its own on the app's database, for setting up and checking rows directly.

    It is deliberately not the request's session: requests must not see objects cached by the test.
    """
    session = app.extensions["db_sessions"]()
    yield session
    session.close()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Argon2 at its production cost takes ~50 ms a hash; tests make hundreds of users. The algorithm and
    the code path are the same, only the work factor is lower."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("inspections.accounts._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class FixedClock:
    """The request clock of the app, set to a chosen instant (deadlines, overdue, sweeps)."""

    def __init__(self, instant):
        self.instant = instant

    def __call__(self):
        return self.instant

    def set(self, instant):
        self.instant = instant


@pytest.fixture
def clock(app):
    """Freeze the app's clock (default: Monday 2026-09-28 10:00 in Shanghai, before National Day)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from api.clock import system_clock

    fixed = FixedClock(datetime(2026, 9, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    app.extensions["clock"] = fixed
    yield fixed
    app.extensions["clock"] = system_clock
