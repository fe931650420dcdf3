"""What is kept about hazards and who sees it: lists and filters, extensions, the deadline sweep,
concurrent decisions and the tamper-evident audit trail."""
import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from api.schemas import NUL_MESSAGE
from tests.api.conftest import API, report
from tests.api.test_workflow import bring_to
from tests.factories import field_errors, make_enterprise

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ids(response):
    return sorted(h["id"] for h in response.get_json())


def test_each_role_sees_only_its_hazards(client, district, clock):
    ours = report(client, district["wang"], district.plant.id).get_json()["id"]
    theirs = report(client, district["zhang"], district.other_plant.id).get_json()["id"]
    assert ids(client.get(f"{API}/hazards", headers=district["li"])) == [ours]
    assert ids(client.get(f"{API}/hazards", headers=district["wang"])) == [ours]
    assert ids(client.get(f"{API}/hazards", headers=district["zhang"])) == [theirs]
    assert ids(client.get(f"{API}/hazards", headers=district["zhao"])) == sorted([ours, theirs])
    assert ids(client.get(f"{API}/hazards", headers=district["district_inspector"])) == sorted([ours, theirs])
    # Not visible answers exactly like not existing.
    hidden = client.get(f"{API}/hazards/{theirs}", headers=district["li"])
    missing = client.get(f"{API}/hazards/00000000-0000-4000-8000-000000000000", headers=district["li"])
    assert hidden.status_code == missing.status_code == 404
    assert client.get(f"{API}/hazards/{theirs}/events", headers=district["wang"]).status_code == 404


def test_filters_and_pagination(client, district, clock, db_session):
    # A shop registered in community C1 of S1: its hazards are filed under C1, wherever the phone's fix.
    shop = make_enterprise(db_session, name="永安里便利店", area_code="C1", venue_type="small_shop")
    general = report(client, district["wang"], district.plant.id, lat=39.9031, lon=116.4031).get_json()["id"]
    major = report(client, district["wang"], shop.id, severity="major", category="gas.hoses",
                   lat=39.908, lon=116.408).get_json()["id"]
    clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    late = report(client, district["zhang"], district.other_plant.id, category="electrical.wiring").get_json()["id"]
    client.post(f"{API}/hazards/{general}/acknowledge", json={}, headers=district["li"])
    get = lambda query: ids(client.get(f"{API}/hazards?{query}", headers=district["zhao"]))  # noqa: E731
    assert get("severity=major") == [major]
    assert get("status=acknowledged") == [general]
    assert get("status=open,acknowledged") == sorted([general, major, late])
    assert get("category=fire") == [general]
    assert get("category=gas.hoses") == [major]
    assert get(f"enterprise_id={district.other_plant.id}") == [late]
    assert get("area_code=S1") == sorted([general, major])  # the street includes its community C1
    assert get("area_code=C1") == [major]
    assert get("bbox=116.400,39.900,116.405,39.905") == [general]
    assert get("created_after=2026-10-01T00:00:00%2B08:00") == [late]
    assert get("created_before=2026-10-01T00:00:00%2B08:00") == sorted([general, major])
    # On 2026-10-20 the general hazards of 09-28 (deadline 10-13) are overdue; the major one is not.
    assert get("overdue=true") == [general]
    assert get("overdue=false") == sorted([major, late])
    page = client.get(f"{API}/hazards?page=2&page_size=2", headers=district["zhao"])
    assert len(page.get_json()) == 1
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    bad = client.get(f"{API}/hazards?bbox=1,2,3", headers=district["zhao"])
    assert bad.status_code == 422 and "bbox" in field_errors(bad)
    assert client.get(f"{API}/hazards?area_code=nowhere", headers=district["zhao"]).status_code == 422
    assert client.get(f"{API}/hazards?status=lost", headers=district["zhao"]).status_code == 422



@pytest.mark.parametrize("query, field", [("category=fire%00", "category"), ("area_code=S1%00", "area_code")])
def test_a_nul_character_in_a_filter_is_a_field_error(client, district, query, field):
    # PostgreSQL cannot compare text holding NUL; SQLite would just find nothing. Either way it is a typing slip.
    response = client.get(f"{API}/hazards?{query}", headers=district["zhao"])
    assert response.status_code == 422
    assert field_errors(response) == {field: [NUL_MESSAGE]}

def test_overdue_shows_on_the_hazard_from_the_day_after_the_deadline(client, district, clock):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]  # deadline 2026-10-13
    clock.set(datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI))
    assert client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["overdue"] is False
    clock.set(datetime(2026, 10, 14, 0, 0, 0, tzinfo=SHANGHAI))
    assert client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["overdue"] is True


def test_extension_asked_before_the_deadline_and_approved(client, district, clock):
    """李 needs three weeks for a new fire door: she asks, 赵 approves, the original deadline stays on record."""
    hazard_id, _ = bring_to(client, district, "acknowledged")
    ask = {"new_deadline": "2026-11-06", "reason": "防火门定制需三周"}
    asked = client.post(f"{API}/hazards/{hazard_id}/extensions", json=ask, headers=district["li"])
    assert asked.status_code == 201, asked.get_json()
    extension = asked.get_json()
    assert extension["status"] == "pending" and extension["previous_deadline"] == "2026-10-13"
    assert client.post(f"{API}/hazards/{hazard_id}/extensions", json=ask, headers=district["li"]).status_code == 201  # retry
    other = client.post(f"{API}/hazards/{hazard_id}/extensions", json={**ask, "new_deadline": "2026-11-20"}, headers=district["li"])
    assert other.status_code == 409  # one request at a time
    decision = f"{API}/hazards/{hazard_id}/extensions/{extension['id']}/decision"
    assert client.post(decision, json={"approve": True}, headers=district["wang"]).status_code == 403
    approved = client.post(decision, json={"approve": True, "comment": "同意"}, headers=district["zhao"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    hazard = client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()
    assert (hazard["deadline"], hazard["original_deadline"]) == ("2026-11-06", "2026-10-13")
    assert [e["status"] for e in hazard["extensions"]] == ["approved"]
    assert client.post(decision, json={"approve": False}, headers=district["zhao"]).status_code == 409
    actions = [e["action"] for e in client.get(f"{API}/hazards/{hazard_id}/events", headers=district["li"]).get_json()]
    assert actions.count("extension_requested") == 1 and actions.count("extension_approved") == 1


def test_extension_rules(client, district, clock):
    hazard_id, _ = bring_to(client, district, "open")
    url = f"{API}/hazards/{hazard_id}/extensions"
    earlier = client.post(url, json={"new_deadline": "2026-10-12", "reason": "x"}, headers=district["li"])
    assert earlier.status_code == 422 and "new_deadline" in field_errors(earlier)
    assert client.post(url, json={"new_deadline": "2026-11-06", "reason": "x"}, headers=district["wang"]).status_code == 403
    assert client.post(url, json={"new_deadline": "2026-11-06", "reason": "x"}, headers=district["other_officer"]).status_code == 404
    refused_id = client.post(url, json={"new_deadline": "2026-11-06", "reason": "x"}, headers=district["li"]).get_json()["id"]
    refused = client.post(f"{url}/{refused_id}/decision", json={"approve": False, "comment": "理由不足"}, headers=district["zhao"])
    assert refused.get_json()["status"] == "refused"
    assert client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()["deadline"] == "2026-10-13"
    clock.set(datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI))
    late = client.post(url, json={"new_deadline": "2026-11-06", "reason": "x"}, headers=district["li"])
    assert late.status_code == 409  # asked after the deadline


@pytest.mark.parametrize("extension_id", [2**31, 2**63, 10**20])  # past the 32-bit column; past SQLite's 64 bits
def test_extension_ids_no_row_can_have_are_404(client, district, extension_id):
    hazard_id, _ = bring_to(client, district, "acknowledged")
    decision = client.post(f"{API}/hazards/{hazard_id}/extensions/{extension_id}/decision", json={"approve": True},
                           headers=district["zhao"])
    assert decision.status_code == 404


def test_sweep_records_due_soon_and_overdue_once(client, runner, district, clock):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]  # deadline Tue 2026-10-13
    clock.set(datetime(2026, 10, 9, 12, 0, tzinfo=SHANGHAI))  # Friday: two working days ahead, not yet
    assert "0 due soon" in runner.invoke(args=["hazards", "sweep"]).output
    clock.set(datetime(2026, 10, 12, 8, 0, tzinfo=SHANGHAI))  # Monday, the working day before
    first = runner.invoke(args=["hazards", "sweep"])
    assert first.exit_code == 0 and "1 due soon" in first.output
    assert "0 due soon" in runner.invoke(args=["hazards", "sweep"]).output
    clock.set(datetime(2026, 10, 14, 0, 1, tzinfo=SHANGHAI))
    assert "1 newly overdue" in runner.invoke(args=["hazards", "sweep"]).output
    assert "0 newly overdue" in runner.invoke(args=["hazards", "sweep"]).output
    actions = [e["action"] for e in client.get(f"{API}/hazards/{hazard_id}/events", headers=district["li"]).get_json()]
    assert actions == ["reported", "due_soon", "overdue"]


def test_sweep_skips_closed_and_void_hazards(client, runner, district, clock):
    bring_to(client, district, "void")
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    assert "0 newly overdue" in runner.invoke(args=["hazards", "sweep"]).output


def test_two_reviewers_deciding_at_once_make_exactly_one_transition(app, client, district):
    hazard_id, _ = bring_to(client, district, "submitted")
    barrier = threading.Barrier(2)
    answers = {}

    def decide(who, decision):
        local = app.test_client()
        barrier.wait()
        answers[who] = local.post(f"{API}/hazards/{hazard_id}/review", json={"decision": decision, "comment": who},
                                  headers=district[who]).status_code

    threads = [threading.Thread(target=decide, args=("zhao", "approve")),
               threading.Thread(target=decide, args=("zhou", "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 409]
    trail = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()
    decisions = [e for e in trail if e["action"] in ("approve", "reject")]
    assert len(decisions) == 1


def test_a_stale_read_loses_to_a_committed_decision(app, district, client):
    """The optimistic lock itself: two sessions read the same version; the second to write gets a conflict."""
    import uuid as uuid_module

    import pytest

    from inspections import transitions
    from inspections.errors import Conflict
    from inspections.models import User

    hazard_id, _ = bring_to(client, district, "submitted")
    first, second = app.extensions["db_sessions"](), app.extensions["db_sessions"]()
    try:
        zhao, zhou = first.get(User, district.users["zhao"].id), second.get(User, district.users["zhou"].id)
        from inspections.hazards import get_hazard

        get_hazard(second, zhou, uuid_module.UUID(hazard_id))  # zhou has the hazard open
        now = datetime.now(SHANGHAI)
        transitions.review(first, zhao, uuid_module.UUID(hazard_id), now=now, approve=True, comment="ok")
        with pytest.raises(Conflict):
            transitions.review(second, zhou, uuid_module.UUID(hazard_id), now=now, approve=False, comment="no")
    finally:
        first.close()
        second.close()


def test_audit_verify_finds_a_changed_and_a_deleted_event(app, client, runner, district):
    hazard_id, _ = bring_to(client, district, "submitted")
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "intact" in intact.output
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        connection.execute(text("UPDATE hazard_events SET comment = 'nothing to see' WHERE seq = 2"))
    changed = runner.invoke(args=["audit", "verify"])
    assert changed.exit_code != 0
    assert "event #2 (acknowledge by li at " in changed.output and "its content was changed" in changed.output
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM hazard_events WHERE seq = 3"))
    deleted = runner.invoke(args=["audit", "verify"])
    assert "event #3 is missing" in deleted.output
    assert hazard_id.replace("-", "") in deleted.output.replace("-", "")
