"""OGC API – Features at /ogc through the test client: the documents, paging, bbox, datetime, property filters,
single items, and the same sign-in and visibility as GET /api/v1/hazards."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from inspections.models import Hazard
from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import login, make_enterprise, make_user

OGC = "/ogc"
ITEMS = f"{OGC}/collections/hazards/items"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OTHER_LAT, OTHER_LON = 39.905, 116.415  # the other plant, in street S2


def reported_at(clock, client, headers, enterprise_id, at: datetime, **fields) -> dict:
    """Report a hazard with the app's clock at ``at``; returns the hazard."""
    clock.set(at)
    response = report(client, headers, enterprise_id, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def path_of(href: str) -> str:
    """The path and query of an absolute link, for the test client."""
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def rels(document: dict) -> dict:
    return {link["rel"]: link for link in document["links"]}


@pytest.fixture
def hazards_in_time(client, district, clock):
    """Three hazards at the plant (street S1) at known instants, and one at the other plant (street S2)."""
    first = datetime(2026, 9, 21, 9, 0, tzinfo=SHANGHAI)
    made = {
        "early": reported_at(clock, client, district["wang"], district.plant.id, first),
        "middle": reported_at(clock, client, district["wang"], district.plant.id, first + timedelta(days=1),
                              severity="major", category="electrical"),
        "late": reported_at(clock, client, district["wang"], district.plant.id, first + timedelta(days=2)),
        "other": reported_at(clock, client, district["zhang"], district.other_plant.id, first + timedelta(days=3)),
    }
    clock.set(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
    return made


def get_items(client, headers, **params):
    response = client.get(ITEMS, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def ids_of(response) -> list[str]:
    return [feature["id"] for feature in response.get_json()["features"]]


# --- the documents ---------------------------------------------------------------------------------------------


def test_landing_page_links_lead_to_the_api_definition_conformance_and_collections(client, district):
    for path in (OGC, OGC + "/", OGC + "?f=json"):
        response = client.get(path, headers=district["wang"])
        assert response.status_code == 200
        assert response.mimetype == "application/json"
    links = rels(response.get_json())
    assert {"self", "service-desc", "conformance", "data"} <= set(links)
    assert links["self"]["href"] == "http://localhost/ogc"
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    definition = client.get(path_of(links["service-desc"]["href"])).get_json()
    items_operation = definition["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    limit = next(p for p in items_operation["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "default": 10, "minimum": 1, "maximum": 10000}
    assert client.get(path_of(links["conformance"]["href"]), headers=district["wang"]).status_code == 200
    assert client.get(path_of(links["data"]["href"]), headers=district["wang"]).get_json()["collections"]


def test_conformance_claims_core_and_geojson_only(client, district):
    response = client.get(f"{OGC}/conformance", headers=district["li"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    # Not oas30 (our OpenAPI document is not checked for completeness) and not html (there is none).
    assert sorted(response.get_json()["conformsTo"]) == [CORE, GEOJSON_CLASS]


def test_collection_extent_is_that_of_the_hazards_the_caller_sees(client, district, hazards_in_time):
    everything = client.get(f"{OGC}/collections", headers=district["zhao"])
    assert everything.mimetype == "application/json"
    (hazards,) = everything.get_json()["collections"]
    assert hazards["id"] == "hazards"
    assert hazards["itemType"] == "feature"
    assert hazards["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
    assert hazards["extent"]["spatial"] == {
        "bbox": [[PLANT_LON, PLANT_LAT, OTHER_LON, OTHER_LAT]], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    assert hazards["extent"]["temporal"]["interval"] == [["2026-09-21T09:00:00+08:00", "2026-09-24T09:00:00+08:00"]]
    items_link = rels(hazards)["items"]
    assert items_link["type"] == "application/geo+json"
    assert client.get(path_of(items_link["href"]), headers=district["zhao"]).status_code == 200

    # Inspector Wang sees street S1 only: the plant's point and the first three reports.
    mine = client.get(f"{OGC}/collections/hazards", headers=district["wang"]).get_json()
    assert mine["extent"]["spatial"]["bbox"] == [[PLANT_LON, PLANT_LAT, PLANT_LON, PLANT_LAT]]
    assert mine["extent"]["temporal"]["interval"] == [["2026-09-21T09:00:00+08:00", "2026-09-23T09:00:00+08:00"]]
    assert rels(mine)["self"]["href"] == "http://localhost/ogc/collections/hazards"


def test_a_caller_who_sees_no_hazard_gets_a_collection_without_extent(client, district, hazards_in_time, db_session):
    quiet = make_enterprise(db_session, name="空厂", lat=39.901, lon=116.401, area_code="S1")
    make_user(db_session, "sun", "enterprise_officer", enterprise_id=quiet.id)
    response = client.get(f"{OGC}/collections/hazards", headers=login(client, "sun"))
    assert response.status_code == 200
    assert "extent" not in response.get_json()


def test_unknown_collection_is_404_in_the_error_body(client, district):
    for path in (f"{OGC}/collections/buildings", f"{OGC}/collections/buildings/items",
                 f"{OGC}/collections/buildings/items/0b7e4a3c-0000-4000-8000-000000000000"):
        response = client.get(path, headers=district["zhao"])
        assert response.status_code == 404
        assert response.get_json()["code"] == 404 and response.get_json()["status"] == "Not Found"


# --- items: paging ---------------------------------------------------------------------------------------------


def test_items_page_with_next_and_prev_links_until_exhausted(client, district, clock):
    start = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
    made = [reported_at(clock, client, district["wang"], district.plant.id, start + timedelta(minutes=i))["id"]
            for i in range(25)]
    clock.set(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))

    pages, href = [], f"{ITEMS}?limit=10&severity=general"
    while href:
        response = client.get(href, headers=district["wang"])
        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        page = response.get_json()
        assert page["type"] == "FeatureCollection"
        assert page["numberMatched"] == 25
        assert page["numberReturned"] == len(page["features"])
        assert page["timeStamp"] == "2026-09-28T10:00:00+08:00"
        assert rels(page)["self"]["type"] == "application/geo+json"
        pages.append(page)
        href = path_of(rels(page)["next"]["href"]) if "next" in rels(page) else None

    assert [page["numberReturned"] for page in pages] == [10, 10, 5]
    seen = [feature["id"] for page in pages for feature in page["features"]]
    assert seen == list(reversed(made))  # newest report first, nothing twice, nothing missed
    # The filters travel with the links, and prev walks back to the page before.
    last_next = parse_qs(urlsplit(rels(pages[1])["next"]["href"]).query)
    assert last_next == {"limit": ["10"], "severity": ["general"], "offset": ["20"]}
    assert "prev" not in rels(pages[0])
    back = client.get(path_of(rels(pages[2])["prev"]["href"]), headers=district["wang"]).get_json()
    assert back["features"] == pages[1]["features"]


def test_limit_defaults_to_10_and_a_larger_one_than_10000_is_served_as_10000(client, district, clock):
    for minute in range(12):
        reported_at(clock, client, district["wang"], district.plant.id,
                    datetime(2026, 9, 1, 9, minute, tzinfo=SHANGHAI))
    default = get_items(client, district["wang"]).get_json()
    assert default["numberReturned"] == 10 and default["numberMatched"] == 12
    assert parse_qs(urlsplit(rels(default)["next"]["href"]).query) == {"limit": ["10"], "offset": ["10"]}

    clamped = get_items(client, district["wang"], limit=50000).get_json()
    assert clamped["numberReturned"] == 12
    assert "next" not in rels(clamped)

    beyond = get_items(client, district["wang"], limit=5, offset=40).get_json()
    assert beyond["features"] == [] and beyond["numberMatched"] == 12
    # From past the end, prev leads to the last page that has features.
    assert parse_qs(urlsplit(rels(beyond)["prev"]["href"]).query) == {"limit": ["5"], "offset": ["7"]}


# --- items: bbox and datetime --------------------------------------------------------------------------------


def test_bbox_selects_the_points_inside_including_across_the_antimeridian(client, district, hazards_in_time):
    reviewer = district["zhao"]
    plant_only = get_items(client, reviewer, bbox="116.40,39.90,116.41,39.91")
    assert set(ids_of(plant_only)) == {hazards_in_time[k]["id"] for k in ("early", "middle", "late")}
    around_other = get_items(client, reviewer, bbox="116.41,39.90,-100,116.42,39.91,100")  # 3D: heights ignored
    assert ids_of(around_other) == [hazards_in_time["other"]["id"]]
    assert get_items(client, reviewer, bbox="0,0,1,1").get_json()["numberMatched"] == 0
    # West above east: the box runs from 100°E across 180° to 170°W and so covers Beijing.
    assert get_items(client, reviewer, bbox="100,30,-170,50").get_json()["numberMatched"] == 4
    assert get_items(client, reviewer, bbox="170,30,-170,50").get_json()["numberMatched"] == 0


def test_a_hazard_without_a_place_has_null_geometry_and_no_bbox_matches_it(client, district, db_session, clock):
    nowhere = make_enterprise(db_session, name="无址商户", area_code="S1")
    hazard = reported_at(clock, client, district["wang"], nowhere.id, datetime(2026, 9, 25, 9, 0, tzinfo=SHANGHAI))
    assert hazard["lat"] is None
    (feature,) = get_items(client, district["wang"]).get_json()["features"]
    assert feature["geometry"] is None
    assert get_items(client, district["wang"], bbox="-180,-90,180,90").get_json()["numberMatched"] == 0


@pytest.mark.parametrize(("datetime_", "expected"), [
    ("2026-09-22T01:00:00Z", {"middle"}),                                   # an instant
    ("2026-09-22T09:00:00+08:00", {"middle"}),                              # the same instant, local offset
    ("2026-09-22T09:00:00 08:00", {"middle"}),                              # "+" sent unencoded arrives as a space
    ("2026-09-21T01:00:00Z/2026-09-22T01:00:00Z", {"early", "middle"}),     # bounded: both ends included
    ("../2026-09-22T01:00:00Z", {"early", "middle"}),                       # half-bounded
    ("2026-09-22T01:00:00Z/..", {"middle", "late", "other"}),
    ("2026-09-22T01:00:00Z/", {"middle", "late", "other"}),                 # the older spelling of "/.."
    ("../..", {"early", "middle", "late", "other"}),
    ("2026-09-22T01:00:00.5Z/2026-09-23T00:59:59.999999Z", set()),
])
def test_datetime_filters_on_reported_at(client, district, hazards_in_time, datetime_, expected):
    found = get_items(client, district["zhao"], datetime=datetime_)
    assert set(ids_of(found)) == {hazards_in_time[key]["id"] for key in expected}


# --- items: property filters ----------------------------------------------------------------------------------


def test_property_filters_are_those_of_the_hazard_list(client, district, hazards_in_time, db_session, clock):
    reviewer = district["zhao"]
    ids = {key: hazard["id"] for key, hazard in hazards_in_time.items()}

    def found(**params):
        return set(ids_of(get_items(client, reviewer, limit=100, **params)))

    assert found(severity="major") == {ids["middle"]}
    assert found(category="fire") == {ids["early"], ids["late"], ids["other"]}  # top level takes fire.exits
    assert found(category="electrical") == {ids["middle"]}
    assert found(enterprise_id=district.other_plant.id) == {ids["other"]}
    assert found(area_code="S2") == {ids["other"]}
    assert found(area_code="D1", severity="general", bbox="116.40,39.90,116.41,39.91") == {ids["early"], ids["late"]}

    closed_at = datetime(2026, 9, 26, 8, 0, tzinfo=timezone.utc)
    db_session.execute(
        update(Hazard).where(Hazard.id == uuid.UUID(ids["late"])).values(status="closed", closed_at=closed_at))
    db_session.commit()
    assert found(status="closed") == {ids["late"]}
    assert found(status="open,closed") == set(ids.values())

    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))  # every open hazard's deadline has passed
    assert found(overdue="true") == {ids["early"], ids["middle"], ids["other"]}
    assert found(overdue="false") == {ids["late"]}
    closed = get_items(client, reviewer, status="closed").get_json()["features"][0]["properties"]
    assert closed["closed_at"] == "2026-09-26T16:00:00+08:00" and closed["overdue"] is False


def test_what_each_caller_sees_is_what_the_hazard_list_shows_them(client, district, hazards_in_time):
    for who in ("wang", "zhang", "district_inspector", "li", "other_officer", "zhao", "admin"):
        listed = client.get(f"{API}/hazards?page_size=100", headers=district[who]).get_json()
        served = get_items(client, district[who], limit=100)
        assert set(ids_of(served)) == {hazard["id"] for hazard in listed}, who


# --- single items --------------------------------------------------------------------------------------------


def test_single_item_is_a_geojson_feature(client, district, hazards_in_time):
    hazard = hazards_in_time["middle"]
    response = client.get(f"{ITEMS}/{hazard['id']}", headers=district["li"])
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature"
    assert feature["id"] == hazard["id"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [PLANT_LON, PLANT_LAT]}
    assert feature["properties"] == {
        "status": "open", "severity": "major", "category": "electrical", "description": "安全出口被货物堵塞",
        "enterprise_id": district.plant.id, "enterprise_name": "示范机械厂", "area_code": "S1",
        "reported_at": "2026-09-22T09:00:00+08:00", "deadline": hazard["deadline"], "overdue": False,
        "closed_at": None,
    }
    links = rels(feature)
    assert path_of(links["self"]["href"]) == f"{ITEMS}/{hazard['id']}"
    assert path_of(links["collection"]["href"]) == f"{OGC}/collections/hazards"
    # The same hazard as a member of the items page.
    (listed,) = [f for f in get_items(client, district["li"]).get_json()["features"] if f["id"] == hazard["id"]]
    assert {k: listed[k] for k in ("geometry", "properties")} == {k: feature[k] for k in ("geometry", "properties")}


def test_a_hazard_the_caller_may_not_see_is_404_like_one_that_does_not_exist(client, district, hazards_in_time):
    theirs = hazards_in_time["other"]["id"]
    for who in ("wang", "li"):
        response = client.get(f"{ITEMS}/{theirs}", headers=district[who])
        assert response.status_code == 404
        assert response.get_json()["code"] == 404
        assert theirs not in ids_of(get_items(client, district[who], limit=100))
    for missing in ("0b7e4a3c-0000-4000-8000-000000000000", "not-a-uuid"):
        assert client.get(f"{ITEMS}/{missing}", headers=district["zhao"]).status_code == 404
    assert client.get(f"{ITEMS}/{theirs}", headers=district["zhang"]).status_code == 200


# --- sign-in and bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [OGC, f"{OGC}/conformance", f"{OGC}/collections", f"{OGC}/collections/hazards",
                                  ITEMS, f"{ITEMS}/0b7e4a3c-0000-4000-8000-000000000000"])
def test_every_resource_needs_the_bearer_token(client, district, path):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic d2FuZzpwdw=="}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.get_json()["code"] == 401


@pytest.mark.parametrize(("param", "value"), [
    ("bbox", "116.40,39.90,116.41"),          # three numbers
    ("bbox", "116.40,39.90,116.41,39.91,1"),  # five
    ("bbox", "a,b,c,d"),
    ("bbox", "116.40,95,116.41,96"),          # latitude out of range
    ("bbox", "116.40,39.91,116.41,39.90"),    # south above north
    ("bbox", "nan,39.90,116.41,39.91"),
    ("limit", "0"),
    ("limit", "-5"),
    ("limit", "ten"),
    ("offset", "-1"),
    ("offset", str(10**19)),                      # past the database's integers: 400, never a 500
    ("enterprise_id", str(2**40)),
    ("category", "fire\x00"),                     # PostgreSQL refuses NUL in text: 400 before it gets there
    ("area_code", "S1\x00"),
    ("datetime", "2026-09-22"),                   # a date is not a date-time
    ("datetime", "2026-09-22T09:00:00"),          # no offset: which zone?
    ("datetime", "2026-13-40T00:00:00Z"),
    ("datetime", "2026-09-23T00:00:00Z/2026-09-22T00:00:00Z"),  # ends before it starts
    ("datetime", "2026-09-22T00:00:00Z/2026-09-23T00:00:00Z/.."),
    ("datetime", ".."),
    ("status", "lost"),
    ("overdue", "perhaps"),
    ("f", "html"),
    ("sortby", "reported_at"),                    # not a parameter of this API
    ("bbox-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"),
])
def test_bad_or_unknown_query_parameters_are_400(client, district, param, value):
    response = client.get(ITEMS, query_string={param: value}, headers=district["zhao"])
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert param in body["errors"]["query"]


def test_an_unknown_area_code_is_400_and_unknown_parameters_are_refused_everywhere(client, district):
    response = client.get(ITEMS, query_string={"area_code": "NOPE"}, headers=district["zhao"])
    assert response.status_code == 400
    assert "area_code" in response.get_json()["errors"]["query"]
    for path in (OGC, f"{OGC}/conformance", f"{OGC}/collections", f"{OGC}/collections/hazards"):
        assert client.get(f"{path}?service=WFS", headers=district["zhao"]).status_code == 400
        assert client.get(f"{path}?f=json", headers=district["zhao"]).status_code == 200
