"""Where the counts of failed sign-ins live: a table of the application's database, or Redis.

Both are shared by every worker and instance, so a failure counts once however many processes serve. Each count
runs in a fixed window: the first hit under a key starts it, and it ends ``window`` later, when the count starts
again from nothing. A mark is a count of one that lasts as long as it is told (an address known for a user).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from inspections.db import utcnow
from inspections.models import SignInCounter


@dataclass(frozen=True)
class Count:
    """How many hits a key has in its current window, and how long until the window ends."""

    hits: int
    seconds_left: float


class CountersUnavailable(Exception):
    """The store of the sign-in counters cannot be reached or is failing."""


class DatabaseCounters:
    """The counters in the ``sign_in_counters`` table, each change in a short transaction of its own."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow):
        self._sessions = sessions
        self._clock = clock

    def read(self, keys: Iterable[str]) -> dict[str, Count]:
        """The live counts of ``keys`` (keys with none, or whose window ended, are left out)."""
        now = self._clock()
        with self._sessions() as session:
            rows = session.execute(select(SignInCounter.key, SignInCounter.hits, SignInCounter.expires_at).where(
                SignInCounter.key.in_(list(keys)), SignInCounter.expires_at > now)).all()
        return {key: Count(hits, (expires_at - now).total_seconds()) for key, hits, expires_at in rows}

    def add(self, windows: dict[str, timedelta]) -> dict[str, Count]:
        """One more hit under each key, in one transaction; a key whose window ended starts again with this hit."""
        now = self._clock()
        table = SignInCounter.__table__
        counts = {}
        with self._sessions.begin() as session:
            for key, window in windows.items():
                insert = _insert_for(session)(table).values(key=key, hits=1, expires_at=now + window)
                ended = table.c.expires_at <= now
                statement = insert.on_conflict_do_update(index_elements=[table.c.key], set_={
                    "hits": case((ended, 1), else_=table.c.hits + 1),
                    "expires_at": case((ended, insert.excluded.expires_at), else_=table.c.expires_at),
                }).returning(table.c.hits, table.c.expires_at)
                hits, expires_at = session.execute(statement).one()
                counts[key] = Count(hits, (expires_at - now).total_seconds())
            if any(count.hits == 1 for count in counts.values()):
                # A window began: forget those that ended, so that the table holds only live counts.
                session.execute(delete(SignInCounter).where(SignInCounter.expires_at <= now))
        return counts

    def mark(self, key: str, lasting: timedelta) -> None:
        """A count of one under ``key`` for ``lasting`` from now, whatever was there."""
        now = self._clock()
        table = SignInCounter.__table__
        with self._sessions.begin() as session:
            insert = _insert_for(session)(table).values(key=key, hits=1, expires_at=now + lasting)
            session.execute(insert.on_conflict_do_update(index_elements=[table.c.key], set_={
                "hits": 1, "expires_at": insert.excluded.expires_at}))

    def clear(self, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SignInCounter).where(SignInCounter.key == key))

    def ping(self) -> None:
        """Raise if the counters cannot be read."""
        self.read(["ping"])


def _insert_for(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class RedisCounters:
    """The counters in Redis under ``prefix``; any failure to reach it is ``CountersUnavailable``."""

    def __init__(self, url: str, prefix: str, *, timeout_seconds: float = 2.0):
        self.prefix = prefix
        # Short timeouts: a sign-in waiting on a Redis that is gone should be a prompt 503, not a hung worker.
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=timeout_seconds,
                                           socket_timeout=timeout_seconds, decode_responses=True)

    def read(self, keys: Iterable[str]) -> dict[str, Count]:
        keys = list(keys)
        with _failures_as_unavailable():
            pipe = self._redis.pipeline(transaction=False)
            for key in keys:
                pipe.get(self.prefix + key)
                pipe.pttl(self.prefix + key)
            answers = pipe.execute()
        counts = {}
        for key, hits, ttl_ms in zip(keys, answers[0::2], answers[1::2]):
            if hits is not None and int(hits) > 0 and ttl_ms > 0:
                counts[key] = Count(int(hits), ttl_ms / 1000)
        return counts

    def add(self, windows: dict[str, timedelta]) -> dict[str, Count]:
        keys = list(windows)
        with _failures_as_unavailable():
            # One transaction, and the expiry set with a key's first hit: no key can outlive its window.
            pipe = self._redis.pipeline(transaction=True)
            for key in keys:
                pipe.set(self.prefix + key, 0, px=_milliseconds(windows[key]), nx=True)
                pipe.incr(self.prefix + key)
                pipe.pttl(self.prefix + key)
            answers = pipe.execute()
        return {key: Count(int(hits), max(ttl_ms, 0) / 1000)
                for key, hits, ttl_ms in zip(keys, answers[1::3], answers[2::3])}

    def mark(self, key: str, lasting: timedelta) -> None:
        with _failures_as_unavailable():
            self._redis.set(self.prefix + key, 1, px=_milliseconds(lasting))

    def clear(self, key: str) -> None:
        with _failures_as_unavailable():
            self._redis.delete(self.prefix + key)

    def ping(self) -> None:
        with _failures_as_unavailable():
            self._redis.ping()



@contextmanager
def _failures_as_unavailable():
    """Every Redis failure (refused, timed out, a read-only replica, a wrong password) as CountersUnavailable."""
    try:
        yield
    except redis.RedisError as error:
        raise CountersUnavailable(f"Redis: {type(error).__name__}: {error}") from error


def _milliseconds(span: timedelta) -> int:
    return max(int(span.total_seconds() * 1000), 1)
