"""The editable reference lists: hazard taxonomy, campaigns, working-day corrections; and settings that
change deadlines."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import API, report
from tests.factories import field_errors


def test_the_seeded_taxonomy_has_the_contracts_top_level_codes(client, district):
    categories = client.get(f"{API}/categories", headers=district["wang"]).get_json()
    top = {c["code"]: c["name"] for c in categories if c["parent_code"] is None}
    assert top == {
        "fire": "消防安全", "electrical": "用电安全", "special_equipment": "特种设备", "hazardous_chemicals": "危险化学品",
        "confined_space": "有限空间", "combustible_dust": "粉尘涉爆", "gas": "燃气安全", "construction": "建筑施工",
        "occupational_health": "职业健康", "other": "其他",
    }
    assert {"code": "fire.exits", "name": "疏散通道", "parent_code": "fire", "active": True, "radius_m": None} in categories


def test_admins_edit_the_taxonomy_and_retired_codes_take_no_new_hazards(client, district, clock):
    added = client.post(f"{API}/categories", json={"code": "fire.kitchen_hoods", "name": "厨房排油烟罩", "parent_code": "fire"},
                        headers=district["admin"])
    assert added.status_code == 201
    assert report(client, district["wang"], district.plant.id, category="fire.kitchen_hoods").status_code == 201
    assert client.post(f"{API}/categories", json={"code": "x.y", "name": "x", "parent_code": "fire"},
                       headers=district["admin"]).status_code == 422
    assert client.post(f"{API}/categories", json={"code": "fire.kitchen_hoods", "name": "again", "parent_code": "fire"},
                       headers=district["admin"]).status_code == 409
    assert client.patch(f"{API}/categories/fire.kitchen_hoods", json={"active": False}, headers=district["zhao"]).status_code == 403
    retired = client.patch(f"{API}/categories/fire.kitchen_hoods", json={"active": False}, headers=district["admin"])
    assert retired.get_json()["active"] is False
    refused = report(client, district["wang"], district.plant.id, category="fire.kitchen_hoods")
    assert refused.status_code == 422 and "category" in field_errors(refused)
    listed = [c["code"] for c in client.get(f"{API}/categories", headers=district["wang"]).get_json()]
    assert "fire.kitchen_hoods" not in listed
    everything = client.get(f"{API}/categories?include_inactive=true", headers=district["wang"]).get_json()
    assert "fire.kitchen_hoods" in [c["code"] for c in everything]


def test_campaigns_and_inspections_in_them(client, district):
    month = {"name": "2026年安全生产月", "theme": "人人讲安全、个个会应急——查找身边安全隐患", "starts_on": "2026-06-01",
             "ends_on": "2026-06-30"}
    created = client.post(f"{API}/campaigns", json=month, headers=district["admin"])
    assert created.status_code == 201
    backwards = client.post(f"{API}/campaigns", json={**month, "ends_on": "2026-05-01"}, headers=district["admin"])
    assert backwards.status_code == 422 and "ends_on" in field_errors(backwards)
    campaign_id = created.get_json()["id"]
    inspection = client.post(f"{API}/inspections", json={"enterprise_id": district.plant.id, "kind": "special",
                                                         "campaign": campaign_id}, headers=district["wang"])
    assert inspection.status_code == 201
    in_campaign = client.get(f"{API}/inspections?campaign={campaign_id}", headers=district["zhao"]).get_json()
    assert [i["id"] for i in in_campaign] == [inspection.get_json()["id"]]


def test_only_admins_add_campaigns_everyone_signed_in_reads_them(client, district):
    month = {"name": "2026年安全生产月", "theme": "查找身边安全隐患", "starts_on": "2026-06-01", "ends_on": "2026-06-30"}
    for who in ("zhao", "wang", "li"):  # reviewer, inspector, enterprise officer
        refused = client.post(f"{API}/campaigns", json=month, headers=district[who])
        assert refused.status_code == 403, who
        assert "admin" in refused.get_json()["message"]
    assert client.get(f"{API}/campaigns", headers=district["zhao"]).get_json() == []
    created = client.post(f"{API}/campaigns", json=month, headers=district["admin"])
    assert created.status_code == 201
    for who in ("zhao", "wang", "li"):
        listed = client.get(f"{API}/campaigns", headers=district[who])
        assert [c["name"] for c in listed.get_json()] == ["2026年安全生产月"]
        one = client.get(f"{API}/campaigns/{created.get_json()['id']}", headers=district[who])
        assert one.status_code == 200 and one.get_json()["theme"] == "查找身边安全隐患"


def test_working_day_corrections_can_be_listed_and_removed(client, district, clock):
    days = [{"day": "2027-01-01", "is_workday": False, "note": "元旦"}, {"day": "2027-02-07", "is_workday": True, "note": "调休上班"}]
    assert client.put(f"{API}/calendar/overrides", json={"days": days}, headers=district["admin"]).status_code == 200
    listed = client.get(f"{API}/calendar/overrides?year=2027", headers=district["wang"]).get_json()
    assert [(d["day"], d["is_workday"]) for d in listed] == [("2027-01-01", False), ("2027-02-07", True)]
    assert client.delete(f"{API}/calendar/overrides/2027-02-07", headers=district["admin"]).status_code == 204
    assert len(client.get(f"{API}/calendar/overrides", headers=district["wang"]).get_json()) == 1
    twice = client.put(f"{API}/calendar/overrides", json={"days": days[:1] * 2}, headers=district["admin"])
    assert twice.status_code == 422


def test_the_default_periods_are_settings(app, client, district, clock, monkeypatch):
    monkeypatch.setitem(app.config, "GENERAL_DEADLINE_WORKING_DAYS", 3)
    # Monday 2026-09-28 + 3 working days: 29, 30 September, then National Day until 8 October.
    assert report(client, district["wang"], district.plant.id).get_json()["deadline"] == "2026-10-08"


def test_events_keep_the_phones_own_time(client, district, clock):
    hazard_id = report(client, district["wang"], district.plant.id,
                       reported_at="2026-09-28T09:41:00+08:00").get_json()["id"]
    client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={"client_time": "2026-09-28T09:55:00+08:00"},
                headers=district["li"])
    events = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["li"]).get_json()
    server = datetime(2026, 9, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert [datetime.fromisoformat(e["at"]) for e in events] == [server, server]
    assert [datetime.fromisoformat(e["client_at"]) for e in events] == [
        datetime(2026, 9, 28, 9, 41, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2026, 9, 28, 9, 55, tzinfo=ZoneInfo("Asia/Shanghai")),
    ]


@pytest.mark.parametrize("campaign_id", [2**31, 2**63, 10**20])  # past the 32-bit column; past SQLite's 64 bits
def test_campaign_ids_no_row_can_have_are_404(client, district, campaign_id):
    assert client.get(f"{API}/campaigns/{campaign_id}", headers=district["zhao"]).status_code == 404
