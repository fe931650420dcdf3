"""A small district to work in: one district, two streets, a plant in street S1 and one in S2, and the
people of JOURNEYS.md with their tokens."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.factories import login, make_area, make_enterprise, make_user, square, upload_photo

API = "/api/v1"
# Street S1 covers 116.40–116.41 E, 39.90–39.91 N; S2 lies just east of it.
PLANT_LAT, PLANT_LON = 39.903, 116.403  # inside community C1 of street S1


@dataclass
class District:
    plant: object
    other_plant: object
    headers: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def __getitem__(self, who: str) -> dict:
        return self.headers[who]


@pytest.fixture
def district(client, db_session) -> District:
    return make_district(client, db_session)


def make_district(client, db_session) -> District:
    """The district of this module's docstring, made through the services; its people signed in through ``client``."""
    make_area(db_session, code="D1", name="示范区", level="district")
    make_area(db_session, code="S1", name="建外街道", level="street", parent_code="D1", boundary=square(116.40, 39.90))
    make_area(db_session, code="S2", name="三里屯街道", level="street", parent_code="D1", boundary=square(116.41, 39.90))
    make_area(db_session, code="C1", name="永安里社区", level="community", parent_code="S1",
              boundary=square(116.40, 39.90, 0.005))
    plant = make_enterprise(db_session, name="示范机械厂", lat=PLANT_LAT, lon=PLANT_LON, area_code="S1")
    other = make_enterprise(db_session, name="别家饭店", lat=39.905, lon=116.415, area_code="S2",
                            venue_type="small_restaurant")
    users = {
        "wang": make_user(db_session, "wang", "inspector", area_code="S1", display_name="王"),
        "zhang": make_user(db_session, "zhang", "inspector", area_code="S2", display_name="张"),
        "district_inspector": make_user(db_session, "liu", "inspector", area_code="D1"),
        "li": make_user(db_session, "li", "enterprise_officer", enterprise_id=plant.id, display_name="李"),
        "other_officer": make_user(db_session, "chen", "enterprise_officer", enterprise_id=other.id),
        "zhao": make_user(db_session, "zhao", "reviewer", display_name="赵"),
        "zhou": make_user(db_session, "zhou", "reviewer"),
        "admin": make_user(db_session, "root", "admin"),
    }
    headers = {key: login(client, user.username) for key, user in users.items()}
    return District(plant=plant, other_plant=other, headers=headers, users=users)


def report(client, headers, enterprise_id, **fields):
    """Report a hazard through the API; returns the response."""
    body = {"enterprise_id": enterprise_id, "category": "fire.exits", "severity": "general",
            "description": "安全出口被货物堵塞", **fields}
    return client.post(f"{API}/hazards", json=body, headers=headers)


def rectification_photo(client, headers, hazard_id, name="exexif_pp_editors_no_exif.jpg", metres_north=12):
    """A rectification photo taken at the plant just now (as the officer's phone reports it)."""
    from datetime import datetime, timezone

    lat = PLANT_LAT + metres_north / 111_195
    return upload_photo(client, headers, hazard_id, name=name, lat=lat, lon=PLANT_LON,
                        taken_at=datetime.now(timezone.utc))
