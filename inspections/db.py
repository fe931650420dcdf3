"""Database plumbing: the declarative base, column types and the engine/session factory.

A leaf module: it imports only SQLAlchemy and the range of instants (``media.instants``), so models, services
and migrations can all use it.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, create_engine, event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from media.instants import instant_in_range

# Stable constraint names: Alembic can then compare and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class InstantOutOfRange(ValueError):
    """An instant outside the range the service records (``media.instants``) was given to a UTCDateTime column;
    the API refuses such input before (``api.schemas.Instant``)."""


class UTCDateTime(TypeDecorator):
    """An instant, stored as naive UTC and always returned timezone-aware.

    SQLite has no time zones; storing UTC everywhere keeps comparisons and ordering identical on
    SQLite and PostgreSQL, and refusing naive values stops a local time being taken for UTC.
    Values outside the years 1900 to 2999 UTC are refused too (InstantOutOfRange).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        if not instant_in_range(value):
            raise InstantOutOfRange(f"{value.isoformat()} lies outside the years 1900 to 2999 UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def normalize_url(url: str) -> str:
    """Let operators write plain ``postgresql://`` URLs: we ship psycopg 3, not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings every backend needs here."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection, _record):
    # Foreign keys are off by default in SQLite; WAL lets readers work while one writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def ping(session: Session) -> None:
    """Raise if the database does not answer."""
    session.execute(text("SELECT 1"))


def count_rows(session: Session, query) -> int:
    """How many rows ``query`` (a select) would return."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def make_session_factory(engine: Engine, info: dict | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``info`` is given to each (the audit key ring, see ``inspections.audit.keys``)."""
    # expire_on_commit=False: views serialise what a service returned after it committed.
    return sessionmaker(bind=engine, expire_on_commit=False, info=info or {})
