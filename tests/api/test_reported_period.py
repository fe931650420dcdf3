"""`created_after` / `created_before` take a plain local date as well as a date-time, counting whole local days as the
statistics' `from` / `to` do: `created_after=D` from the start of D, `created_before=D` up to the end of D (included).

The clock stands at Monday 2026-09-28 10:00 in Shanghai; a hazard found at 07:00 that morning is still Sunday in UTC,
so a date read in UTC would put it on the wrong day.
"""
from __future__ import annotations

import pytest

from tests.api.conftest import API, report
from tests.factories import field_errors

SUNDAY_NOON = "2026-09-27T12:00:00+08:00"
MONDAY_EARLY = "2026-09-28T07:00:00+08:00"  # 2026-09-27T23:00Z


@pytest.fixture
def three_hazards(client, district, clock):
    def found(at=None):
        extra = {"reported_at": at} if at else {}
        response = report(client, district["wang"], district.plant.id, **extra)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return {"sunday": found(SUNDAY_NOON), "monday_early": found(MONDAY_EARLY), "monday": found()}


def listed(client, district, path=f"{API}/hazards", **query) -> set[str]:
    response = client.get(path, query_string=query, headers=district["zhao"])
    assert response.status_code == 200, response.get_json()
    return {hazard["id"] for hazard in response.get_json()}


def test_a_plain_date_counts_whole_local_days(client, district, three_hazards):
    sunday, early, monday = three_hazards["sunday"], three_hazards["monday_early"], three_hazards["monday"]
    assert listed(client, district, created_after="2026-09-28") == {early, monday}
    assert listed(client, district, created_before="2026-09-27") == {sunday}  # the day given is included
    assert listed(client, district, created_before="2026-09-28") == {sunday, early, monday}
    assert listed(client, district, created_after="2026-09-28", created_before="2026-09-28") == {early, monday}
    assert listed(client, district, created_after="2026-09-29") == set()
    # A date-time keeps its meaning: the instant itself, excluded by created_before.
    assert listed(client, district, created_before=MONDAY_EARLY) == {sunday}
    assert listed(client, district, created_after=MONDAY_EARLY) == {early, monday}


def test_the_same_days_count_the_same_in_the_statistics_the_map_and_the_ledger(client, district, three_hazards):
    stats = client.get(f"{API}/stats", query_string={"from": "2026-09-28", "to": "2026-09-28"},
                       headers=district["zhao"]).get_json()
    monday = {"created_after": "2026-09-28", "created_before": "2026-09-28"}
    assert stats["totals"]["total"] == len(listed(client, district, **monday)) == 2
    points = client.get(f"{API}/map/hazards", query_string={**monday, "zoom": 18}, headers=district["zhao"]).get_json()
    assert {feature["id"] for feature in points["features"]} == {three_hazards["monday_early"], three_hazards["monday"]}
    areas = client.get(f"{API}/map/areas", query_string=monday, headers=district["zhao"]).get_json()
    assert {f["properties"]["code"]: f["properties"]["total"] for f in areas["features"]}["S1"] == 2
    ledger = client.get(f"{API}/exports/hazards.csv", query_string={"created_before": "2026-09-27"},
                        headers=district["zhao"])
    assert ledger.status_code == 200
    assert len(ledger.get_data(as_text=True).strip().splitlines()) == 2  # the header and Sunday's hazard


@pytest.mark.parametrize("value", ["2026-02-30", "1899-12-31", "3000-01-01", "2026-9-28"])
@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_a_date_that_is_none_is_a_field_error(client, district, clock, param, value):
    response = client.get(f"{API}/hazards", query_string={param: value}, headers=district["zhao"])
    assert response.status_code == 422, response.get_json()
    assert field_errors(response)[param]
    assert param in response.get_json()["message"]


def test_the_first_and_last_days_kept_are_taken(client, district, three_hazards):
    assert len(listed(client, district, created_after="1900-01-01", created_before="2999-12-31")) == 3


def test_the_documentation_says_how_a_date_counts(client):
    parameters = client.get(f"{API}/openapi.json").get_json()["paths"]["/api/v1/hazards"]["get"]["parameters"]
    described = {p["name"]: p.get("description", "") for p in parameters}
    assert "start of that day" in described["created_after"] and "`from`" in described["created_after"]
    assert "that day included" in described["created_before"] and "`to`" in described["created_before"]
