"""Passwords and sessions: a password change signs out every access token at once, and passwords that are
common, built from the user's own name or too weak are refused wherever one is set, saying why."""
import jwt
import pytest

from tests.factories import PASSWORD, field_errors, login, make_area, make_enterprise, make_user

API = "/api/v1"
STRONG = "bamboo lantern river seven"
ADVICE = "Three or four words that have nothing to do with you"


@pytest.fixture
def officer(db_session):
    return make_user(db_session, "li", "enterprise_officer", enterprise_id=make_enterprise(db_session).id,
                     display_name="李娜")


@pytest.fixture
def admin(client, db_session):
    make_area(db_session)
    make_user(db_session, "root", "admin")
    return login(client, "root")


def _pair(client, username="li", password=PASSWORD, address="127.0.0.1"):
    response = client.post(f"{API}/auth/token", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _bearer(pair) -> dict:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _me(client, pair):
    return client.get(f"{API}/me", headers=_bearer(pair))


def _refresh(client, pair):
    return client.post(f"{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]})


def _change_own(client, pair, current, new, address="127.0.0.1"):
    return client.post(f"{API}/me/password", json={"current_password": current, "new_password": new},
                       headers=_bearer(pair), environ_base={"REMOTE_ADDR": address})


def test_an_admins_password_change_signs_out_every_access_token_at_once(client, admin, officer):
    phone, tablet = _pair(client), _pair(client)
    assert _me(client, phone).status_code == _me(client, tablet).status_code == 200
    assert client.patch(f"{API}/users/{officer.id}", json={"password": STRONG}, headers=admin).status_code == 200
    for device in (phone, tablet):
        signed_out = _me(client, device)
        assert signed_out.status_code == 401
        assert "password was changed" in signed_out.get_json()["message"]
        assert _refresh(client, device).status_code == 401
    assert _me(client, _pair(client, password=STRONG)).status_code == 200
    assert client.post(f"{API}/auth/token", json={"username": "li", "password": PASSWORD}).status_code == 401
    assert client.get(f"{API}/me", headers=admin).status_code == 200  # the admin's own session is untouched


def test_changing_your_own_password_signs_out_the_other_devices_and_keeps_this_one(client, officer):
    phone, tablet = _pair(client), _pair(client)
    changed = _change_own(client, tablet, PASSWORD, STRONG)
    assert changed.status_code == 200, changed.get_json()
    fresh = changed.get_json()
    assert fresh["token_type"] == "Bearer" and fresh["refresh_token"]
    assert _me(client, fresh).status_code == 200
    assert _refresh(client, fresh).status_code == 200
    for old in (phone, tablet):
        assert _me(client, old).status_code == 401
        assert _refresh(client, old).status_code == 401
    assert _me(client, _pair(client, password=STRONG)).status_code == 200
    assert client.post(f"{API}/auth/token", json={"username": "li", "password": PASSWORD}).status_code == 401


def test_a_wrong_current_password_is_refused_and_counts_against_the_sign_in_limits(client, app, officer):
    phone = _pair(client)
    wrong = _change_own(client, phone, "not my password", STRONG)
    assert wrong.status_code == 422
    assert field_errors(wrong) == {"current_password": ["This is not your current password."]}
    # A stolen access token does not let anyone guess the password behind it.
    limit = int(app.config["LOGIN_LIMIT_PER_USER_ADDRESS"].split()[0])
    for n in range(limit - 1):
        assert _change_own(client, phone, f"guess {n}", STRONG).status_code == 422
    blocked = _change_own(client, phone, PASSWORD, STRONG)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Nothing changed: the old password still signs in (elsewhere), the token still works.
    assert _me(client, _pair(client, address="198.51.100.20")).status_code == 200
    assert _me(client, phone).status_code == 200


def test_a_new_password_like_the_old_or_weak_is_refused_and_nothing_changes(client, officer):
    phone = _pair(client)
    same = _change_own(client, phone, PASSWORD, PASSWORD)
    assert same.status_code == 422 and "new_password" in field_errors(same)
    weak = _change_own(client, phone, PASSWORD, "woaini1314")
    assert weak.status_code == 422
    assert "many people use" in field_errors(weak)["new_password"][0]
    assert _me(client, phone).status_code == 200 and _refresh(client, phone).status_code == 200


def test_a_token_issued_before_versions_were_carried_still_works_until_a_change(client, app, admin, officer):
    pair = _pair(client)
    claims = jwt.decode(pair["access_token"], app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["ver"] == 0
    del claims["ver"]
    old_style = {"Authorization": f"Bearer {jwt.encode(claims, app.config['SECRET_KEY'], algorithm='HS256')}"}
    assert client.get(f"{API}/me", headers=old_style).status_code == 200
    client.patch(f"{API}/users/{officer.id}", json={"password": STRONG}, headers=admin)
    assert client.get(f"{API}/me", headers=old_style).status_code == 401


# What Chinese users pick (zxcvbn alone lets most of the pinyin ones through), and the user's own name.
WEAK = [
    ("woaini1314", "wang", None, "many people use"),
    ("5201314520", "wang", None, "many people use"),
    ("aini1314", "wang", None, "many people use"),
    ("qq123456", "wang", None, "many people use"),
    ("88888888", "wang", None, "many people use"),
    ("mima1234", "wang", None, "many people use"),
    ("zhangsan2024", "wang", None, "common names or words"),
    ("wangwei123", "zhao", None, "common names or words"),
    ("yinhuan2026", "wang", None, "common names or words"),
    ("wang.jianguo", "wang.jianguo", None, "your username or your name"),
    ("wangjg2024", "wangjg", None, "built from your username or your name"),
    ("Ouyang.Nana88", "ony", "欧阳娜娜", "built from your username or your name"),  # the name in pinyin
    ("li_xiaolong99", "lxl", "李小龙", "built from your username or your name"),
    ("short", "wang", None, "at least 8 characters"),
]


@pytest.mark.parametrize("password, username, display_name, why", WEAK)
def test_an_admin_cannot_create_a_user_with_a_weak_password(client, admin, password, username, display_name, why):
    body = {"username": username, "password": password, "role": "reviewer", "display_name": display_name}
    response = client.post(f"{API}/users", json=body, headers=admin)
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert why in message and ADVICE in message
    assert field_errors(response) == {"password": [message]}
    assert client.get(f"{API}/users?role=reviewer", headers=admin).get_json() == []


def test_a_strong_password_is_taken_and_signs_in(client, admin):
    body = {"username": "zhao", "password": "Zhao's 7 quiet harbour lanterns", "role": "reviewer",
            "display_name": "赵建国"}
    assert client.post(f"{API}/users", json=body, headers=admin).status_code == 201
    assert _me(client, _pair(client, "zhao", body["password"])).status_code == 200


def test_an_admins_change_to_a_weak_password_is_refused_and_signs_nobody_out(client, admin, officer):
    phone = _pair(client)
    # Built from the new display name given in the same change.
    response = client.patch(f"{API}/users/{officer.id}", json={"password": "wangfang1990", "display_name": "王芳"},
                            headers=admin)
    assert response.status_code == 422
    assert "built from your username or your name" in field_errors(response)["password"][0]
    assert _me(client, phone).status_code == 200 and _refresh(client, phone).status_code == 200
    assert client.get(f"{API}/users/{officer.id}", headers=admin).get_json()["display_name"] == "李娜"


def test_users_create_on_the_command_line_refuses_a_weak_password_saying_why(runner, client):
    result = runner.invoke(args=["users", "create", "--username", "zhao", "--role", "reviewer"], input="5201314\n")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    result = runner.invoke(args=["users", "create", "--username", "zhao", "--role", "reviewer"],
                           input="woaini1314\n")
    assert result.exit_code != 0
    assert "many people use" in result.output and ADVICE in result.output
    assert result.output.count("many people use") == 1


def test_the_demo_accounts_password_is_held_to_the_same_rules(runner, db_session):
    result = runner.invoke(args=["demo", "seed", "--hazards", "0", "--password", "demo1234"])
    assert result.exit_code != 0
    assert "built from your username or your name" in result.output
    assert runner.invoke(args=["users", "ensure-admin"]).output.startswith("Created the first admin")  # nothing seeded
