"""The time for this request: one seam (``app.extensions['clock']``) so deadlines can be tested at any date."""
from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo

from flask import current_app

from inspections import deadlines


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def now() -> datetime:
    return current_app.extensions["clock"]()


def local_tz() -> tzinfo:
    return current_app.extensions["timezone"]


def local_today() -> date:
    return deadlines.local_date(now(), local_tz())
