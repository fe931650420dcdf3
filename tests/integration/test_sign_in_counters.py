"""The stores of the sign-in counters, each against the real thing: the application's database (both backends)
and the machine's Redis. Both must behave alike, since RATELIMIT_STORAGE_URI chooses between them."""
from datetime import datetime, timedelta, timezone
import time

import pytest
import redis
from sqlalchemy import func, select

from inspections.models import SignInCounter
from inspections.sign_in_counters import CountersUnavailable, DatabaseCounters, RedisCounters
from tests.conftest import TEST_REDIS_URL

WINDOW = timedelta(minutes=15)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 9, 28, 2, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def _database(app):
    """The database's counters, with a clock of their own: (counters, let_time_pass, window)."""
    clock = Clock()

    def let_pass(span: timedelta):
        clock.now += span
    return DatabaseCounters(app.extensions["db_sessions"], clock=clock), let_pass, WINDOW


def _redis(prefix):
    """Redis's counters: Redis keeps real time, so a short window, waited out."""
    return RedisCounters(TEST_REDIS_URL, prefix), lambda span: time.sleep(span.total_seconds()), \
        timedelta(milliseconds=400)


def _hits_count_up_within_a_window_and_start_again_after_it(counters, let_pass, window):
    assert counters.read(["a"]) == {}
    assert counters.add({"a": window})["a"].hits == 1
    counts = counters.add({"a": window, "b": window})
    assert (counts["a"].hits, counts["b"].hits) == (2, 1)
    assert 0 < counts["a"].seconds_left <= window.total_seconds()
    assert {key: count.hits for key, count in counters.read(["a", "b", "c"]).items()} == {"a": 2, "b": 1}
    let_pass(window * 1.5)
    assert counters.read(["a", "b"]) == {}
    assert counters.add({"a": window})["a"].hits == 1


def _a_mark_lasts_as_long_as_asked_and_clear_forgets_a_key(counters, let_pass, window):
    counters.mark("known", window * 2)
    counters.mark("known", window * 2)  # marking again does not count up
    assert counters.read(["known"])["known"].hits == 1
    let_pass(window * 1.5)
    assert "known" in counters.read(["known"])
    counters.add({"x": window})
    counters.clear("x")
    counters.clear("never there")
    assert counters.read(["x"]) == {}
    counters.ping()


def test_database_hits_count_up_within_a_window_and_start_again_after_it(app):
    _hits_count_up_within_a_window_and_start_again_after_it(*_database(app))


def test_redis_hits_count_up_within_a_window_and_start_again_after_it(redis_prefix):
    _hits_count_up_within_a_window_and_start_again_after_it(*_redis(redis_prefix))


def test_database_mark_lasts_as_long_as_asked_and_clear_forgets_a_key(app):
    _a_mark_lasts_as_long_as_asked_and_clear_forgets_a_key(*_database(app))


def test_redis_mark_lasts_as_long_as_asked_and_clear_forgets_a_key(redis_prefix):
    _a_mark_lasts_as_long_as_asked_and_clear_forgets_a_key(*_redis(redis_prefix))


def test_the_table_keeps_only_live_counts(app, db_session):
    clock = Clock()
    counters = DatabaseCounters(app.extensions["db_sessions"], clock=clock)
    counters.add({f"old{n}": WINDOW for n in range(5)})
    clock.now += WINDOW * 2
    counters.add({"new": WINDOW})
    assert db_session.scalar(select(func.count()).select_from(SignInCounter)) == 1


def test_no_redis_key_outlives_its_window(redis_prefix):
    counters = RedisCounters(TEST_REDIS_URL, redis_prefix)
    counters.add({"a": WINDOW, "b": timedelta(hours=1)})
    counters.add({"a": WINDOW})
    counters.mark("known", timedelta(days=30))
    client = redis.Redis.from_url(TEST_REDIS_URL)
    ttls = {key.decode().removeprefix(redis_prefix): client.pttl(key) for key in client.scan_iter(redis_prefix + "*")}
    assert sorted(ttls) == ["a", "b", "known"]
    assert 0 < ttls["a"] <= WINDOW.total_seconds() * 1000
    assert WINDOW.total_seconds() * 1000 < ttls["b"] <= 3600 * 1000
    assert ttls["known"] > 29 * 86400 * 1000


def test_a_redis_that_is_down_is_said_so_at_once(closed_port):
    counters = RedisCounters(f"redis://127.0.0.1:{closed_port}/0", "x:")
    for call in (counters.ping, lambda: counters.read(["a"]), lambda: counters.add({"a": WINDOW}),
                 lambda: counters.mark("a", WINDOW), lambda: counters.clear("a")):
        with pytest.raises(CountersUnavailable, match="Redis: ConnectionError"):
            call()
