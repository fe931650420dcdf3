"""Wire-format building blocks shared by the resource schemas."""
import re
from collections.abc import Mapping
from datetime import datetime

import marshmallow as ma

from media.instants import instant_in_range

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


class Instant(ma.fields.AwareDateTime):
    """Every date-time a client sends: ISO 8601 with its offset (``2026-06-12T09:30:00+08:00``), in the years
    1900 to 2999 UTC (see `check_instant`)."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        return check_instant(super()._deserialize(value, attr, data, **kwargs))


def rounded_rate(value: float | None) -> float | None:
    """A rate (0 to 1) as answers give it: to 4 places (0.01 %), null when there was nothing to count."""
    return None if value is None else round(value, 4)
