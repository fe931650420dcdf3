"""Plain functions that make valid records through the services, as the API would."""
from __future__ import annotations

import itertools

from inspections import accounts, directory
from inspections.creditcode import check_character

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def credit_code(serial: int | None = None) -> str:
    """A valid unified social credit code (a 企业法人 in Beijing's Chaoyang district)."""
    first17 = f"91110105{serial if serial is not None else next(_serial):09d}"
    return first17 + check_character(first17)


def make_area(session, code="D1", name="示范区", level="district", parent_code=None, boundary=None):
    return directory.create_area(session, code=code, name=name, level=level, parent_code=parent_code, boundary=boundary)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A square GeoJSON polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_enterprise(session, name="示范机械厂", **values):
    values.setdefault("credit_code", credit_code())
    return directory.create_enterprise(session, {"name": name, **values})


def make_user(session, username, role, password=PASSWORD, **bindings):
    return accounts.create_user(session, username=username, password=password, role=role, **bindings)


def login(client, username, password=PASSWORD) -> dict:
    """Sign in through the API and return the Authorization header."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def field_errors(response) -> dict:
    """The field errors of a 4xx answer, whatever request location they are filed under."""
    merged = {}
    for per_location in (response.get_json().get("errors") or {}).values():
        merged.update(per_location)
    return merged


PHOTOS = __import__("pathlib").Path(__file__).parent / "fixtures" / "photos"


def upload_photo(client, headers, hazard_id, kind="rectification", name="exexif_pp_editors_no_exif.jpg", data=None,
                 **fields):
    """Upload a photo to a hazard through the API, as the phone app does; returns the response.

    The default is a real phone photo without EXIF, so the place and time are those the phone sends in
    ``fields`` (lat, lon, taken_at, accuracy_m); ``data`` replaces the file's bytes (edited copies).
    """
    content = data if data is not None else (PHOTOS / name).read_bytes()
    form = {"file": (__import__("io").BytesIO(content), name), "kind": kind,
            **{k: v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in fields.items()}}
    return client.post(f"/api/v1/hazards/{hazard_id}/photos", data=form, headers=headers,
                       content_type="multipart/form-data")
