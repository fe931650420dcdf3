"""Deadlines a person types: the inspector's on the report, the officer's in an extension request.

A date before today or more than a year ahead is a field error naming the field, and nothing is stored.
"""
import pytest

from tests.api.conftest import API, report
from tests.api.test_workflow import bring_to
from tests.factories import field_errors

# The tests' clock stands at Monday 2026-09-28 10:00 in Shanghai.


@pytest.mark.parametrize("deadline, words", [
    ("2026-09-27", "before today"),
    ("2027-09-30", "more than a year away"),
    ("2062-09-28", "more than a year away"),  # 2062 for 2026
    ("9999-12-31", "more than a year away"),
])
def test_a_report_with_an_implausible_deadline_is_refused(client, district, clock, deadline, words):
    response = report(client, district["wang"], district.plant.id, deadline=deadline)
    assert response.status_code == 422
    assert words in " ".join(field_errors(response)["deadline"])
    assert client.get(f"{API}/hazards", headers=district["wang"]).get_json() == []


def test_a_report_may_set_a_deadline_up_to_a_year_and_a_day_ahead(client, district, clock):
    response = report(client, district["wang"], district.plant.id, severity="major", deadline="2027-09-29")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["deadline"] == "2027-09-29"


@pytest.mark.parametrize("new_deadline, words", [
    ("2026-09-27", "before today"),
    ("2062-10-13", "more than a year away"),
])
def test_an_extension_to_an_implausible_deadline_is_refused(client, district, clock, new_deadline, words):
    hazard_id, _ = bring_to(client, district, "acknowledged")
    response = client.post(f"{API}/hazards/{hazard_id}/extensions", json={"new_deadline": new_deadline, "reason": "设备采购"},
                           headers=district["li"])
    assert response.status_code == 422
    assert words in " ".join(field_errors(response)["new_deadline"])
    assert client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["extensions"] == []
