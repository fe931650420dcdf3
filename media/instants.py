"""The instants the service records: the years 1900 to 2999, in UTC.

Everything it keeps lies well inside. A time outside is a typo, a camera's placeholder or a broken clock, and
one near year 1 or 9999 cannot even be converted to UTC or to local time. Kept here, at the bottom of the
layers, so that EXIF parsing (``media.exif``), the API's date-time fields (``api.schemas.Instant``) and the
database column (``inspections.db.UTCDateTime``) hold the same range.
"""
from __future__ import annotations

from datetime import datetime, timezone

EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=timezone.utc)
END_OF_INSTANTS = datetime(3000, 1, 1, tzinfo=timezone.utc)


def instant_in_range(value: datetime) -> bool:
    """Whether the aware ``value`` lies in the years 1900 to 2999 UTC (compared without converting it, which
    could overflow: 9999-12-31 23:59:59-12:00 has no UTC datetime)."""
    return EARLIEST_INSTANT <= value < END_OF_INSTANTS
