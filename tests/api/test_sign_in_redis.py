"""RATELIMIT_STORAGE_URI=redis://…: the sign-in counters in the machine's real Redis, shared by every instance;
and with Redis down, 503 with Retry-After (never 500), and /readyz naming it."""
import redis

from tests.conftest import TEST_REDIS_URL
from tests.factories import PASSWORD, make_enterprise, make_user


def _officer(db_session):
    make_user(db_session, "li", "enterprise_officer", enterprise_id=make_enterprise(db_session).id)


def _sign_in(client, password):
    return client.post("/api/v1/auth/token", json={"username": "li", "password": password})


def test_two_instances_on_redis_count_each_failure_once(make_app, db_session, redis_prefix):
    _officer(db_session)
    first, second = (make_app(RATELIMIT_STORAGE_URI=TEST_REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix).test_client()
                     for _ in range(2))
    for n in range(10):
        assert _sign_in(first if n % 2 else second, "wrong password").status_code == 401
    assert _sign_in(first, PASSWORD).status_code == 429
    assert _sign_in(second, PASSWORD).status_code == 429
    # The counts are in Redis under the prefix (none in the database), each with its window's expiry.
    client = redis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    keys = {key.removeprefix(redis_prefix): int(client.get(key)) for key in client.scan_iter(redis_prefix + "*")}
    assert keys == {"fail:user-address:li:127.0.0.1": 10, "fail:address:127.0.0.1": 10, "fail:user:li": 10}
    assert all(0 < client.pttl(redis_prefix + key) <= 3600 * 1000 for key in keys)


def test_the_owner_signs_in_through_redis_and_their_address_is_known(make_app, db_session, redis_prefix):
    _officer(db_session)
    client = make_app(RATELIMIT_STORAGE_URI=TEST_REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix).test_client()
    assert _sign_in(client, PASSWORD).status_code == 200
    assert redis.Redis.from_url(TEST_REDIS_URL).exists(redis_prefix + "known:li:127.0.0.1")
    assert client.get("/readyz").get_json()["checks"]["rate_limit_storage"] == "ok"


def test_with_redis_down_sign_in_answers_503_with_retry_after(make_app, db_session, closed_port):
    _officer(db_session)
    client = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0").test_client()
    for password in (PASSWORD, "wrong password"):
        response = _sign_in(client, password)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert response.get_json()["code"] == 503
        assert "sign-in rate-limit store is not reachable" in response.get_json()["message"]


def test_with_redis_down_readyz_names_it(make_app, closed_port):
    client = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0").test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok" and checks["object_store"] == "ok"
    assert checks["rate_limit_storage"].startswith("unavailable")
    assert "rate_limit_storage" in response.get_json()["message"]
