"""A workflow step sent again (issue 13, item 1): the same request is a retry (200, nothing written); the same step
with another request is 409 naming what differs, never a 200 that silently changed nothing. Steps recorded before
their requests were kept are still taken for retries."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspections.models import HazardEvent
from tests.api.conftest import API, rectification_photo
from tests.api.test_workflow import bring_to
from tests.factories import field_errors


def _trail(client, district, hazard_id) -> list[dict]:
    return client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()


def _submitted_with_two_photos(client, district):
    hazard_id, _ = bring_to(client, district, "acknowledged")
    photos = [rectification_photo(client, district["li"], hazard_id, metres_north=m).get_json()["id"] for m in (5, 9)]
    body = {"measures": "清理了出口", "photo_ids": [photos[0]], "client_time": "2026-09-28T10:05:00+08:00"}
    first = client.post(f"{API}/hazards/{hazard_id}/rectification", json=body, headers=district["li"])
    assert first.status_code == 200, first.get_json()
    return hazard_id, photos, body, first


def test_a_second_rectification_with_other_photos_is_409_and_the_same_one_a_retry(client, district, clock):
    hazard_id, photos, body, first = _submitted_with_two_photos(client, district)
    before = _trail(client, district, hazard_id)

    retry = client.post(f"{API}/hazards/{hazard_id}/rectification", json=body, headers=district["li"])
    assert retry.status_code == 200
    assert retry.get_json()["rectifications"] == first.get_json()["rectifications"]
    # A phone that stamps each attempt anew, or names the same photos in another order, still retries.
    restamped = {**body, "client_time": "2026-09-28T10:07:00+08:00"}
    assert client.post(f"{API}/hazards/{hazard_id}/rectification", json=restamped,
                       headers=district["li"]).status_code == 200

    other = client.post(f"{API}/hazards/{hazard_id}/rectification", json={**body, "photo_ids": photos},
                        headers=district["li"])
    assert other.status_code == 409
    assert "photo_ids" in other.get_json()["message"] and list(field_errors(other)) == ["photo_ids"]
    both = client.post(f"{API}/hazards/{hazard_id}/rectification",
                       json={"measures": "换了新门", "photo_ids": [photos[1]]}, headers=district["li"])
    assert both.status_code == 409 and sorted(field_errors(both)) == ["measures", "photo_ids"]
    after = client.get(f"{API}/hazards/{hazard_id}", headers=district["li"]).get_json()
    assert [r["photo_ids"] for r in after["rectifications"]] == [[photos[0]]]
    assert _trail(client, district, hazard_id) == before


def test_approving_a_closed_hazard_again_with_another_comment_is_409(client, district, clock):
    hazard_id, _ = bring_to(client, district, "submitted")
    approve = {"decision": "approve", "comment": "复查合格"}
    assert client.post(f"{API}/hazards/{hazard_id}/review", json=approve, headers=district["wang"]).status_code == 200
    before = _trail(client, district, hazard_id)
    assert client.post(f"{API}/hazards/{hazard_id}/review", json=approve, headers=district["wang"]).status_code == 200
    other = client.post(f"{API}/hazards/{hazard_id}/review", json={**approve, "comment": "已复查，同意销号"},
                        headers=district["wang"])
    assert other.status_code == 409 and list(field_errors(other)) == ["comment"]
    without = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"}, headers=district["wang"])
    assert without.status_code == 409 and list(field_errors(without)) == ["comment"]
    assert _trail(client, district, hazard_id) == before


@pytest.mark.parametrize("step, state, who, body, other", [
    ("acknowledge", "acknowledged", "li", {}, {"comment": "收到，马上整改"}),
    ("void", "void", "admin", {"reason": "录入错误"}, {"reason": "重复录入"}),
])
def test_every_step_tells_a_retry_from_another_request(client, district, clock, step, state, who, body, other):
    hazard_id, _ = bring_to(client, district, state)  # bring_to sent ``body``
    before = _trail(client, district, hazard_id)
    assert client.post(f"{API}/hazards/{hazard_id}/{step}", json=body, headers=district[who]).status_code == 200
    changed = client.post(f"{API}/hazards/{hazard_id}/{step}", json=other, headers=district[who])
    assert changed.status_code == 409 and list(field_errors(changed)) == list(other)
    assert _trail(client, district, hazard_id) == before


def test_a_step_recorded_before_requests_were_kept_is_still_a_retry(client, district, clock, db_session):
    hazard_id, photos, body, _first = _submitted_with_two_photos(client, district)
    event = db_session.scalars(select(HazardEvent).where(HazardEvent.action == "submit")).one()
    details = dict(event.details)
    del details["request"]  # as every submission recorded before this change was
    event.details = details
    db_session.commit()
    again = client.post(f"{API}/hazards/{hazard_id}/rectification", json={**body, "photo_ids": photos},
                        headers=district["li"])
    assert again.status_code == 200  # as before: nothing to compare it with
