"""The sign-in limits' settings are checked when the app starts: a typo stops it with a message, not a 500 later."""
import pytest

from api.config import from_env, parse_rate


@pytest.mark.parametrize("text, rate", [
    ("10 per 15 minutes", (10, 900)), ("30 per hour", (30, 3600)), ("60/minute", (60, 60)),
    ("5 per 2 Days", (5, 172800)), (" 1 per 1 second ", (1, 1)),
])
def test_a_rate_reads_as_hits_per_seconds(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["ten per hour", "10 per fortnight", "0 per hour", "3 per 0 minutes", "10"])
def test_a_rate_that_means_nothing_stops_the_start(text):
    with pytest.raises(SystemExit) as stop:
        from_env({"LOGIN_LIMIT_PER_USER": text})
    assert "LOGIN_LIMIT_PER_USER must read like '10 per 15 minutes'" in str(stop.value.code)


def test_the_counters_live_in_the_database_unless_redis_is_named():
    assert from_env({})["RATELIMIT_STORAGE_URI"] == "database"
    for uri in ("redis://127.0.0.1:6379", "rediss://cache.example.gov.cn:6380/2", "unix:///run/redis.sock"):
        assert from_env({"RATELIMIT_STORAGE_URI": uri})["RATELIMIT_STORAGE_URI"] == uri


def test_per_process_counters_are_refused_since_workers_would_count_apart():
    with pytest.raises(SystemExit) as stop:
        from_env({"RATELIMIT_STORAGE_URI": "memory://"})
    assert "every worker would count apart" in str(stop.value.code)
    with pytest.raises(SystemExit) as stop:
        from_env({"RATELIMIT_STORAGE_URI": "memcached://127.0.0.1:11211"})
    assert "RATELIMIT_STORAGE_URI must be 'database' or a Redis URL" in str(stop.value.code)
