"""No request a client can send ends in a 5xx: every operation of our OpenAPI document, fuzzed with schemathesis.

Each operation gets generated requests that fit the document and requests that break it (wrong types, values out
of range, missing fields), sent as an admin, a reviewer, an inspector or an enterprise officer of a small district
with an open and an acknowledged hazard and their photos. Operations with path parameters are fuzzed twice: with
generated ids (unknown or malformed) and with the seeded rows' ids, so that requests reach past the 404.
Derandomized: CI sends the same requests on every run. The example counts keep the file to about half a minute.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import update

from inspections.models import User
from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import upload_photo

ROLES = ("admin", "zhao", "wang", "li")  # admin, reviewer, inspector of the plant's street, the plant's officer
# Per operation, mode and kind of path parameters; each example is one request as one role. FUZZ_EXAMPLES=200 makes
# a deeper run (about ten minutes).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 12))
# Rendering the notice takes seconds; its only input is the hazard's id.
EXAMPLES_OF = {f"GET {API}/hazards/{{hazard_id}}/notice.pdf": 1}
FUZZ_SETTINGS = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _cheap_unknown_user_check(monkeypatch):
    """A sign-in as an unknown user is checked against a dummy hash made at import, at production cost (~0.1 s);
    the fuzzer signs in as unknown users dozens of times. The same code path, at the tests' cost."""
    monkeypatch.setattr("inspections.accounts._DUMMY_HASH", PasswordHasher(time_cost=1, memory_cost=1024,
                                                                           parallelism=1).hash("not a password"))


@pytest.fixture
def seeded(client, district) -> dict:
    """An open general hazard and an acknowledged major one with a pending extension, each with an evidence photo;
    a campaign and an inspection. Returns the values that path parameters may take to name them."""
    hazards, photos = [], []
    for severity in ("general", "major"):
        hazard = report(client, district["wang"], district.plant.id, severity=severity, lat=PLANT_LAT, lon=PLANT_LON)
        assert hazard.status_code == 201, hazard.get_json()
        hazards.append(hazard.get_json()["id"])
        photo = upload_photo(client, district["wang"], hazards[-1], kind="evidence", lat=PLANT_LAT, lon=PLANT_LON,
                             taken_at=datetime.now(timezone.utc))
        assert photo.status_code == 201, photo.get_json()
        photos.append(photo.get_json()["id"])
    assert client.post(f"{API}/hazards/{hazards[1]}/acknowledge", json={}, headers=district["li"]).status_code == 200
    extension = client.post(f"{API}/hazards/{hazards[1]}/extensions",
                            json={"new_deadline": "2027-06-30", "reason": "设备采购"}, headers=district["li"])
    assert extension.status_code == 201, extension.get_json()
    campaign = client.post(f"{API}/campaigns", json={"name": "安全生产月", "starts_on": "2026-06-01",
                                                     "ends_on": "2026-06-30"}, headers=district["admin"])
    inspection = client.post(f"{API}/inspections", json={"enterprise_id": district.plant.id, "kind": "routine"},
                             headers=district["wang"])
    return {
        # The open hazard takes every workflow step; a path that names the extension names its own hazard.
        "hazard_id": hazards[0], "photo_id": photos[0], "feature_id": hazards[0], "collection_id": "hazards",
        "extension_id": extension.get_json()["id"], "extension_hazard_id": hazards[1],
        "inspection_id": inspection.get_json()["id"], "enterprise_id": district.plant.id,
        "campaign_id": campaign.get_json()["id"], "code": "S1", "day": "2026-10-01",
        # Not one of ROLES: the fuzzer may deactivate or re-role whomever it names.
        "user_id": district.users["district_inspector"].id,
    }


def test_no_request_ends_in_a_server_error(app, district, seeded, db_session, subtests):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    for operation in (result.ok() for result in schema.get_all_operations()):
        seeded_rows = [_naming_seeded_rows(operation, seeded)] if operation.path_parameters else []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in [None, *seeded_rows]:
                rows = "seeded rows" if path_parameters else "generated ids"
                with subtests.test(operation.label, mode=mode.value, path=rows):
                    _fuzz(operation.label, operation.as_strategy(generation_mode=mode, path_parameters=path_parameters),
                          {role: district[role] for role in ROLES})
                _put_back_the_users(db_session, district)


def _naming_seeded_rows(operation, seeded: dict) -> dict:
    names = {parameter.name for parameter in operation.path_parameters}
    values = {**seeded, "hazard_id": seeded["extension_hazard_id"]} if "extension_id" in names else seeded
    return {name: values[name] for name in names}


def _fuzz(label: str, strategy, headers_of: dict) -> None:
    @settings(FUZZ_SETTINGS, max_examples=EXAMPLES_OF.get(label, EXAMPLES))
    @given(case=strategy, role=st.sampled_from(sorted(headers_of)))
    def send(case, role):
        case.validate_response(case.call(headers=headers_of[role]), checks=[not_a_server_error])

    try:
        send()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (no parameters, no body, no token): there is no negative case.
        pass


def _put_back_the_users(db_session, district) -> None:
    """Generated user ids name our callers too: whatever the fuzzer did to them (deactivated, re-roled, re-bound,
    given a new password, which signs their tokens out), they must still be able to call the next operation."""
    for user in district.users.values():
        db_session.execute(update(User).where(User.id == user.id).values(
            active=True, role=user.role, enterprise_id=user.enterprise_id, area_code=user.area_code,
            token_version=user.token_version))
    db_session.commit()
