"""Wire-format building blocks shared by the resource schemas."""
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone

import marshmallow as ma

from api.clock import local_tz
from media.instants import EARLIEST_INSTANT, END_OF_INSTANTS, instant_in_range

NUL_MESSAGE = "NUL characters are not allowed."
SURROGATE_MESSAGE = "The text is not valid Unicode: it holds an unpaired surrogate (\\ud800 to \\udfff)."


class _StorableTextSchema(ma.Schema):
    """Only text that can be stored and sent back, in every input string and name, however deeply nested.

    No NUL characters: PostgreSQL cannot store them, and no person types them. No unpaired surrogates (JSON lets a
    client write "\\ud800"): they cannot be encoded as UTF-8, so neither database nor response could take them.
    """

    @ma.pre_load(pass_collection=True)
    def _refuse_unstorable_text(self, data, **_):
        # A Mapping, not only a dict: query strings and forms arrive as webargs' MultiDictProxy.
        if isinstance(data, Mapping):
            bad = {_printable(key): [problem] for key, value in data.items()
                   if (problem := _text_problem(key) or _text_problem(value))}
            if bad:
                raise ma.ValidationError(bad)
        return data


def _text_problem(value) -> str | None:
    """Why ``value`` (text, or lists and objects of it) cannot be taken; None when it can."""
    if isinstance(value, str):
        if "\x00" in value:
            return NUL_MESSAGE
        if _SURROGATE.search(value):
            return SURROGATE_MESSAGE
        return None
    if isinstance(value, (list, tuple)):
        return next((p for p in map(_text_problem, value) if p), None)
    if isinstance(value, dict):
        return next((p for p in map(_text_problem, [*value.keys(), *value.values()]) if p), None)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(name):
    # A field error is keyed by the name the client sent; escaped, one with a surrogate can still be answered.
    return name.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(name, str) else name


class StrictSchema(_StorableTextSchema):
    """Request bodies: an unknown field is a client mistake and answers 422 naming it."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(_StorableTextSchema):
    """Query strings: pagination and cache-busting parameters pass through untouched."""

    class Meta:
        unknown = ma.EXCLUDE


# Database integer columns are 32-bit: a larger id can name nothing, and must not reach the database.
MAX_ID = 2**31 - 1
ID_RANGE = ma.validate.Range(min=1, max=MAX_ID)


def trimmed(**kwargs):
    """A required-or-optional string that may not be blank."""
    return ma.fields.String(validate=ma.validate.Length(min=1, max=kwargs.pop("max", 200)), **kwargs)


class LatLonTogether(ma.Schema):
    """A position is both coordinates or neither."""

    @ma.validates_schema
    def _lat_lon_together(self, data, **_):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ma.ValidationError("Give lat and lon together.", "lat")


INSTANT_RANGE_MESSAGE = "Give a time in the years 1900 to 2999 (UTC)."


def check_instant(value: datetime) -> datetime:
    """``value`` (aware) when it lies in the years 1900 to 2999 UTC; a ValidationError otherwise.

    Outside them a time is a typo or a broken clock, and one near year 1 or 9999 cannot be converted to UTC or
    to local time at all: refused here, it is a field error instead of a failure wherever it would be used.
    """
    if not instant_in_range(value):
        raise ma.ValidationError(INSTANT_RANGE_MESSAGE)
    return value


def local_instant(value: datetime | None) -> str | None:
    """``value`` as every answer writes a date-time: ISO 8601 in the district's offset (``TIMEZONE``, e.g.
    ``2026-06-12T09:30:00+08:00``), whatever zone it was computed or stored in.

    One zone for every answer, so that a retry (read back from the database, in UTC) answers with the same text
    as the first request (computed in whichever zone its clock gave). A naive value is the database's UTC.
    """
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(local_tz()).isoformat()


class Instant(ma.fields.AwareDateTime):
    """Every date-time of the API. A client sends ISO 8601 with its offset (``2026-06-12T09:30:00+08:00``), in
    the years 1900 to 2999 UTC (see `check_instant`); answers give it in the district's offset (`local_instant`)."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        return check_instant(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return local_instant(value)


DAY_RANGE_MESSAGE = "Give a date (YYYY-MM-DD) from 1900 to 2999, or a date-time with its offset."
_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAST_INSTANT = END_OF_INSTANTS - timedelta(microseconds=1)


class ReportedBound(Instant):
    """A bound of the period a list covers (``created_after``, ``created_before``): a date-time with its offset,
    or a plain local date (``2026-06-12``), counted whole as the statistics' ``from``/``to`` count their days.

    ``created_after=D`` is the start of the local day D (included); ``created_before=D`` includes the day D too,
    i.e. it stands for the start of the next local day (excluded). A date-time bound means that very instant:
    ``created_after`` includes it, ``created_before`` excludes it.
    """

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        # A plain date stands for the start of its day, or with end_of_day for its end (the next day's start).
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not (isinstance(value, str) and _PLAIN_DATE.match(value)):
            return super()._deserialize(value, attr, data, **kwargs)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ma.ValidationError(DAY_RANGE_MESSAGE) from None
        if not 1900 <= day.year <= 2999:
            raise ma.ValidationError(DAY_RANGE_MESSAGE)
        if self.end_of_day:
            day += timedelta(days=1)
        start = datetime.combine(day, time.min, tzinfo=local_tz())
        # A local day at either end of the years kept may begin outside them; nothing is recorded there.
        return min(max(start, EARLIEST_INSTANT), _LAST_INSTANT)


def reported_after(**kwargs) -> ReportedBound:
    """The ``created_after`` parameter of every list of hazards (list, map, areas, ledger)."""
    return ReportedBound(metadata={"description": (
        "Reported at or after this: a date-time with its offset, or a local date (YYYY-MM-DD: from the start "
        "of that day, like the statistics' `from`).")}, **kwargs)


def reported_before(**kwargs) -> ReportedBound:
    """The ``created_before`` parameter of every list of hazards (list, map, areas, ledger)."""
    return ReportedBound(end_of_day=True, metadata={"description": (
        "Reported before this: a date-time with its offset (excluded), or a local date (YYYY-MM-DD: that day "
        "included, like the statistics' `to`).")}, **kwargs)


# Degrees to 7 places is about 1 cm: finer than any phone's fix, and what a position keeps once written as text.
COORDINATE_PLACES = 7


def coordinate(value: float | None) -> float | None:
    """A latitude or longitude as answers give it: to 7 places, so that float noise from conversions (EXIF's
    degree-minute-second rationals, averaging) does not show (``39.905049999999996`` is ``39.90505``)."""
    return None if value is None else round(value, COORDINATE_PLACES)


class Coordinate(ma.fields.Float):
    """A latitude or longitude in degrees (WGS-84); answers give it to 7 places (see `coordinate`)."""

    def _serialize(self, value, attr, obj, **kwargs) -> float | None:
        return coordinate(None if value is None else float(value))


def rounded_rate(value: float | None) -> float | None:
    """A rate (0 to 1) as answers give it: to 4 places (0.01 %), null when there was nothing to count."""
    return None if value is None else round(value, 4)
