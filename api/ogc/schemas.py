"""Query parameters of the OGC API: ``bbox``, ``datetime``, ``limit``, ``offset``, the property filters and ``f``.

OGC clients expect 400 for a parameter that is unknown or malformed (/req/core/query-param-unknown and
-invalid), so these schemas raise on unknown names and the routes parse them with ``error_status_code=400``.
"""
from __future__ import annotations

import re
from datetime import datetime

import marshmallow as ma
from webargs.fields import DelimitedList

from api.schemas import INSTANT_RANGE_MESSAGE, check_instant
from inspections.enums import HazardStatus, Severity, values
from inspections.feature_queries import BBox, Interval

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
# Bounds the database can take: a larger offset or id would overflow its integers (a 500), not find nothing.
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**31 - 1
# A code is short printable text; a NUL byte in a query string would reach PostgreSQL and fail there (a 500).
CODE = ma.validate.And(
    ma.validate.Length(min=1, max=100),
    ma.validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="A code cannot contain control characters."),
)
# The two ways the standard writes an unbounded end of an interval: ".." and, in older texts, nothing.
UNBOUNDED = {"..", ""}
RFC3339 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?(?P<zone>[Zz]|[+-]\d{2}:\d{2})$"
)
# "+08:00" sent without percent-encoding arrives as " 08:00": take it back rather than refuse the user's time.
UNENCODED_PLUS = re.compile(r" (?=\d{2}:\d{2}$)")


def parse_instant(text: str) -> datetime:
    """An RFC 3339 date-time with its offset (``Z`` or ``±HH:MM``) in the years 1900 to 2999 UTC, the range of
    every date-time the service takes (``api.schemas.check_instant``); anything else is a ``ValidationError``."""
    match = RFC3339.match(UNENCODED_PLUS.sub("+", text.strip()))
    if match is None:
        raise ma.ValidationError(
            f"{text!r} is not an RFC 3339 date-time with an offset, "
            "e.g. 2026-06-30T00:00:00Z or 2026-06-30T08:00:00+08:00."
        )
    zone = "+00:00" if match["zone"] in ("Z", "z") else match["zone"]
    fraction = (match["fraction"] or "")[:7]  # Python keeps microseconds; finer digits cannot match anything stored
    try:
        instant = datetime.fromisoformat(f"{match['date']}T{match['time']}{fraction}{zone}")
    except ValueError:
        raise ma.ValidationError(f"{text!r} is not a real date and time.") from None
    try:
        return check_instant(instant)
    except ma.ValidationError:
        raise ma.ValidationError(f"{text!r} is out of range. {INSTANT_RANGE_MESSAGE}") from None


class DateTimeParameter(ma.fields.Field):
    """``datetime``: an instant, a bounded interval ``start/end``, or a half-bounded one (``../end``, ``start/..``)."""

    def _deserialize(self, value, attr, data, **kwargs) -> Interval:
        if not isinstance(value, str):
            raise ma.ValidationError("Give datetime as text.")
        parts = value.split("/")
        if len(parts) == 1:
            if value.strip() in UNBOUNDED:
                raise ma.ValidationError("An instant cannot be '..'; write an interval, e.g. ../2026-06-30T00:00:00Z.")
            instant = parse_instant(value)
            return Interval(instant, instant)
        if len(parts) != 2:
            raise ma.ValidationError("Give one instant or one interval start/end.")
        start, end = (None if part.strip() in UNBOUNDED else parse_instant(part) for part in parts)
        if start is not None and end is not None and start > end:
            raise ma.ValidationError("The interval ends before it starts.")
        return Interval(start, end)

    def _serialize(self, value, attr, obj, **kwargs):  # pragma: no cover - query parameters are only loaded
        return value


class BBoxParameter(DelimitedList):
    """``bbox``: four numbers, or six with heights (ignored: our points have none), loaded as a ``BBox``."""

    def __init__(self, **kwargs):
        super().__init__(ma.fields.Float(allow_nan=False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> BBox:
        try:
            numbers = super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError:
            # One message for the parameter, not one per position: clients show it as it is.
            raise ma.ValidationError("bbox must be numbers separated by commas: minLon,minLat,maxLon,maxLat.") from None
        if len(numbers) not in (4, 6):
            raise ma.ValidationError("Give bbox as minLon,minLat,maxLon,maxLat (or six numbers with heights).")
        west, south, east, north = (numbers[:2] + numbers[3:5]) if len(numbers) == 6 else numbers
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
            raise ma.ValidationError("bbox longitudes must lie in -180..180 and latitudes in -90..90.")
        if south > north:
            raise ma.ValidationError("bbox: the southern edge (2nd number) is north of the northern edge.")
        return BBox(west, south, east, north)


class FormatQuerySchema(ma.Schema):
    """Every OGC resource: ``f=json`` is accepted (clients add it out of habit); nothing else may be sent."""

    class Meta:
        unknown = ma.RAISE

    f = ma.fields.String(
        validate=ma.validate.OneOf(["json"]),
        metadata={"description": "Encoding; only json (GeoJSON for features) is offered."},
    )


class ItemsQuerySchema(FormatQuerySchema):
    """The query of ``/collections/hazards/items``; loads into plain values plus ``BBox`` and ``Interval``."""

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1),
        metadata={"maximum": MAX_LIMIT, "default": DEFAULT_LIMIT,
                  "description": f"Features per page, 1 to {MAX_LIMIT}; a larger value is served as {MAX_LIMIT}."},
    )
    offset = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, max=MAX_OFFSET),
        metadata={"description": "Features to skip; the next and prev links carry it, clients need not."},
    )
    bbox = BBoxParameter(
        metadata={"description": "minLon,minLat,maxLon,maxLat in CRS84 (six numbers with heights are accepted; "
                                 "heights are ignored). West above east crosses the antimeridian.",
                  "minItems": 4, "maxItems": 6},
    )
    datetime = DateTimeParameter(
        metadata={"type": "string",
                  "description": "On reported_at: an RFC 3339 instant, start/end, ../end or start/.. (ends included)."},
    )
    status = DelimitedList(ma.fields.String(validate=ma.validate.OneOf(values(HazardStatus))),
                           metadata={"description": "One or more statuses, comma-separated."})
    severity = ma.fields.String(validate=ma.validate.OneOf(values(Severity)))
    category = ma.fields.String(
        validate=CODE, metadata={"description": "A category code; a top-level code includes its sub-categories."})
    enterprise_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    area_code = ma.fields.String(validate=CODE, metadata={"description": "An area and every area inside it."})
    overdue = ma.fields.Boolean()

    @ma.post_load
    def _normalise(self, data, **_):
        # The standard: a limit above the maximum is served at the maximum, never refused (/req/core/fc-limit-response).
        data["limit"] = min(data["limit"], MAX_LIMIT)
        return data
