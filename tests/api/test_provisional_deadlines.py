"""Deadlines into a year whose State Council holiday notice is not known (issue 13.5).

Today is Friday 2026-12-04. chinese-calendar 1.11.0 ends with 2026, so 2027 counts its statutory holidays (worked
out by hand in tests/unit/test_statutory_holidays.py: 元旦 Fri 01-01; 春节 Fri 02-05 (除夕) to Mon 02-08) and weekends,
and every deadline counted through it is provisional until admins enter the notice and decide.
"""
import logging
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from api.calendar_warning import calendar_warning, warn_at_start
from tests.api.conftest import API, report
from tests.factories import field_errors

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A made-up 2027 notice for the tests (the real one is not out): 元旦 Fri 01-01 with Mon 01-04 off too; 春节
# Fri 02-05 to Sat 02-13 with a make-up working Saturday 02-20.
NOTICE_2027 = [
    {"day": "2027-01-01", "is_workday": False, "note": "元旦"},
    {"day": "2027-01-04", "is_workday": False, "note": "元旦"},
    *({"day": f"2027-02-{d:02d}", "is_workday": False, "note": "春节"} for d in range(5, 14)),
    {"day": "2027-02-20", "is_workday": True, "note": "春节调休上班"},
]


@pytest.fixture
def today(clock):
    clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI))
    return clock


def hazard(client, district, hazard_id):
    return client.get(f"{API}/hazards/{hazard_id}", headers=district["zhao"]).get_json()


def enter_notice(client, district, days=NOTICE_2027):
    response = client.put(f"{API}/calendar/overrides", json={"days": days}, headers=district["admin"])
    assert response.status_code == 200, response.get_json()


def test_a_major_hazard_reported_on_2026_12_04_skips_new_years_day_and_says_it_is_provisional(client, district, today):
    # 30 working days: Dec 7-31 give 19, [Fri 01-01 元旦], Jan 4-15 give 10, Mon 01-18 (Monday-Friday said 01-15).
    created = report(client, district["wang"], district.plant.id, severity="major")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["deadline"], body["original_deadline"]) == ("2027-01-18", "2027-01-18")
    assert body["provisional"] is True
    assert "2027" in body["provisional_reason"] and "notice" in body["provisional_reason"]
    assert (body["deadline_counted_from"], body["deadline_working_days"]) == ("2026-12-04", 30)
    listed = client.get(f"{API}/hazards", headers=district["zhao"]).get_json()
    assert [(h["id"], h["provisional"]) for h in listed] == [(body["id"], True)]
    events = client.get(f"{API}/hazards/{body['id']}/events", headers=district["zhao"]).get_json()
    assert events[0]["details"]["assumed_years"] == [2027]


def test_a_deadline_inside_2026_is_not_provisional(client, district, today):
    body = report(client, district["wang"], district.plant.id).get_json()
    assert (body["deadline"], body["provisional"], body["provisional_reason"]) == ("2026-12-15", False, None)


def test_an_extension_into_2027_is_provisional_and_so_is_the_deadline_it_gives(client, district, today):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    asked = client.post(f"{API}/hazards/{hazard_id}/extensions",
                        json={"new_deadline": "2027-02-05", "reason": "设备年后到货"}, headers=district["li"])
    assert asked.status_code == 201, asked.get_json()
    extension = asked.get_json()
    # 除夕 (Fri) to 初三 (Mon) are the law's four days off: the first working day is Tue 02-09.
    assert (extension["requested_deadline"], extension["new_deadline"]) == ("2027-02-05", "2027-02-09")
    assert extension["provisional"] is True and "2027" in extension["provisional_reason"]
    retry = client.post(f"{API}/hazards/{hazard_id}/extensions",
                        json={"new_deadline": "2027-02-05", "reason": "设备年后到货"}, headers=district["li"])
    assert (retry.status_code, retry.get_json()["id"]) == (201, extension["id"])  # the date asked for, not the moved one
    decision = client.post(f"{API}/hazards/{hazard_id}/extensions/{extension['id']}/decision",
                           json={"approve": True}, headers=district["zhao"])
    assert decision.status_code == 200, decision.get_json()
    after = hazard(client, district, hazard_id)
    assert (after["deadline"], after["original_deadline"], after["provisional"]) == ("2027-02-09", "2026-12-15", True)
    assert (after["deadline_counted_from"], after["deadline_working_days"]) == ("2027-02-05", None)
    assert [e["provisional"] for e in after["extensions"]] == [True]


def test_admins_are_told_which_notice_is_missing(client, district, today):
    report(client, district["wang"], district.plant.id, severity="major")
    status = client.get(f"{API}/calendar/status", headers=district["admin"])
    assert status.status_code == 200, status.get_json()
    body = status.get_json()
    assert body["years_known"][0] == 2004 and body["years_known"][-1] == 2026
    assert (body["years_entered"], body["years_assumed"]) == ([], [2027])
    assert (body["provisional_deadlines"], body["changes_waiting"]) == (1, 0)
    assert "2027" in body["warning"] and "/calendar/overrides" in body["warning"]
    assert client.get(f"{API}/calendar/status", headers=district["li"]).status_code == 403
    enter_notice(client, district)
    body = client.get(f"{API}/calendar/status", headers=district["zhao"]).get_json()
    assert (body["years_entered"], body["years_assumed"]) == ([2027], [])
    assert (body["provisional_deadlines"], body["changes_waiting"]) == (1, 1)
    assert "provisional-changes" in body["warning"]


def test_entering_the_notice_lists_the_changes_and_moves_nothing_until_an_admin_applies_them(client, district, today):
    moved = report(client, district["wang"], district.plant.id, severity="major").get_json()  # 2027-01-18
    asked = report(client, district["wang"], district.plant.id, deadline="2027-02-09").get_json()  # Tue: stays
    same = report(client, district["wang"], district.plant.id, deadline="2027-03-01").get_json()  # Mon: stays
    known = report(client, district["wang"], district.plant.id).get_json()  # 2026-12-15
    assert [h["provisional"] for h in (moved, asked, same, known)] == [True, True, True, False]
    assert client.get(f"{API}/calendar/provisional-changes", headers=district["admin"]).get_json() == []

    enter_notice(client, district)
    listed = client.get(f"{API}/calendar/provisional-changes", headers=district["admin"])
    assert listed.status_code == 200, listed.get_json()
    changes = {c["hazard_id"]: c for c in listed.get_json()}
    assert set(changes) == {moved["id"], asked["id"], same["id"]}
    # Mon 01-04 off as well: one working day later. 02-09 falls in the notice's 春节: the first working day after
    # 02-13 is Mon 02-15. 03-01 is untouched, only no longer provisional.
    assert {k: (c["deadline"], c["new_deadline"], c["moves"]) for k, c in changes.items()} == {
        moved["id"]: ("2027-01-18", "2027-01-19", True),
        asked["id"]: ("2027-02-09", "2027-02-15", True),
        same["id"]: ("2027-03-01", "2027-03-01", False),
    }
    assert (changes[moved["id"]]["counted_from"], changes[moved["id"]]["working_days"]) == ("2026-12-04", 30)
    assert (changes[asked["id"]]["counted_from"], changes[asked["id"]]["working_days"]) == ("2027-02-09", None)
    assert changes[moved["id"]]["assumed_years"] == [2027] and changes[moved["id"]]["still_assumed"] == []
    assert changes[moved["id"]]["enterprise_name"] == "示范机械厂"
    # Nothing moved by itself: the enterprise was told 01-18.
    assert (hazard(client, district, moved["id"])["deadline"], hazard(client, district, moved["id"])["provisional"]) \
        == ("2027-01-18", True)

    apply = f"{API}/calendar/provisional-changes/apply"
    assert client.post(apply, json={"hazard_ids": [moved["id"]]}, headers=district["zhao"]).status_code == 403
    applied = client.post(apply, json={"hazard_ids": [moved["id"], same["id"], known["id"]]}, headers=district["admin"])
    assert applied.status_code == 200, applied.get_json()
    assert [(a["hazard_id"], a["outcome"], a["deadline"]) for a in applied.get_json()] == [
        (moved["id"], "moved", "2027-01-19"), (same["id"], "confirmed", "2027-03-01"),
        (known["id"], "unchanged", "2026-12-15")]
    after = hazard(client, district, moved["id"])
    assert (after["deadline"], after["original_deadline"], after["provisional"], after["provisional_reason"]) == (
        "2027-01-19", "2027-01-19", False, None)
    assert hazard(client, district, same["id"])["provisional"] is False
    events = client.get(f"{API}/hazards/{moved['id']}/events", headers=district["zhao"]).get_json()
    recount = events[-1]
    assert (recount["action"], recount["actor_role"]) == ("deadline_recounted", "admin")
    assert recount["details"] == {"deadline": "2027-01-18", "new_deadline": "2027-01-19", "counted_from": "2026-12-04",
                                  "working_days": 30, "assumed_years": [2027], "still_assumed": []}
    # The one not applied waits; a retry of the applied ones changes nothing and records nothing.
    left = client.get(f"{API}/calendar/provisional-changes", headers=district["admin"]).get_json()
    assert [c["hazard_id"] for c in left] == [asked["id"]]
    again = client.post(apply, json={"hazard_ids": [moved["id"]]}, headers=district["admin"]).get_json()
    assert [a["outcome"] for a in again] == ["unchanged"]
    assert len(client.get(f"{API}/hazards/{moved['id']}/events", headers=district["zhao"]).get_json()) == len(events)


def test_applying_an_unknown_hazard_applies_nothing(client, district, today):
    moved = report(client, district["wang"], district.plant.id, severity="major").get_json()
    enter_notice(client, district)
    nobody = str(uuid.uuid4())
    response = client.post(f"{API}/calendar/provisional-changes/apply",
                           json={"hazard_ids": [moved["id"], nobody]}, headers=district["admin"])
    assert response.status_code == 422
    assert nobody in str(field_errors(response)["hazard_ids"])
    assert hazard(client, district, moved["id"])["deadline"] == "2027-01-18"
    empty = client.post(f"{API}/calendar/provisional-changes/apply", json={"hazard_ids": []}, headers=district["admin"])
    assert empty.status_code == 422 and "hazard_ids" in field_errors(empty)


def test_an_extension_the_recount_overtook_cannot_shorten_the_deadline(client, district, today):
    hazard_id = report(client, district["wang"], district.plant.id, deadline="2027-02-09").get_json()["id"]
    extension = client.post(f"{API}/hazards/{hazard_id}/extensions", json={"new_deadline": "2027-02-10", "reason": "x"},
                            headers=district["li"]).get_json()
    enter_notice(client, district)
    applied = client.post(f"{API}/calendar/provisional-changes/apply", json={"hazard_ids": [hazard_id]},
                          headers=district["admin"]).get_json()
    assert applied[0]["deadline"] == "2027-02-15"
    decision = client.post(f"{API}/hazards/{hazard_id}/extensions/{extension['id']}/decision",
                           json={"approve": True}, headers=district["zhao"])
    assert decision.status_code == 409 and "2027-02-15" in decision.get_json()["message"]
    assert hazard(client, district, hazard_id)["deadline"] == "2027-02-15"


def test_the_warning_is_logged_once_at_start_and_not_per_request(app, client, district, today, caplog):
    report(client, district["wang"], district.plant.id, severity="major")
    caplog.set_level(logging.WARNING, logger="api.calendar")
    warn_at_start(app).join()
    for _ in range(3):
        client.get(f"{API}/hazards", headers=district["zhao"])
    warnings = [r.getMessage() for r in caplog.records if r.name == "api.calendar"]
    assert len(warnings) == 1 and "2027" in warnings[0], warnings
    enter_notice(client, district)
    assert "provisional-changes" in calendar_warning(app)


def test_the_flask_command_says_it_too(app, district, today):
    result = app.test_cli_runner().invoke(args=["calendar", "status"])
    assert result.exit_code == 0, result.output
    assert "Assumed (statutory holidays only): 2027." in result.output
    assert "WARNING: The State Council's holiday notice for 2027 is not entered" in result.output


def test_hazards_recorded_before_the_basis_was_kept_are_recognised_once(app, client, district, db_session, today):
    from sqlalchemy import update

    from inspections.models import Hazard

    major = report(client, district["wang"], district.plant.id, severity="major").get_json()
    explicit = report(client, district["wang"], district.plant.id, deadline="2027-03-01").get_json()
    # As the rows were before migration 0012: no basis, and the major one counted Monday to Friday (01-01 worked).
    db_session.execute(update(Hazard).values(deadline_counted_from=None, deadline_working_days=None,
                                             deadline_assumed_years=None))
    db_session.execute(update(Hazard).where(Hazard.id == uuid.UUID(major["id"]))
                       .values(deadline=date(2027, 1, 15), original_deadline=date(2027, 1, 15)))
    db_session.commit()
    assert hazard(client, district, major["id"])["provisional"] is False
    status = client.get(f"{API}/calendar/status", headers=district["admin"]).get_json()
    assert status["unrecorded_deadlines"] == 2 and "calendar record-bases" in status["warning"]

    result = app.test_cli_runner().invoke(args=["calendar", "record-bases"])
    assert result.exit_code == 0, result.output
    assert "recorded for 2 hazard(s); 2 of them provisional" in result.output
    after = hazard(client, district, major["id"])
    assert (after["deadline"], after["provisional"], after["deadline_counted_from"], after["deadline_working_days"]) \
        == ("2027-01-15", True, "2026-12-04", 30)
    assert hazard(client, district, explicit["id"])["deadline_counted_from"] == "2027-03-01"
    # The count by the law's holidays is offered for a decision; the date asked for on a working day stays.
    changes = client.get(f"{API}/calendar/provisional-changes", headers=district["admin"]).get_json()
    assert [(c["hazard_id"], c["deadline"], c["new_deadline"]) for c in changes] == [
        (major["id"], "2027-01-15", "2027-01-18")]
    again = app.test_cli_runner().invoke(args=["calendar", "record-bases"])
    assert "recorded for 0 hazard(s)" in again.output
    assert client.get(f"{API}/calendar/status", headers=district["admin"]).get_json()["unrecorded_deadlines"] == 0
