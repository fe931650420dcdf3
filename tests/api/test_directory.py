"""Areas, enterprises and users through the API: who reads, who writes, and what bad input gets."""
import pytest

from tests.factories import credit_code, field_errors, login, make_area, make_enterprise, make_user, square

API = "/api/v1"


@pytest.fixture
def admin(client, db_session):
    make_user(db_session, "root", "admin")
    return login(client, "root")


def test_admin_builds_the_district_and_an_officer_signs_in(client, admin):
    """The foundation's 'done when': area → enterprise → officer → the officer's /me."""
    area = client.post(f"{API}/areas", json={"code": "110105", "name": "朝阳区", "level": "district"}, headers=admin)
    assert area.status_code == 201, area.get_json()
    street = client.post(
        f"{API}/areas",
        json={"code": "110105001", "name": "建外街道", "level": "street", "parent_code": "110105",
              "boundary": square(116.44, 39.90)},
        headers=admin,
    )
    assert street.status_code == 201
    enterprise = client.post(
        f"{API}/enterprises",
        json={"name": "示范机械厂", "credit_code": "91350100M000100Y43", "sector": "机械制造",
              "venue_type": "enterprise", "lat": 39.905, "lon": 116.445, "contact_phone": "010-12345678"},
        headers=admin,
    )
    assert enterprise.status_code == 201, enterprise.get_json()
    # No area given: the street whose boundary contains the plant is used.
    assert enterprise.get_json()["area_code"] == "110105001"
    user = client.post(
        f"{API}/users",
        json={"username": "li", "password": "a long password", "role": "enterprise_officer",
              "enterprise_id": enterprise.get_json()["id"], "display_name": "李"},
        headers=admin,
    )
    assert user.status_code == 201, user.get_json()
    assert "password" not in user.get_json()
    me = client.get(f"{API}/me", headers=login(client, "li", "a long password")).get_json()
    assert me["role"] == "enterprise_officer"
    assert me["enterprise_id"] == enterprise.get_json()["id"]


def test_only_admins_write_reference_data(client, db_session):
    make_area(db_session)
    make_user(db_session, "zhao", "reviewer")
    reviewer = login(client, "zhao")
    assert client.post(f"{API}/areas", json={"code": "X", "name": "x", "level": "district"}, headers=reviewer).status_code == 403
    assert client.post(f"{API}/enterprises", json={"name": "x", "credit_code": credit_code()}, headers=reviewer).status_code == 403
    assert client.get(f"{API}/users", headers=reviewer).status_code == 403
    assert client.get(f"{API}/areas", headers=reviewer).status_code == 200


def test_officer_sees_only_their_own_enterprise(client, db_session):
    own = make_enterprise(db_session, name="自己的厂")
    other = make_enterprise(db_session, name="别人的厂")
    make_user(db_session, "li", "enterprise_officer", enterprise_id=own.id)
    headers = login(client, "li")
    listing = client.get(f"{API}/enterprises", headers=headers).get_json()
    assert [e["id"] for e in listing] == [own.id]
    assert client.get(f"{API}/enterprises/{other.id}", headers=headers).status_code == 404
    assert client.get(f"{API}/enterprises/{own.id}", headers=headers).status_code == 200


def test_near_lists_the_nearest_first_within_the_radius(client, db_session):
    make_area(db_session)
    make_user(db_session, "wang", "inspector", area_code="D1")
    # Points about 100 m, 400 m and 3 km north of the inspector.
    far = make_enterprise(db_session, name="远", lat=39.9270, lon=116.40)
    mid = make_enterprise(db_session, name="中", lat=39.9036, lon=116.40)
    near = make_enterprise(db_session, name="近", lat=39.9009, lon=116.40)
    make_enterprise(db_session, name="没有坐标")
    response = client.get(f"{API}/enterprises?near=39.9,116.4&radius_m=1000", headers=login(client, "wang"))
    assert response.status_code == 200
    rows = response.get_json()
    assert [r["id"] for r in rows] == [near.id, mid.id]
    assert rows[0]["distance_m"] == pytest.approx(100, abs=2)
    assert rows[1]["distance_m"] == pytest.approx(400, abs=5)
    assert far.id not in [r["id"] for r in rows]


def test_search_by_name_or_credit_code_and_pagination(client, db_session):
    make_area(db_session)
    make_user(db_session, "wang", "inspector", area_code="D1")
    headers = login(client, "wang")
    target = make_enterprise(db_session, name="红星饭店")
    for i in range(25):
        make_enterprise(db_session, name=f"小店{i}")
    assert [e["id"] for e in client.get(f"{API}/enterprises?q=红星", headers=headers).get_json()] == [target.id]
    by_code = client.get(f"{API}/enterprises?q={target.credit_code.lower()}", headers=headers).get_json()
    assert [e["id"] for e in by_code] == [target.id]
    page = client.get(f"{API}/enterprises?page=2&page_size=10", headers=headers)
    assert len(page.get_json()) == 10
    import json

    pagination = json.loads(page.headers["X-Pagination"])
    assert pagination["total"] == 26
    assert pagination["page"] == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "credit_code": "91350100M000100Y44"}, "credit_code"),  # wrong check character
        ({"name": "x", "credit_code": "91350100M00010"}, "credit_code"),  # too short
        ({"name": "x", "credit_code": "91350100MO00100Y43"}, "credit_code"),  # letter O is not allowed
        ({"name": "x"}, "credit_code"),
        ({"name": "x", "credit_code": "91350100M000100Y43", "lat": 95, "lon": 116}, "lat"),
        ({"name": "x", "credit_code": "91350100M000100Y43", "lat": 39.9}, "lat"),
        ({"name": "x", "credit_code": "91350100M000100Y43", "venue_type": "castle"}, "venue_type"),
        ({"name": "x", "credit_code": "91350100M000100Y43", "area_code": "nowhere"}, "area_code"),
        ({"name": "x", "credit_code": "91350100M000100Y43", "colour": "red"}, "colour"),
        ({"name": "", "credit_code": "91350100M000100Y43"}, "name"),
    ],
)
def test_bad_enterprises_get_field_errors_and_nothing_is_stored(client, admin, body, field):
    response = client.post(f"{API}/enterprises", json=body, headers=admin)
    assert response.status_code == 422
    errors = field_errors(response)
    assert field in str(errors)
    assert client.get(f"{API}/enterprises", headers=admin).get_json() == []


def test_duplicate_credit_code_is_409(client, admin):
    body = {"name": "甲", "credit_code": "91350100M000100Y43"}
    assert client.post(f"{API}/enterprises", json=body, headers=admin).status_code == 201
    again = client.post(f"{API}/enterprises", json={**body, "credit_code": " 91350100m000100y43 "}, headers=admin)
    assert again.status_code == 409
    assert "credit_code" in field_errors(again)


def test_enterprise_update_checks_like_create(client, admin, db_session):
    first = make_enterprise(db_session, name="甲")
    second = make_enterprise(db_session, name="乙")
    assert client.patch(f"{API}/enterprises/{second.id}", json={"credit_code": first.credit_code}, headers=admin).status_code == 409
    changed = client.patch(f"{API}/enterprises/{second.id}", json={"contact_name": "王经理"}, headers=admin)
    assert changed.status_code == 200
    assert changed.get_json()["contact_name"] == "王经理"


def test_duplicate_username_is_409_and_bindings_are_checked(client, admin, db_session):
    make_area(db_session)
    body = {"username": "wang", "password": "long enough pw", "role": "inspector", "area_code": "D1"}
    assert client.post(f"{API}/users", json=body, headers=admin).status_code == 201
    assert client.post(f"{API}/users", json=body, headers=admin).status_code == 409
    no_area = client.post(f"{API}/users", json={**body, "username": "wang2", "area_code": None}, headers=admin)
    assert no_area.status_code == 422 and "area_code" in field_errors(no_area)
    officer = client.post(f"{API}/users", json={**body, "username": "li", "role": "enterprise_officer"}, headers=admin)
    assert officer.status_code == 422 and "enterprise_id" in field_errors(officer)
    short = client.post(f"{API}/users", json={**body, "username": "z", "password": "short"}, headers=admin)
    assert short.status_code == 422


def test_area_hierarchy_and_boundaries_are_validated(client, admin):
    assert client.post(f"{API}/areas", json={"code": "D", "name": "区", "level": "district"}, headers=admin).status_code == 201
    orphan = client.post(f"{API}/areas", json={"code": "S", "name": "街道", "level": "street"}, headers=admin)
    assert orphan.status_code == 422 and "parent_code" in field_errors(orphan)
    skip = client.post(f"{API}/areas", json={"code": "G", "name": "网格", "level": "grid", "parent_code": "D"}, headers=admin)
    assert skip.status_code == 422
    open_ring = {"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39.1]]]}
    bad = client.post(
        f"{API}/areas", json={"code": "S", "name": "街道", "level": "street", "parent_code": "D", "boundary": open_ring},
        headers=admin,
    )
    assert bad.status_code == 422 and "boundary" in field_errors(bad)
    assert client.post(f"{API}/areas", json={"code": "D", "name": "again", "level": "district"}, headers=admin).status_code == 409
    listed = client.get(f"{API}/areas?level=district", headers=admin).get_json()
    assert [a["code"] for a in listed] == ["D"]


@pytest.mark.parametrize("enterprise_id", [2**31, 2**63, 10**20])  # past the 32-bit column; past SQLite's 64 bits
def test_enterprise_ids_no_row_can_have_are_404(client, admin, enterprise_id):
    assert client.get(f"{API}/enterprises/{enterprise_id}", headers=admin).status_code == 404
    assert client.patch(f"{API}/enterprises/{enterprise_id}", json={"name": "甲"}, headers=admin).status_code == 404


@pytest.mark.parametrize("user_id", [2**31, 2**63, 10**20])
def test_user_ids_no_row_can_have_are_404(client, admin, user_id):
    assert client.get(f"{API}/users/{user_id}", headers=admin).status_code == 404
    assert client.patch(f"{API}/users/{user_id}", json={"active": False}, headers=admin).status_code == 404


def test_a_blank_area_code_names_no_area_and_changes_nothing(client, admin, db_session):
    """"" is not "no area" (that is null): it is a code, and no area has it."""
    created = client.post(f"{API}/enterprises", json={"name": "甲", "credit_code": credit_code(), "area_code": ""},
                          headers=admin)
    assert created.status_code == 422
    assert field_errors(created) == {"area_code": ["There is no area ''."]}
    assert client.get(f"{API}/enterprises", headers=admin).get_json() == []
    make_area(db_session)
    plant = make_enterprise(db_session, name="乙", area_code="D1")
    changed = client.patch(f"{API}/enterprises/{plant.id}", json={"area_code": ""}, headers=admin)
    assert changed.status_code == 422
    assert field_errors(changed) == {"area_code": ["There is no area ''."]}
    assert client.get(f"{API}/enterprises/{plant.id}", headers=admin).get_json()["area_code"] == "D1"
