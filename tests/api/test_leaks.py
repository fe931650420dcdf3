"""What a caller must not learn about what they may not see (issue 12, item 8).

- A rectification refused as an exact re-use says the picture was used before; it names the other hazard and photo
  only to a caller who may see that hazard anyway, never another street's or another enterprise's.
- Stored checks that matched such a photo (when the district lets re-use only warn) are shown without those ids.
- A hazard found in a covert inspection (暗访) shows its enterprise's officer no inspection at all, wherever the
  hazard is shown (detail, lists, the ledger, the notice, OGC, the map, the audit trail), exactly as
  ``GET /inspections/{id}`` hides it; the inspectors and reviewers still see it.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, rectification_photo, report
from tests.api.test_notice_pdf import notice_font, read_pdf  # noqa: F401 (a fixture)
from tests.factories import field_errors, make_user, upload_photo

RESTAURANT_LAT, RESTAURANT_LON = 39.905, 116.415
REUSED = "exexif_sunrise.jpg"


def _close_with(client, district, *, inspector, officer, enterprise_id, lat, lon, name=REUSED) -> tuple[str, str]:
    """A hazard reported, acknowledged, submitted with the photo ``name`` and approved: (hazard id, photo id)."""
    hazard = report(client, district[inspector], enterprise_id, lat=lat, lon=lon).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard}/acknowledge", json={}, headers=district[officer]).status_code == 200
    photo = upload_photo(client, district[officer], hazard, name=name, lat=lat, lon=lon,
                         taken_at=datetime.now(timezone.utc))
    assert photo.status_code == 201, photo.get_json()
    photo_id = photo.get_json()["id"]
    submitted = client.post(f"{API}/hazards/{hazard}/rectification", json={"measures": "已清理", "photo_ids": [photo_id]},
                            headers=district[officer])
    assert submitted.status_code == 200, submitted.get_json()
    approved = client.post(f"{API}/hazards/{hazard}/review", json={"decision": "approve", "comment": "现场复查合格"},
                           headers=district[inspector])
    assert approved.status_code == 200, approved.get_json()
    return hazard, photo_id


def _resubmit(client, district, name=REUSED):
    """李 sends the same picture for a new hazard of his plant."""
    hazard = report(client, district["wang"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard}/acknowledge", json={}, headers=district["li"]).status_code == 200
    photo = upload_photo(client, district["li"], hazard, name=name, lat=PLANT_LAT, lon=PLANT_LON,
                         taken_at=datetime.now(timezone.utc)).get_json()["id"]
    response = client.post(f"{API}/hazards/{hazard}/rectification", json={"measures": "已清理", "photo_ids": [photo]},
                           headers=district["li"])
    return hazard, photo, response


def test_a_re_use_of_another_streets_photo_is_refused_without_naming_it(client, district, clock):
    theirs, their_photo = _close_with(client, district, inspector="zhang", officer="other_officer",
                                      enterprise_id=district.other_plant.id, lat=RESTAURANT_LAT, lon=RESTAURANT_LON)
    _hazard, photo, refused = _resubmit(client, district)
    assert refused.status_code == 422
    text = str(refused.get_json())
    reason = " ".join(field_errors(refused)["photo_ids"])
    assert photo in reason and "exact_reuse" in reason
    assert "used before to close another hazard" in reason
    assert theirs not in text and their_photo not in text


def test_a_re_use_of_a_photo_the_officer_may_see_names_the_hazard_it_closed(client, district, clock):
    ours, our_photo = _close_with(client, district, inspector="wang", officer="li", enterprise_id=district.plant.id,
                                  lat=PLANT_LAT, lon=PLANT_LON)
    _hazard, _photo, refused = _resubmit(client, district)
    assert refused.status_code == 422
    reason = " ".join(field_errors(refused)["photo_ids"])
    assert f"as photo {our_photo}, which closed hazard {ours}" in reason


def test_where_re_use_only_warns_the_stored_match_hides_another_streets_hazard(client, app, district, clock,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "CLOSURE_BLOCKING", ())
    theirs, their_photo = _close_with(client, district, inspector="zhang", officer="other_officer",
                                      enterprise_id=district.other_plant.id, lat=RESTAURANT_LAT, lon=RESTAURANT_LON)
    hazard, _photo, submitted = _resubmit(client, district)
    assert submitted.status_code == 200, submitted.get_json()
    for who in ("li", "wang"):  # the plant's officer and the plant's inspector may not see the restaurant's hazard
        detail = client.get(f"{API}/hazards/{hazard}", headers=district[who])
        assert theirs not in detail.get_data(as_text=True) and their_photo not in detail.get_data(as_text=True)
        match = detail.get_json()["closure_checks"]["photos"][0]["matches"][0]
        assert match == {"role": "closed_other", "how": "exact", "bits": 0, "hazard_id": None, "photo_id": None,
                         "hidden": True}
        assert detail.get_json()["closure_checks"]["photos"][0]["problems"][0] == "exact_reuse"
    # The district reviewer sees every hazard, so the match names it.
    match = client.get(f"{API}/hazards/{hazard}", headers=district["zhao"]).get_json()["closure_checks"]["photos"][0]
    assert (match["matches"][0]["hazard_id"], match["matches"][0]["photo_id"]) == (theirs, their_photo)


def test_a_re_inspectors_own_re_used_photo_in_the_trail_hides_another_streets_hazard(client, app, district, clock,
                                                                                    monkeypatch):
    monkeypatch.setitem(app.config, "CLOSURE_BLOCKING", ())
    theirs, their_photo = _close_with(client, district, inspector="zhang", officer="other_officer",
                                      enterprise_id=district.other_plant.id, lat=RESTAURANT_LAT, lon=RESTAURANT_LON)
    # 李 submits his own picture; 王 re-inspects with the restaurant's picture: his re-inspection checks find it.
    hazard = report(client, district["wang"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard}/acknowledge", json={}, headers=district["li"]).status_code == 200
    own = rectification_photo(client, district["li"], hazard).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard}/rectification", json={"measures": "已清理", "photo_ids": [own]},
                       headers=district["li"]).status_code == 200
    assert upload_photo(client, district["wang"], hazard, name=REUSED, lat=PLANT_LAT, lon=PLANT_LON,
                        taken_at=datetime.now(timezone.utc)).status_code == 201
    assert client.post(f"{API}/hazards/{hazard}/review", json={"decision": "approve", "comment": "复查合格"},
                       headers=district["wang"]).status_code == 200
    trail = client.get(f"{API}/hazards/{hazard}/events", headers=district["li"])
    assert trail.status_code == 200
    assert theirs not in trail.get_data(as_text=True) and their_photo not in trail.get_data(as_text=True)
    reviewed = client.get(f"{API}/hazards/{hazard}/events", headers=district["zhao"]).get_data(as_text=True)
    assert theirs in reviewed  # the reviewer's trail is the one written


# --- covert inspections (暗访) ------------------------------------------------------------------------------


@pytest.fixture
def covert(client, district, db_session):
    """A covert and an unannounced inspection at the plant, each with a hazard and an evidence photo; the covert one
    with a colleague whose name nobody at the plant may read."""
    colleague = make_user(db_session, "anfang", "inspector", area_code="S1", display_name="暗访组员")
    found = {}
    for kind in ("covert", "unannounced"):
        inspection = client.post(f"{API}/inspections", json={
            "enterprise_id": district.plant.id, "kind": kind, "inspector_ids": [colleague.id]}, headers=district["wang"])
        assert inspection.status_code == 201, inspection.get_json()
        hazard = report(client, district["wang"], district.plant.id, inspection_id=inspection.get_json()["id"],
                        lat=PLANT_LAT, lon=PLANT_LON).get_json()
        assert upload_photo(client, district["wang"], hazard["id"], kind="evidence", lat=PLANT_LAT, lon=PLANT_LON,
                            taken_at=datetime.now(timezone.utc)).status_code == 201
        found[kind] = (inspection.get_json()["id"], hazard["id"])
    return found


def _answers_about(client, headers, hazard_id) -> dict[str, str]:
    """Every answer in which the hazard is shown, as text."""
    pages = {
        "detail": f"{API}/hazards/{hazard_id}",
        "list": f"{API}/hazards",
        "events": f"{API}/hazards/{hazard_id}/events",
        "photos": f"{API}/hazards/{hazard_id}/photos",
        "csv": f"{API}/exports/hazards.csv",
        "ogc item": f"/ogc/collections/hazards/items/{hazard_id}",
        "ogc items": "/ogc/collections/hazards/items",
        "map": f"{API}/map/hazards?zoom=18",
    }
    answers = {}
    for name, url in pages.items():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.get_json())
        answers[name] = response.get_data(as_text=True)
    return answers


def test_the_officer_is_shown_no_covert_inspection_wherever_the_hazard_is_shown(client, district, covert, clock):
    covert_inspection, covert_hazard = covert["covert"]
    open_inspection, open_hazard = covert["unannounced"]
    assert client.get(f"{API}/inspections/{covert_inspection}", headers=district["li"]).status_code == 404
    for name, text in _answers_about(client, district["li"], covert_hazard).items():
        assert covert_inspection not in text, name
    shown = {h["id"]: h["inspection_id"] for h in client.get(f"{API}/hazards", headers=district["li"]).get_json()}
    assert shown == {covert_hazard: None, open_hazard: open_inspection}
    assert client.get(f"{API}/hazards/{covert_hazard}", headers=district["li"]).get_json()["inspection_id"] is None
    # A step the officer takes answers with the hazard too.
    acknowledged = client.post(f"{API}/hazards/{covert_hazard}/acknowledge", json={}, headers=district["li"])
    assert acknowledged.status_code == 200 and acknowledged.get_json()["inspection_id"] is None
    # Those who may see the inspection still do.
    for who in ("wang", "zhao"):
        assert client.get(f"{API}/hazards/{covert_hazard}", headers=district[who]).get_json()["inspection_id"] == \
            covert_inspection
        listed = client.get(f"{API}/inspections/{covert_inspection}/hazards", headers=district[who]).get_json()
        assert [(h["id"], h["inspection_id"]) for h in listed] == [(covert_hazard, covert_inspection)]


def test_the_officers_notice_of_a_covert_hazard_is_signed_by_the_reporter_alone(client, district, covert, clock,
                                                                              notice_font):
    _inspection, covert_hazard = covert["covert"]
    _open, open_hazard = covert["unannounced"]
    _reader, officers = read_pdf(client.get(f"{API}/hazards/{covert_hazard}/notice.pdf", headers=district["li"]))
    assert "王" in officers and "暗访组员" not in officers
    _reader, inspectors = read_pdf(client.get(f"{API}/hazards/{covert_hazard}/notice.pdf", headers=district["wang"]))
    assert "王、暗访组员" in inspectors
    _reader, announced = read_pdf(client.get(f"{API}/hazards/{open_hazard}/notice.pdf", headers=district["li"]))
    assert "王、暗访组员" in announced  # an inspection the officer knows of signs as it always did


def test_a_report_naming_another_streets_inspection_is_told_it_does_not_exist(client, district, covert):
    inspection, _hazard = covert["unannounced"]
    missing = str(uuid.uuid4())
    answers = [report(client, district["zhang"], district.other_plant.id, inspection_id=i) for i in (inspection, missing)]
    assert [a.status_code for a in answers] == [422, 422]
    assert [field_errors(a)["inspection_id"][0].replace(i, "?") for a, i in zip(answers, (inspection, missing))] == \
        ["There is no inspection ?."] * 2
