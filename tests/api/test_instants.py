"""Date-times a client sends far from any real moment (year 1, year 9999, before 1900, from 3000 on) are bad input:
every endpoint that takes one refuses it naming the field (422; 400 in the OGC API), never a 500.

Years 1 and 9999 with an offset cannot even be converted to UTC (or to the district's time), so one that got
through ended in a 500 wherever it was stored, compared or shown. A photo's EXIF time is not a parameter: one
outside the range is ignored, and the phone's time (or none) is kept.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import marshmallow as ma
import pytest

from api import schemas as shared
from api.schemas import Instant
from tests.api.conftest import API, rectification_photo, report
from tests.api.test_photos import new_hazard, photo_bytes, upload, with_exif
from tests.api.test_uploads import attach, uploaded
from tests.api.test_workflow import bring_to
from tests.factories import field_errors

OUT_OF_RANGE = [
    "0001-01-01T00:00:00+08:00",  # 31 December of year 0 in UTC: not a datetime Python can hold
    "9999-12-31T23:59:59-08:00",  # year 10000 in UTC
    "1899-12-31T23:59:59Z",
    "1900-01-01T07:59:59+08:00",  # still 1899 in UTC
    "3000-01-01T00:00:00Z",
]
SANE = "2026-09-28T09:30:00+08:00"
EDGES = ["1900-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "1900-01-01T08:00:00+08:00"]

# Every list of hazards that filters on when they were reported: (path, parameter).
FILTERS = [
    (f"{API}/hazards", "created_after"),
    (f"{API}/hazards", "created_before"),
    (f"{API}/map/hazards", "created_after"),
    (f"{API}/map/hazards", "created_before"),
    (f"{API}/map/areas", "created_after"),
    (f"{API}/map/areas", "created_before"),
    (f"{API}/exports/hazards.csv", "created_after"),
    (f"{API}/exports/hazards.xlsx", "created_before"),
]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(("path", "param"), FILTERS, ids=[f"{p.removeprefix(API)}?{n}" for p, n in FILTERS])
def test_filters_refuse_an_instant_out_of_range(client, district, clock, path, param, value):
    report(client, district["wang"], district.plant.id)
    response = client.get(path, query_string={param: value}, headers=district["zhao"])
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert "1900" in " ".join(field_errors(response)[param])


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(("path", "param"), FILTERS[:2], ids=["created_after", "created_before"])
def test_the_edges_of_the_range_are_taken(client, district, clock, path, param, value):
    report(client, district["wang"], district.plant.id)
    response = client.get(path, query_string={param: value}, headers=district["zhao"])
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()) == (1 if (param == "created_after") == value.startswith("1900") else 0)


# --- bodies: each request refused with the time out of range, then sent again as the phone would, with a sane one


def _report(client, district):
    return None, lambda time: report(client, district["wang"], district.plant.id, **{"reported_at": time})


def _inspection(client, district):
    body = {"enterprise_id": district.plant.id, "kind": "routine"}
    return None, lambda time: client.post(f"{API}/inspections", json={**body, "started_at": time},
                                          headers=district["wang"])


def _step(state, who, path, body):
    def prepare(client, district):
        hazard_id, context = bring_to(client, district, state)
        extra = {}
        if path == "rectification":
            photo = rectification_photo(client, district["li"], hazard_id)
            assert photo.status_code == 201, photo.get_json()
            extra = {"photo_ids": [photo.get_json()["id"]]}
        url = f"{API}/hazards/{hazard_id}/{path}"
        if path == "decision":
            asked = client.post(f"{API}/hazards/{hazard_id}/extensions",
                                json={"new_deadline": "2026-11-06", "reason": "防火门定制"}, headers=district["li"])
            assert asked.status_code == 201, asked.get_json()
            url = f"{API}/hazards/{hazard_id}/extensions/{asked.get_json()['id']}/decision"
        return hazard_id, lambda time: client.post(url, json={**body, **extra, "client_time": time},
                                                   headers=district[who])
    return prepare


def _photo(client, district):
    hazard, photo_id = new_hazard(client, district["wang"], district.plant.id), uuid.uuid4()
    content = photo_bytes("exexif_pp_editors_no_exif.jpg")
    return hazard["id"], lambda time: upload(client, district["wang"], hazard["id"], content, id=photo_id,
                                             lat=39.903, lon=116.403, taken_at=time)


def _attached_photo(client, district):
    hazard, photo_id = new_hazard(client, district["wang"], district.plant.id), uuid.uuid4()
    ticket = uploaded(client, district["wang"], photo_bytes("exexif_pp_editors_no_exif.jpg"))
    return hazard["id"], lambda time: attach(client, district["wang"], hazard["id"], ticket["upload_id"],
                                             id=str(photo_id), taken_at=time)


BODIES = {
    "POST /hazards reported_at": (_report, "reported_at", 201),
    "POST /inspections started_at": (_inspection, "started_at", 201),
    "acknowledge client_time": (_step("open", "li", "acknowledge", {"comment": "收到"}), "client_time", 200),
    "rectification client_time": (_step("acknowledged", "li", "rectification", {"measures": "清理了出口"}),
                                  "client_time", 200),
    "review client_time": (_step("submitted", "wang", "review", {"decision": "approve"}), "client_time", 200),
    "void client_time": (_step("open", "admin", "void", {"reason": "录入错误"}), "client_time", 200),
    "extension client_time": (_step("acknowledged", "li", "extensions",
                                    {"new_deadline": "2026-11-06", "reason": "防火门定制"}), "client_time", 201),
    "extension decision client_time": (_step("acknowledged", "zhao", "decision", {"approve": True}),
                                       "client_time", 200),
    "photo (multipart) taken_at": (_photo, "taken_at", 201),
    "photo (direct upload) taken_at": (_attached_photo, "taken_at", 201),
}


@pytest.mark.parametrize("value", OUT_OF_RANGE[:3])
@pytest.mark.parametrize("case", BODIES)
def test_bodies_refuse_an_instant_out_of_range_and_the_sane_retry_works(client, district, clock, case, value):
    prepare, field, success = BODIES[case]
    hazard_id, send = prepare(client, district)
    before = client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json() if hazard_id else None

    refused = send(value)
    assert refused.status_code == 422, refused.get_data(as_text=True)[:500]
    assert "2999" in " ".join(field_errors(refused)[field])
    if hazard_id:  # nothing happened to the hazard
        assert client.get(f"{API}/hazards/{hazard_id}/events", headers=district["zhao"]).get_json() == before

    accepted = send(SANE)
    assert accepted.status_code == success, accepted.get_json()


# --- the OGC API: a bad parameter is a 400 there ----------------------------------------------------------------

ITEMS = "/ogc/collections/hazards/items"


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("shape", ["{}", "{}/..", "../{}", "2026-09-01T00:00:00Z/{}"])
def test_ogc_datetime_out_of_range_is_400(client, district, clock, shape, value):
    report(client, district["wang"], district.plant.id)
    response = client.get(ITEMS, query_string={"datetime": shape.format(value)}, headers=district["zhao"])
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["code"] == 400 and "1900" in " ".join(body["errors"]["query"]["datetime"])


def test_ogc_datetime_at_the_edges_is_taken(client, district, clock):
    report(client, district["wang"], district.plant.id)
    for value in ("1900-01-01T00:00:00Z/..", "../2999-12-31T23:59:59Z", "1900-01-01T08:00:00+08:00/.."):
        response = client.get(ITEMS, query_string={"datetime": value}, headers=district["zhao"])
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["numberMatched"] == 1


# --- EXIF: a camera clock at year 1 or 9999 is ignored, not stored -------------------------------------------


@pytest.mark.parametrize(("stamp", "offset"), [
    ("9999:12:31 23:59:59", "-12:00"),  # year 10000 in UTC
    ("9999:12:31 23:59:59", None),      # in the district's time: still beyond 2999
    ("0001:01:01 00:00:00", "+14:00"),
    ("3000:01:01 00:00:00", "+00:00"),
])
def test_an_exif_time_out_of_range_is_ignored_and_the_phones_kept(client, district, clock, stamp, offset):
    content = with_exif("exexif_pp_editors_no_exif.jpg", taken=stamp, offset=offset)
    hazard = new_hazard(client, district["wang"], district.plant.id)

    with_phone_time = upload(client, district["wang"], hazard["id"], content, taken_at="2026-09-28T09:30:00+08:00")
    assert with_phone_time.status_code == 201, with_phone_time.get_data(as_text=True)[:500]
    assert datetime.fromisoformat(with_phone_time.get_json()["taken_at"]) == datetime(2026, 9, 28, 1, 30,
                                                                                     tzinfo=timezone.utc)
    without = upload(client, district["wang"], hazard["id"], content)
    assert without.status_code == 201 and without.get_json()["taken_at"] is None
    detail = client.get(f"{API}/hazards/{hazard['id']}", headers=district["wang"])
    assert detail.status_code == 200 and len(detail.get_json()["photos"]) == 2


# --- every date-time field of every request is one of these -----------------------------------------------------


def test_every_date_time_a_client_sends_is_range_checked():
    """Every request schema is a StrictSchema (bodies) or QuerySchema (queries); the app (``api/__init__``) has
    imported them all."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unchecked = {
        f"{schema.__module__}.{schema.__name__}.{name}"
        for base in (shared.StrictSchema, shared.QuerySchema)
        for schema in subclasses(base)
        for name, field in schema._declared_fields.items()
        if isinstance(field, ma.fields.DateTime) and not isinstance(field, Instant) and not field.dump_only
    }
    # Answers only, though they extend a request's schema.
    assert unchecked - {"api.hazards.schemas.PlanOutSchema.updated_at"} == set()


def test_an_unchecked_instant_stops_at_the_column_as_a_422_not_a_500(app, db_session):
    """The last line: a date-time no schema checked is refused by the column type, and answered as bad input."""
    from datetime import timedelta

    from sqlalchemy import select
    from sqlalchemy.exc import StatementError

    from inspections.db import InstantOutOfRange
    from inspections.models import Hazard

    year_10000 = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8)))
    with pytest.raises(StatementError) as refused:
        db_session.execute(select(Hazard).where(Hazard.reported_at >= year_10000))
    db_session.rollback()
    assert isinstance(refused.value.orig, InstantOutOfRange)
    with app.test_request_context(f"{API}/hazards"):
        response = app.handle_user_exception(refused.value)
    assert response.status_code == 422
    assert "1900 to 2999" in response.get_json()["message"]
