"""张's re-inspection list (JOURNEYS.md): what is submitted in his area, with the closure checks beside each.

`GET /hazards` carries each hazard's `closure_summary` (the checks of its latest rectification at a glance),
read for the whole page in one query: a page of many hazards costs the same few statements as a page of two.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from inspections.models import Rectification
from tests.api.conftest import API, report
from tests.api.test_stats import IN_S1, IN_S2, add_hazard
from tests.factories import make_enterprise, upload_photo
from tests.photo_edit import north_of, photo_with_exif

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTED = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # the clock fixture's time
HERE_LAT, HERE_LON = 39.905, 116.415  # 别家饭店, in 张's street S2
REPAIRED = "exexif_sunrise.jpg"


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.get_json()
    return response.get_json()


def _photo(client, district, hazard_id, *, metres=None, taken_at=None, name="rectified.jpg"):
    """A rectification photo by the restaurant's officer, ``metres`` north of the hazard (None: no GPS)."""
    data = photo_with_exif(REPAIRED, lat=None if metres is None else north_of(HERE_LAT, metres),
                           lon=None if metres is None else HERE_LON, taken_at=taken_at)
    return _ok(upload_photo(client, district["other_officer"], hazard_id, name=name, data=data))["id"]


def _submit(client, district, hazard_id, photo_ids):
    return _ok(client.post(f"{API}/hazards/{hazard_id}/rectification",
                           json={"measures": "已清理安全出口", "photo_ids": photo_ids},
                           headers=district["other_officer"]))


def _acknowledged(client, district) -> str:
    hazard = _ok(report(client, district["zhang"], district.other_plant.id, lat=HERE_LAT, lon=HERE_LON))
    _ok(client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=district["other_officer"]))
    return hazard["id"]


def test_zhangs_list_shows_the_checks_beside_each_submitted_hazard(client, district, clock):
    after = REPORTED + timedelta(days=2)
    # Photographed from the same spot, after the report: every check passes.
    clean = _acknowledged(client, district)
    _submit(client, district, clean, [_photo(client, district, clean, metres=12, taken_at=after)])
    # Half a kilometre away and the day before the report: two warnings.
    far = _acknowledged(client, district)
    _submit(client, district, far, [_photo(client, district, far, metres=500, taken_at=REPORTED - timedelta(days=1))])
    # Two photos, one without place or time: what could not be checked is unknown, never a pass.
    mixed = _acknowledged(client, district)
    _submit(client, district, mixed, [_photo(client, district, mixed, metres=30, taken_at=after, name="a.jpg"),
                                      _photo(client, district, mixed, name="b.jpg")])
    # Rejected once, then submitted again from the spot: the list shows the latest submission.
    again = _acknowledged(client, district)
    _submit(client, district, again, [_photo(client, district, again, metres=400, taken_at=after, name="old.jpg")])
    _ok(client.post(f"{API}/hazards/{again}/review", json={"decision": "reject", "comment": "照片不在现场"},
                    headers=district["zhang"]))
    latest = _submit(client, district, again, [_photo(client, district, again, metres=8, taken_at=after, name="new.jpg")])
    # Acknowledged, nothing submitted yet; and one in 王's street, which 张 does not see.
    waiting = _acknowledged(client, district)
    _ok(report(client, district["wang"], district.plant.id))

    response = client.get(f"{API}/hazards?status=submitted", headers=district["zhang"])
    listed = {h["id"]: h for h in _ok(response)}
    assert set(listed) == {clean, far, mixed, again}
    summary = {hazard_id: h["closure_summary"] for hazard_id, h in listed.items()}

    assert summary[clean]["distance_m"] == pytest.approx(12, abs=0.5)
    assert {k: summary[clean][k] for k in ("photos", "passed", "clean", "blocking", "warnings", "within_radius",
                                           "taken_after_report", "same_as_evidence")} == {
        "photos": 1, "passed": True, "clean": True, "blocking": [], "warnings": [], "within_radius": True,
        "taken_after_report": True, "same_as_evidence": False}
    assert summary[far]["distance_m"] == pytest.approx(500, abs=2)
    assert (summary[far]["passed"], summary[far]["clean"], summary[far]["warnings"]) == (
        True, False, ["outside_radius", "taken_before_report"])
    assert (summary[far]["within_radius"], summary[far]["taken_after_report"]) == (False, False)
    assert summary[mixed]["photos"] == 2 and summary[mixed]["distance_m"] == pytest.approx(30, abs=1)
    assert (summary[mixed]["within_radius"], summary[mixed]["taken_after_report"]) == (None, None)
    assert summary[mixed]["warnings"] == ["location_unverified", "time_unverified"]
    assert summary[again]["clean"] is True and summary[again]["distance_m"] == pytest.approx(8, abs=0.5)
    assert summary[again]["rectification_id"] == latest["rectifications"][-1]["id"]
    assert summary[again]["rectification_id"] > latest["rectifications"][0]["id"]

    # The summary agrees with the full checks of the detail view, which carries it too.
    for hazard_id, item in listed.items():
        detail = _ok(client.get(f"{API}/hazards/{hazard_id}", headers=district["zhang"]))
        assert detail["closure_summary"] == item["closure_summary"]
        full = detail["closure_checks"]
        assert {k: item["closure_summary"][k] for k in ("passed", "clean", "blocking", "warnings")} == {
            k: full[k] for k in ("passed", "clean", "blocking", "warnings")}
        assert item["closure_summary"]["photos"] == len(full["photos"])
        assert datetime.fromisoformat(item["closure_summary"]["submitted_at"]) == datetime.fromisoformat(
            detail["rectifications"][-1]["submitted_at"])

    # Nothing submitted: null. 张 approves the clean one and rejects the far one; the rejected one keeps its
    # checks on record until the plant submits again.
    assert _ok(client.get(f"{API}/hazards/{waiting}", headers=district["zhang"]))["closure_summary"] is None
    everything = {h["id"]: h for h in _ok(client.get(f"{API}/hazards", headers=district["zhang"]))}
    assert everything[waiting]["closure_summary"] is None and len(everything) == 5
    _ok(client.post(f"{API}/hazards/{clean}/review", json={"decision": "approve"}, headers=district["zhang"]))
    _ok(client.post(f"{API}/hazards/{far}/review", json={"decision": "reject", "comment": "照片不在现场，重新拍摄"},
                    headers=district["zhang"]))
    still = {h["id"]: h for h in _ok(client.get(f"{API}/hazards?status=submitted", headers=district["zhang"]))}
    assert set(still) == {mixed, again}
    rejected = _ok(client.get(f"{API}/hazards?status=acknowledged", headers=district["zhang"]))
    assert {h["id"]: h["closure_summary"] and h["closure_summary"]["warnings"] for h in rejected} == {
        far: ["outside_radius", "taken_before_report"], waiting: None}


def test_an_inspections_hazards_carry_the_summary_too(client, district, clock):
    visit = _ok(client.post(f"{API}/inspections", json={"enterprise_id": district.other_plant.id, "kind": "unannounced"},
                            headers=district["zhang"]))
    hazard = _ok(report(client, district["zhang"], district.other_plant.id, lat=HERE_LAT, lon=HERE_LON,
                        inspection_id=visit["id"]))
    quiet = _ok(report(client, district["zhang"], district.other_plant.id, inspection_id=visit["id"]))
    _ok(client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=district["other_officer"]))
    _submit(client, district, hazard["id"],
            [_photo(client, district, hazard["id"], metres=12, taken_at=REPORTED + timedelta(hours=3))])
    found = {h["id"]: h["closure_summary"] for h in
             _ok(client.get(f"{API}/inspections/{visit['id']}/hazards", headers=district["zhang"]))}
    assert found[quiet["id"]] is None and found[hazard["id"]]["clean"] is True


CHECKS = {  # as the service records them (inspections.verification.as_record), for two photos
    "photos": [
        {"photo_id": "p1", "distance_m": 20.5, "radius_m": 100.0, "within_radius": True, "location_unverified": False,
         "taken_after_report": True, "time_unverified": False, "same_as_evidence": False, "matches": [], "problems": []},
        {"photo_id": "p2", "distance_m": 140.0, "radius_m": 100.0, "within_radius": False,
         "location_unverified": False, "taken_after_report": True, "time_unverified": False,
         "same_as_evidence": True, "matches": [], "problems": ["near_duplicate", "outside_radius"]},
    ],
    "passed": True, "clean": False, "blocking": [], "warnings": ["near_duplicate", "outside_radius"],
}


def _many_hazards(db_session, district, count: int) -> dict:
    """``count`` submitted hazards at as many enterprises, each submitted twice (the later one with warnings),
    and as many without a submission; written directly, as the workflow would have left them."""
    expected = {}
    plants = [make_enterprise(db_session, name=f"企业{n}", area_code="S1") for n in range(count)]
    for n, plant in enumerate(plants):
        hazard = add_hazard(db_session, district, status="submitted", plant=plant,
                            reported=REPORTED + timedelta(minutes=2 * n))
        for when, checks in ((REPORTED + timedelta(days=1), {**CHECKS, "warnings": [], "clean": True}),
                             (REPORTED + timedelta(days=2, minutes=n), CHECKS)):
            db_session.add(Rectification(hazard_id=hazard.id, measures="已整改", photo_ids=["p1", "p2"], checks=checks,
                                         submitted_by=district.users["li"].id, submitted_at=when))
        db_session.commit()
        expected[str(hazard.id)] = REPORTED + timedelta(days=2, minutes=n)
        none = add_hazard(db_session, district, plant=plants[n], area=IN_S1 if n % 2 else IN_S2,
                          reported=REPORTED + timedelta(minutes=2 * n + 1))
        expected[str(none.id)] = None
    return expected


@pytest.fixture
def statements(app):
    """Counts the SQL statements the app's engine runs while ``counting`` is on."""
    engine = app.extensions["db_engine"]
    counter = {"on": False, "n": 0}

    def count(*_):
        if counter["on"]:
            counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    yield counter
    event.remove(engine, "before_cursor_execute", count)


def _listed(client, district, statements, page_size: int) -> tuple[list, int]:
    statements.update(on=True, n=0)
    response = client.get(f"{API}/hazards?page_size={page_size}", headers=district["zhao"])
    statements["on"] = False
    return _ok(response), statements["n"]


def test_a_page_of_many_hazards_costs_the_same_few_statements(client, db_session, district, clock, statements):
    expected = _many_hazards(db_session, district, 30)
    small, small_cost = _listed(client, district, statements, 2)
    large, large_cost = _listed(client, district, statements, 60)
    assert len(small) == 2 and len(large) == 60
    # The caller, the count, the page, its enterprises, its summaries: whatever the page's size.
    assert large_cost == small_cost <= 6, (small_cost, large_cost)
    for item in large:
        summary = item["closure_summary"]
        assert item["enterprise_name"].startswith("企业")
        if expected[item["id"]] is None:
            assert summary is None
            continue
        assert (summary["photos"], summary["passed"], summary["clean"], summary["warnings"], summary["distance_m"],
                summary["within_radius"], summary["taken_after_report"], summary["same_as_evidence"]) == (
            2, True, False, ["near_duplicate", "outside_radius"], 140.0, False, True, True)
        assert datetime.fromisoformat(summary["submitted_at"]) == expected[item["id"]]


def test_the_summary_is_in_the_openapi_document(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    listed = schemas["Hazard"]["properties"]["closure_summary"]
    assert "null when no rectification was submitted" in listed["description"]
    summary = schemas["CheckSummary"]["properties"]
    assert {"passed", "clean", "warnings", "blocking", "distance_m", "within_radius", "taken_after_report",
            "same_as_evidence", "photos", "submitted_at", "rectification_id"} <= set(summary)
    assert "outside_radius" in summary["warnings"]["items"]["enum"]
    assert "closure_summary" in schemas["HazardDetail"]["properties"]
