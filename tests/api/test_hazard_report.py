"""Reporting hazards: deadlines on China's working-day calendar, location and area, retries, bad input."""
import json
import threading
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api.schemas import NUL_MESSAGE, SURROGATE_MESSAGE
from tests.api.conftest import API, report
from tests.factories import field_errors

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_report_sets_status_deadline_area_and_location(client, district, clock):
    response = report(client, district["wang"], district.plant.id, lat=39.9031, lon=116.4032, accuracy_m=8)
    assert response.status_code == 201, response.get_json()
    hazard = response.get_json()
    assert hazard["status"] == "open"
    # Reported Monday 2026-09-28: 7 working days skip National Day (10-01..10-07) and count Saturday 10-10.
    assert hazard["deadline"] == "2026-10-13"
    assert hazard["original_deadline"] == "2026-10-13"
    assert hazard["overdue"] is False
    assert hazard["location_source"] == "device"
    # The plant's registered street, though the fix lies in S1's community C1: jurisdiction follows the enterprise.
    assert hazard["area_code"] == "S1"
    assert hazard["enterprise_name"] == "示范机械厂"
    # The inspector may close it on the spot (once rectification photos are added); the officer acknowledges.
    assert hazard["actions"] == ["approve"]
    officer_view = client.get(f"{API}/hazards/{hazard['id']}", headers=district["li"]).get_json()
    assert officer_view["actions"] == ["acknowledge"]
    events = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    assert [(e["action"], e["to_status"], e["actor_role"]) for e in events] == [("reported", "open", "inspector")]


def test_major_hazards_get_30_working_days(client, district, clock):
    hazard = report(client, district["wang"], district.plant.id, severity="major").get_json()
    assert hazard["deadline"] == "2026-11-13"


def test_the_local_day_of_the_report_counts_not_the_utc_day(client, district, clock):
    # 00:30 on Friday in Shanghai is still Thursday in UTC: the deadline counts from the local Friday.
    clock.set(datetime(2026, 3, 12, 23, 30, tzinfo=SHANGHAI))
    thursday = report(client, district["wang"], district.plant.id).get_json()
    clock.set(datetime(2026, 3, 13, 0, 30, tzinfo=SHANGHAI))
    friday = report(client, district["wang"], district.plant.id).get_json()
    assert thursday["deadline"] == "2026-03-23"  # Fri 13, Mon 16 … Mon 23 = 7 working days
    assert friday["deadline"] == "2026-03-24"  # Mon 16 … Tue 24


def test_explicit_deadline_on_a_sunday_moves_to_monday_and_says_so(client, district, clock):
    hazard = report(client, district["wang"], district.plant.id, deadline="2026-10-18").get_json()
    assert hazard["deadline"] == "2026-10-19"
    assert hazard["deadline_requested"] == "2026-10-18"


def test_explicit_deadline_on_a_make_up_saturday_stays(client, district, clock):
    hazard = report(client, district["wang"], district.plant.id, deadline="2026-10-10").get_json()
    assert hazard["deadline"] == "2026-10-10"
    assert hazard["deadline_requested"] is None


def test_explicit_deadline_in_the_holiday_moves_after_it(client, district, clock):
    assert report(client, district["wang"], district.plant.id, deadline="2026-10-03").get_json()["deadline"] == "2026-10-08"


def test_explicit_deadline_in_the_past_is_refused(client, district, clock):
    response = report(client, district["wang"], district.plant.id, deadline="2026-09-27")
    assert response.status_code == 422
    assert "deadline" in field_errors(response)
    assert client.get(f"{API}/hazards", headers=district["zhao"]).get_json() == []


def test_a_year_the_calendar_does_not_know_uses_the_editable_table(client, district, clock):
    clock.set(datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI))
    # Without its notice 2027 counts the statutory holidays: 29, 30, 31 Dec, [元旦], 4, 5, 6, 7 Jan; provisional.
    first = report(client, district["wang"], district.plant.id).get_json()
    assert (first["deadline"], first["provisional"]) == ("2027-01-07", True)
    assert "2027" in first["provisional_reason"]
    # The admins' entry wins (here: the 1st made a working day) and the year is no longer assumed.
    put = client.put(f"{API}/calendar/overrides", json={"days": [{"day": "2027-01-01", "is_workday": True, "note": "x"}]},
                     headers=district["admin"])
    assert put.status_code == 200, put.get_json()
    second = report(client, district["wang"], district.plant.id).get_json()
    assert (second["deadline"], second["provisional"], second["provisional_reason"]) == ("2027-01-06", False, None)
    assert client.put(f"{API}/calendar/overrides", json={"days": [{"day": "2027-01-02", "is_workday": True}]},
                      headers=district["wang"]).status_code == 403


def test_without_a_location_the_enterprise_location_is_used(client, district, clock):
    hazard = report(client, district["wang"], district.plant.id).get_json()
    assert (hazard["lat"], hazard["lon"], hazard["location_source"]) == (39.903, 116.403, "enterprise")


def test_a_retry_returns_the_same_hazard_and_a_changed_body_is_409(client, district, clock):
    hazard_id = str(uuid.uuid4())
    first = report(client, district["wang"], district.plant.id, id=hazard_id)
    again = report(client, district["wang"], district.plant.id, id=hazard_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == hazard_id
    changed = report(client, district["wang"], district.plant.id, id=hazard_id, description="另一处隐患")
    assert changed.status_code == 409
    assert "id" in field_errors(changed)
    assert len(client.get(f"{API}/hazards", headers=district["zhao"]).get_json()) == 1
    assert len(client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()) == 1


def test_the_same_id_from_another_inspector_is_409(client, district, clock):
    hazard_id = str(uuid.uuid4())
    assert report(client, district["wang"], district.plant.id, id=hazard_id).status_code == 201
    assert report(client, district["zhao"], district.plant.id, id=hazard_id).status_code == 409


def test_two_copies_of_a_retry_racing_make_one_hazard(app, district, clock):
    hazard_id = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        local_client = app.test_client()
        barrier.wait()
        statuses.append(report(local_client, district["wang"], district.plant.id, id=hazard_id).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    listing = app.test_client().get(f"{API}/hazards", headers=district["zhao"]).get_json()
    assert [h["id"] for h in listing] == [hazard_id]


@pytest.mark.parametrize("fields, field", [
    ({"category": "fire.nonsense"}, "category"),
    ({"severity": "catastrophic"}, "severity"),
    ({"lat": 39.9}, "lat"),
    ({"lat": 91, "lon": 116}, "lat"),
    ({"description": ""}, "description"),
    ({"deadline": "2026-13-01"}, "deadline"),
    ({"priority": "high"}, "priority"),
    ({"id": "not-a-uuid"}, "id"),
    ({"inspection_id": str(uuid.uuid4())}, "inspection_id"),
])
def test_bad_reports_get_field_errors_and_store_nothing(client, district, clock, fields, field):
    response = report(client, district["wang"], district.plant.id, **fields)
    assert response.status_code == 422, response.get_json()
    assert field in field_errors(response)
    assert client.get(f"{API}/hazards", headers=district["zhao"]).get_json() == []


def test_unknown_enterprise_and_malformed_json(client, district):
    assert report(client, district["wang"], 999_999).status_code == 422
    broken = client.post(f"{API}/hazards", data="{not json", content_type="application/json", headers=district["wang"])
    assert broken.status_code == 400



def post_json_text(client, headers, text: str):
    """POST a hazard as JSON text exactly as given (``json=`` writes the text with the app's encoder)."""
    return client.post(f"{API}/hazards", data=text, content_type="application/json", headers=headers)


@pytest.mark.parametrize("fields, errors", [
    # JSON may write a lone UTF-16 surrogate ("\ud800"): no database and no response can encode it as UTF-8.
    ({"description": "出口被\ud800堵塞"}, {"description": [SURROGATE_MESSAGE]}),
    ({"basis": "\udfff"}, {"basis": [SURROGATE_MESSAGE]}),
    ({"\ud800": "x"}, {"\\ud800": [SURROGATE_MESSAGE]}),  # an unknown name is answered escaped
    ({"description": "出口\x00"}, {"description": [NUL_MESSAGE]}),
])
def test_text_no_database_can_store_gets_a_field_error_and_stores_nothing(client, district, clock, fields, errors):
    body = {"enterprise_id": district.plant.id, "category": "fire.exits", "severity": "general", "description": "堵塞"}
    response = post_json_text(client, district["wang"], json.dumps({**body, **fields}))  # escapes as \ud800, \u0000
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field_errors(response) == errors
    assert client.get(f"{API}/hazards", headers=district["zhao"]).get_json() == []


# 600 levels: Python's decoder reads them, but walking them afterwards (checks, error messages) recursed too deep;
# 100,000: the decoder itself gives up with a RecursionError.
@pytest.mark.parametrize("levels", [600, 100_000])
def test_json_nested_deeper_than_any_request_needs_is_a_bad_request(client, district, levels):
    body = {"enterprise_id": district.plant.id, "category": "fire.exits", "severity": "general"}
    deep = json.dumps(body)[:-1] + ', "description": ' + '{"a":' * levels + '"x"' + "}" * levels + "}"
    response = post_json_text(client, district["wang"], deep)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}
    assert client.get(f"{API}/hazards", headers=district["zhao"]).get_json() == []


def test_who_may_report_where(client, district):
    assert report(client, district["zhang"], district.plant.id).status_code == 403  # other street
    assert report(client, district["li"], district.plant.id).status_code == 403  # officers don't report
    assert report(client, district["district_inspector"], district.plant.id).status_code == 201
    assert report(client, district["zhao"], district.other_plant.id).status_code == 201


def test_hazards_in_an_inspection(client, district, clock):
    inspection_id = str(uuid.uuid4())
    body = {"id": inspection_id, "enterprise_id": district.plant.id, "kind": "unannounced",
            "inspector_ids": [district.users["district_inspector"].id]}
    created = client.post(f"{API}/inspections", json=body, headers=district["wang"])
    assert created.status_code == 201, created.get_json()
    assert client.post(f"{API}/inspections", json=body, headers=district["wang"]).status_code == 200
    assert sorted(created.get_json()["inspector_ids"]) == sorted([district.users["wang"].id, district.users["district_inspector"].id])
    assert report(client, district["wang"], district.plant.id, inspection_id=inspection_id).status_code == 201
    wrong_place = report(client, district["zhao"], district.other_plant.id, inspection_id=inspection_id)
    assert wrong_place.status_code == 422
    found = client.get(f"{API}/inspections/{inspection_id}/hazards", headers=district["wang"]).get_json()
    assert len(found) == 1
    assert client.post(f"{API}/inspections", json={**body, "id": str(uuid.uuid4()), "kind": "covert"},
                       headers=district["wang"]).status_code == 201
    # The plant's officer sees the unannounced inspection but never the covert one (暗访).
    kinds = [i["kind"] for i in client.get(f"{API}/inspections", headers=district["li"]).get_json()]
    assert kinds == ["unannounced"]
    assert client.post(f"{API}/inspections", json={**body, "id": str(uuid.uuid4())}, headers=district["zhang"]).status_code == 403
