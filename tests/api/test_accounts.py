"""Signing in, refreshing and /me, as the phone app does it."""
import json

import jwt
import pytest

from api.schemas import SURROGATE_MESSAGE
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


def test_login_is_rate_limited_per_username(client, app, officer):
    limit = int(app.config["LOGIN_LIMIT_PER_USER"].split()[0])
    for _ in range(limit):
        assert client.post("/api/v1/auth/token", json={"username": "li", "password": "wrong password"}).status_code == 401
    blocked = client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.headers.get("Retry-After")
    assert blocked.get_json()["code"] == 429
    # Another user from the same address is not locked out by li's failures.
    make_user_ok = client.post("/api/v1/auth/token", json={"username": "someone", "password": "x"})
    assert make_user_ok.status_code == 401


def test_successful_logins_do_not_count_against_the_username(client, app, officer):
    limit = int(app.config["LOGIN_LIMIT_PER_USER"].split()[0])
    for _ in range(limit + 2):
        assert client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD}).status_code == 200


def test_login_is_rate_limited_per_address(client, app):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    for i in range(limit):
        client.post("/api/v1/auth/token", json={"username": f"user{i}", "password": "wrong password"})
    assert client.post("/api/v1/auth/token", json={"username": "fresh", "password": "x"}).status_code == 429


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
