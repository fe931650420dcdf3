"""Signing in, refreshing and /me, as the phone app does it."""
import json

import jwt
import pytest

from api.schemas import SURROGATE_MESSAGE
from inspections import accounts
from tests.factories import PASSWORD, field_errors, login, make_area, make_enterprise, make_user


@pytest.fixture
def officer(db_session):
    enterprise = make_enterprise(db_session, name="示范机械厂")
    return make_user(db_session, "li", "enterprise_officer", enterprise_id=enterprise.id, display_name="李")


def test_officer_signs_in_and_me_shows_role_and_enterprise(client, officer):
    headers = login(client, "li")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    body = me.get_json()
    assert body["role"] == "enterprise_officer"
    assert body["enterprise_id"] == officer.enterprise_id
    assert body["enterprise_name"] == "示范机械厂"
    assert body["username"] == "li"


def test_token_response_has_the_contract_fields(client, officer):
    body = client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD}).get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 30 * 60
    assert body["access_token"] and body["refresh_token"]


def test_wrong_password_and_unknown_user_get_the_same_401(client, officer):
    wrong = client.post("/api/v1/auth/token", json={"username": "li", "password": "nope nope nope"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_deactivated_user_cannot_sign_in_and_their_token_stops_working(client, db_session, officer):
    headers = login(client, "li")
    make_area(db_session)
    make_user(db_session, "root", "admin")
    admin = login(client, "root")
    assert client.patch(f"/api/v1/users/{officer.id}", json={"active": False}, headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD}).status_code == 401


def test_me_without_token_or_with_a_forged_token_is_401(client, officer):
    assert client.get("/api/v1/me").status_code == 401
    forged = jwt.encode({"sub": str(officer.id), "typ": "access", "exp": 4102444800}, "another key that is long enough for hs256", algorithm="HS256")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_expired_access_token_is_401(client, app, officer):
    expired = jwt.encode(
        {"sub": str(officer.id), "typ": "access", "exp": 1_000_000_000}, app.config["SECRET_KEY"], algorithm="HS256"
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_refresh_rotates_and_tolerates_a_retry(client, officer):
    first = client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD}).get_json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}).status_code == 200

    # A retry within the grace period (the answer was lost on a weak network) still works.
    retry = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert retry.status_code == 200


def test_an_old_refresh_token_used_again_revokes_the_whole_family(client, app, officer, monkeypatch):
    monkeypatch.setitem(app.config, "REFRESH_REUSE_GRACE_SECONDS", 0)
    first = client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD}).get_json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    # The first token shows up again after the grace period: someone copied it.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    # So the legitimate device's newer token is dead too, and the user must sign in again.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401


def test_unknown_refresh_token_is_401(client):
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401


def _sign_in(client, username, password, address="127.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _limit(app, name) -> int:
    return int(app.config[name].split()[0])


def test_failures_for_one_username_from_one_address_are_limited(client, app, officer):
    for _ in range(_limit(app, "LOGIN_LIMIT_PER_USER_ADDRESS")):
        assert _sign_in(client, "li", "wrong password").status_code == 401
    blocked = _sign_in(client, "li", PASSWORD)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.get_json()["code"] == 429
    assert "Too many failed sign-ins as li from your address" in blocked.get_json()["message"]
    # Another user from the same address is not locked out by li's failures.
    assert _sign_in(client, "someone", "x").status_code == 401


def test_a_strangers_failures_from_elsewhere_do_not_lock_the_owner_out(client, officer):
    answers = [_sign_in(client, "li", f"guess {n}", address="203.0.113.9").status_code for n in range(20)]
    assert answers == [401] * 10 + [429] * 10
    # The owner, at their own address, signs in at once.
    assert _sign_in(client, "li", PASSWORD, address="198.51.100.20").status_code == 200


def test_guesses_spread_over_many_addresses_are_limited_except_where_the_owner_signs_in(client, app, officer):
    assert _sign_in(client, "li", PASSWORD, address="198.51.100.20").status_code == 200  # the owner's usual address
    per_address = _limit(app, "LOGIN_LIMIT_PER_USER_ADDRESS")
    for n in range(_limit(app, "LOGIN_LIMIT_PER_USER")):
        assert _sign_in(client, "li", f"guess {n}", address=f"203.0.113.{n // per_address}").status_code == 401
    # A fresh address may not try li's password any more for a while...
    fresh = _sign_in(client, "li", "guess from a fresh address", address="192.0.2.77")
    assert fresh.status_code == 429
    assert 15 * 60 < int(fresh.headers["Retry-After"]) <= 60 * 60
    assert "from many addresses" in fresh.get_json()["message"]
    assert _sign_in(client, "li", PASSWORD, address="192.0.2.77").status_code == 429
    # ...but the owner, where they signed in before, goes on at once; and other usernames are untouched.
    assert _sign_in(client, "li", PASSWORD, address="198.51.100.20").status_code == 200
    assert _sign_in(client, "someone", "x", address="192.0.2.77").status_code == 401


def test_successful_logins_do_not_count_against_the_username(client, app, officer):
    for _ in range(_limit(app, "LOGIN_LIMIT_PER_USER_ADDRESS") + 2):
        assert _sign_in(client, "li", PASSWORD).status_code == 200


def test_a_successful_sign_in_forgets_that_addresses_failures(client, app, officer):
    limit = _limit(app, "LOGIN_LIMIT_PER_USER_ADDRESS")
    for _ in range(limit - 1):
        assert _sign_in(client, "li", "typo password").status_code == 401
    assert _sign_in(client, "li", PASSWORD).status_code == 200
    for _ in range(limit):
        assert _sign_in(client, "li", "typo password").status_code == 401
    assert _sign_in(client, "li", PASSWORD).status_code == 429


def test_login_is_rate_limited_per_address(client, app, monkeypatch):
    # Unknown usernames are checked against a dummy hash made at production cost; the same path at the tests' cost.
    monkeypatch.setattr("inspections.accounts._DUMMY_HASH", accounts._hasher.hash("not a password"))
    limit = _limit(app, "LOGIN_LIMIT_PER_ADDRESS")
    for i in range(limit):
        client.post("/api/v1/auth/token", json={"username": f"user{i}", "password": "wrong password"})
    assert client.post("/api/v1/auth/token", json={"username": "fresh", "password": "x"}).status_code == 429


def test_the_limit_holds_across_two_workers_sharing_one_database(client, make_app, officer, app):
    # ./scripts/run serves with two gunicorn workers: two app objects, one database.
    other_worker = make_app().test_client()
    limit = _limit(app, "LOGIN_LIMIT_PER_USER_ADDRESS")
    for n in range(limit):
        worker = client if n % 2 else other_worker
        assert _sign_in(worker, "li", "wrong password").status_code == 401
    assert _sign_in(client, "li", PASSWORD).status_code == 429
    assert _sign_in(other_worker, "li", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "body, status",
    [
        ('{"username": "li", "password": ', 400),  # malformed JSON
        ({"username": "li"}, 422),
        ({"username": 5, "password": PASSWORD}, 422),
        ({"username": "li", "password": PASSWORD, "remember": True}, 422),
    ],
)
def test_bad_sign_in_bodies_get_field_errors(client, officer, body, status):
    if isinstance(body, str):
        response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    else:
        response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == status
    assert response.get_json()["code"] == status


def test_sign_in_with_text_no_database_can_store_gets_a_field_error(client, officer):
    # JSON may write a lone UTF-16 surrogate; it cannot be encoded as UTF-8 to look the user up.
    body = json.dumps({"username": "li\ud800", "password": PASSWORD})
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 422
    assert field_errors(response) == {"username": [SURROGATE_MESSAGE]}


@pytest.mark.parametrize("levels", [600, 100_000])  # walked too deep afterwards; too deep for the decoder
def test_sign_in_body_nested_deeper_than_any_request_needs_is_a_bad_request(client, officer, levels):
    # The rate limiter reads the username from the body before the view does: both must take it as malformed.
    deep = '{"password": "x", "username": ' + "[" * levels + '"li"' + "]" * levels + "}"
    response = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}
