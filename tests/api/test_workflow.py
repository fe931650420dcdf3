"""The workflow through the HTTP API: every action, by every kind of user, from every state.

The expected answers below are written out by hand from CONTRACT.md and the issue, independently of
``inspections/workflow.py``, so a mistake in the transition table shows up here.
"""
import pytest

from tests.api.conftest import API, rectification_photo, report
from tests.factories import field_errors, upload_photo

ACTORS = ["li", "other_officer", "wang", "zhang", "zhao", "admin"]
STATES = ["open", "acknowledged", "submitted", "closed", "void"]


# (action, state) → {actor: expected status}. 404 for whoever may not see the hazard (the other
# enterprise's officer, the inspector of another street), whatever the action. ``act`` sends other bodies than
# ``bring_to`` did, so a step repeated by whoever took it is 409; exact retries are in test_step_retries.py.
EXPECTED = {
    ("acknowledge", "open"): dict(li=200, wang=403, zhao=403, admin=403),
    # li's own step again, but with a comment the first had not: not a retry but another request (409).
    ("acknowledge", "acknowledged"): dict(li=409, wang=403, zhao=403, admin=403),
    ("acknowledge", "submitted"): dict(li=409, wang=403, zhao=403, admin=403),
    ("acknowledge", "closed"): dict(li=409, wang=403, zhao=403, admin=403),
    ("acknowledge", "void"): dict(li=409, wang=403, zhao=403, admin=403),
    ("rectification", "open"): dict(li=409, wang=403, zhao=403, admin=403),
    ("rectification", "acknowledged"): dict(li=200, wang=403, zhao=403, admin=403),
    ("rectification", "submitted"): dict(li=409, wang=403, zhao=403, admin=403),  # li's, with other measures
    ("rectification", "closed"): dict(li=409, wang=403, zhao=403, admin=403),
    ("rectification", "void"): dict(li=409, wang=403, zhao=403, admin=403),
    ("approve", "open"): dict(li=403, wang=422, zhao=422, admin=403),  # on the spot needs photos
    ("approve", "acknowledged"): dict(li=403, wang=409, zhao=409, admin=403),
    ("approve", "submitted"): dict(li=403, wang=200, zhao=200, admin=403),
    ("approve", "closed"): dict(li=403, wang=409, zhao=409, admin=403),  # wang closed it, without this comment
    ("approve", "void"): dict(li=403, wang=409, zhao=409, admin=403),
    ("reject", "open"): dict(li=403, wang=409, zhao=409, admin=403),
    ("reject", "acknowledged"): dict(li=403, wang=409, zhao=409, admin=403),
    ("reject", "submitted"): dict(li=403, wang=200, zhao=200, admin=403),
    ("reject", "closed"): dict(li=403, wang=409, zhao=409, admin=403),
    ("reject", "void"): dict(li=403, wang=409, zhao=409, admin=403),
    ("void", "open"): dict(li=403, wang=403, zhao=403, admin=200),
    ("void", "acknowledged"): dict(li=403, wang=403, zhao=403, admin=200),
    ("void", "submitted"): dict(li=403, wang=403, zhao=403, admin=200),
    ("void", "closed"): dict(li=403, wang=403, zhao=403, admin=409),
    ("void", "void"): dict(li=403, wang=403, zhao=403, admin=409),  # the admin's own, with another reason
}
CASES = [
    (action, state, actor, EXPECTED[(action, state)].get(actor, 404))
    for (action, state) in EXPECTED
    for actor in ACTORS
]


def bring_to(client, district, state: str, severity: str = "general") -> tuple[str, dict]:
    """Report a hazard and move it to ``state`` the way users would; returns its id and photo ids."""
    hazard = report(client, district["wang"], district.plant.id, severity=severity).get_json()
    hazard_id = hazard["id"]
    context = {"photo_ids": []}
    if state == "void":
        assert client.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "录入错误"}, headers=district["admin"]).status_code == 200
        return hazard_id, context
    if state == "open":
        return hazard_id, context
    assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=district["li"]).status_code == 200
    if state == "acknowledged":
        return hazard_id, context
    photo = rectification_photo(client, district["li"], hazard_id)
    assert photo.status_code == 201, photo.get_json()
    context["photo_ids"] = [photo.get_json()["id"]]
    submitted = client.post(f"{API}/hazards/{hazard_id}/rectification",
                            json={"measures": "清理了出口", "photo_ids": context["photo_ids"]}, headers=district["li"])
    assert submitted.status_code == 200, submitted.get_json()
    if state == "submitted":
        return hazard_id, context
    assert client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"}, headers=district["wang"]).status_code == 200
    return hazard_id, context


def act(client, district, actor, action, hazard_id, context):
    headers = district[actor]
    if action == "acknowledge":
        return client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={"comment": "收到"}, headers=headers)
    if action == "rectification":
        photo_ids = context["photo_ids"]
        if not photo_ids and actor == "li":
            uploaded = rectification_photo(client, headers, hazard_id)
            photo_ids = [uploaded.get_json()["id"]] if uploaded.status_code == 201 else []
        body = {"measures": "已整改", "photo_ids": photo_ids or ["00000000-0000-4000-8000-000000000000"]}
        return client.post(f"{API}/hazards/{hazard_id}/rectification", json=body, headers=headers)
    if action in ("approve", "reject"):
        return client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": action, "comment": "复查意见"}, headers=headers)
    return client.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "重复录入"}, headers=headers)


@pytest.mark.parametrize("action, state, actor, expected", CASES, ids=[f"{a}-{s}-{u}" for a, s, u, _ in CASES])
def test_who_may_do_what_from_which_state(client, district, action, state, actor, expected):
    hazard_id, context = bring_to(client, district, state)
    before = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()
    response = act(client, district, actor, action, hazard_id, context)
    assert response.status_code == expected, response.get_json()
    after = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()
    transitions_before = [e for e in before if e["to_status"]]
    transitions_after = [e for e in after if e["to_status"]]
    if expected == 200 and response.get_json()["status"] != state:
        assert len(transitions_after) == len(transitions_before) + 1
        assert transitions_after[-1]["from_status"] == state
        assert transitions_after[-1]["to_status"] == response.get_json()["status"]
    else:
        # Refused, or a retry of something already done: the state and the trail stay as they were.
        assert transitions_after == transitions_before
        current = client.get(f"{API}/hazards/{hazard_id}", headers=district["zhao"]).get_json()
        assert current["status"] == state


def test_the_whole_road_of_a_general_hazard(client, district):
    """李 acknowledges, submits; 王 rejects with a reason; 李 submits again; 王 approves."""
    hazard_id, _ = bring_to(client, district, "acknowledged")
    first = rectification_photo(client, district["li"], hazard_id).get_json()["id"]
    client.post(f"{API}/hazards/{hazard_id}/rectification", json={"measures": "清理", "photo_ids": [first]}, headers=district["li"])
    no_reason = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "reject"}, headers=district["wang"])
    assert no_reason.status_code == 422 and "comment" in field_errors(no_reason)
    rejected = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "reject", "comment": "通道仍有杂物"},
                           headers=district["wang"]).get_json()
    assert rejected["status"] == "acknowledged"
    assert rejected["rejection_count"] == 1
    assert rejected["deadline"] == rejected["original_deadline"]  # the clock keeps running
    second = rectification_photo(client, district["li"], hazard_id, name="drew_Photo_1.webp").get_json()["id"]
    again = client.post(f"{API}/hazards/{hazard_id}/rectification", json={"measures": "彻底清理", "photo_ids": [second]},
                        headers=district["li"])
    assert again.get_json()["status"] == "submitted"
    closed = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve", "comment": "合格"},
                         headers=district["wang"]).get_json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert len(closed["rectifications"]) == 2
    trail = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["li"]).get_json()
    steps = [(e["action"], e["from_status"], e["to_status"], e["actor_name"]) for e in trail if e["to_status"]]
    assert steps == [
        ("reported", None, "open", "王"),
        ("acknowledge", "open", "acknowledged", "李"),
        ("submit", "acknowledged", "submitted", "李"),
        ("reject", "submitted", "acknowledged", "王"),
        ("submit", "acknowledged", "submitted", "李"),
        ("approve", "submitted", "closed", "王"),
    ]
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(trail, trail[1:]))


def test_rectified_on_the_spot(client, district):
    """王 has the owner lock the distribution box: a rectification photo, approved at once."""
    hazard = report(client, district["wang"], district.plant.id, category="electrical.distribution_box").get_json()
    photo = rectification_photo(client, district["wang"], hazard["id"])
    assert photo.status_code == 201, photo.get_json()
    closed = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve", "comment": "当场整改"},
                         headers=district["wang"])
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    trail = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    assert trail[-1]["action"] == "rectified_on_spot"
    assert trail[-1]["evidence_ids"] == [photo.get_json()["id"]]


def test_a_major_hazard_needs_a_plan_and_a_reviewer(client, district):
    hazard_id, _ = bring_to(client, district, "acknowledged", severity="major")
    photo = rectification_photo(client, district["li"], hazard_id).get_json()["id"]
    body = {"measures": "更换防火门", "photo_ids": [photo]}
    without_plan = client.post(f"{API}/hazards/{hazard_id}/rectification", json=body, headers=district["li"])
    assert without_plan.status_code == 422 and "plan" in field_errors(without_plan)
    plan = {"objectives": "消除隐患", "measures": "更换甲级防火门", "funds": "5万元", "responsible": "李，设备科",
            "timeline": "三周", "safety_measures": "施工期间设置临时疏散通道"}
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json={**plan, "funds": ""}, headers=district["li"]).status_code == 422
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=district["wang"]).status_code == 403
    saved = client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=district["li"])
    assert saved.status_code == 200
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=district["li"]).status_code == 200
    assert client.get(f"{API}/hazards/{hazard_id}", headers=district["zhao"]).get_json()["plan"]["funds"] == "5万元"
    assert client.post(f"{API}/hazards/{hazard_id}/rectification", json=body, headers=district["li"]).status_code == 200
    assert client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve"}, headers=district["wang"]).status_code == 403
    closed = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve", "comment": "方案已落实"},
                         headers=district["zhao"])
    assert closed.get_json()["status"] == "closed"
    trail = [e["action"] for e in client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json()]
    assert trail.count("plan_recorded") == 1  # the identical second PUT was a retry


def test_a_general_hazard_has_no_plan(client, district):
    hazard_id, _ = bring_to(client, district, "acknowledged")
    plan = dict.fromkeys(["objectives", "measures", "funds", "responsible", "timeline", "safety_measures"], "x")
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=district["li"]).status_code == 409


def test_a_major_hazard_cannot_be_closed_on_the_spot(client, district):
    hazard = report(client, district["wang"], district.plant.id, severity="major").get_json()
    rectification_photo(client, district["wang"], hazard["id"])
    assert client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"]).status_code == 403


def test_rectification_photos_must_belong_to_the_hazard(client, district):
    first, _ = bring_to(client, district, "acknowledged")
    second, _ = bring_to(client, district, "acknowledged")
    photo = rectification_photo(client, district["li"], second).get_json()["id"]
    response = client.post(f"{API}/hazards/{first}/rectification", json={"measures": "x", "photo_ids": [photo]},
                           headers=district["li"])
    assert response.status_code == 422 and "photo_ids" in field_errors(response)
    evidence = upload_photo(client, district["wang"], first, kind="evidence").get_json()["id"]
    response = client.post(f"{API}/hazards/{first}/rectification", json={"measures": "x", "photo_ids": [evidence]},
                           headers=district["li"])
    assert response.status_code == 422
