"""What a hazard's events say its row must hold, and where the row says otherwise.

Every field some event records is replayed from the chain (the report's deadline, severity, category,
description …; each transition's status and its time; an approved extension's deadline; a photo's position;
the sweep's marks) and compared with the row: a row rewritten by hand, without an event, is named field by field.
A field no event of this chain records (an event written before it was recorded) is not compared.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

# Fields the report's details give, as (row column, details key).
_REPORTED = (
    ("deadline", "deadline"), ("original_deadline", "deadline"), ("severity", "severity"),
    ("category_code", "category"), ("description", "description"), ("basis", "basis"),
    ("enterprise_id", "enterprise_id"), ("inspection_id", "inspection_id"), ("reported_at", "reported_at"),
    ("deadline_requested", "deadline_requested"), ("recurrence_of", "recurrence_of"), ("lat", "lat"), ("lon", "lon"),
    ("accuracy_m", "accuracy_m"), ("location_source", "location_source"), ("area_code", "area_code"),
)
# In the order an operator reads a hazard.
FIELDS = ("status", "severity", "category_code", "description", "basis", "enterprise_id", "inspection_id",
          "reported_by", "reported_at", "client_reported_at", "deadline", "original_deadline", "deadline_requested",
          "recurrence_of", "closed_at", "voided_at", "rejection_count", "overdue_recorded", "due_soon_recorded",
          "lat", "lon", "accuracy_m", "location_source", "area_code")


def reported_fields(hazard) -> dict:
    """What a ``reported`` event records of the new hazard besides its deadline, severity and category, as
    ``expected_state`` reads it back."""
    return {key: plain(getattr(hazard, column)) for column, key in _REPORTED
            if key not in ("deadline", "severity", "category")}


def expected_state(events: Sequence) -> dict:
    """The values the events give the hazard's fields, each as plain text or number (see ``plain``)."""
    state: dict = {}
    for event in events:
        details = event.details or {}
        if event.action == "reported":
            for column, key in _REPORTED:
                if key in details:
                    state[column] = details[key]
            state["reported_by"] = event.actor_id
            state["client_reported_at"] = plain(event.client_at)
            state.update(rejection_count=0, overdue_recorded=False, due_soon_recorded=False,
                         closed_at=None, voided_at=None)
        if event.to_status:
            state["status"] = event.to_status
            state["closed_at"] = plain(event.at) if event.to_status == "closed" else None
            state["voided_at"] = plain(event.at) if event.to_status == "void" else None
        if event.action == "reject" and "rejection_count" in state:
            state["rejection_count"] += 1
        if event.action == "extension_approved" and "new_deadline" in details:
            state["deadline"] = details["new_deadline"]
            state["due_soon_recorded"] = False  # the reminder fires again for the new date
        if event.action == "overdue":
            state["overdue_recorded"] = True
        if event.action == "due_soon":
            state["due_soon_recorded"] = True
        located = details.get("hazard_location") if event.action == "photo_added" else None
        if located:
            state.update(lat=located["lat"], lon=located["lon"], location_source=located["source"], accuracy_m=None)
            if "area_code" in located:
                state["area_code"] = located["area_code"]
    return state


def state_differences(row, events: Sequence, expected: dict | None = None) -> list[tuple[str, object, object]]:
    """(field, the row's value, the events' value) for each field the row holds otherwise than its events say
    (``expected``: their ``expected_state``, if already made)."""
    expected = expected_state(events) if expected is None else expected
    return [(name, plain(getattr(row, name)), expected[name]) for name in FIELDS
            if name in expected and plain(getattr(row, name)) != expected[name]]


def plain(value):
    """A value as the audit trail writes it: dates and instants (UTC) in ISO 8601, ids as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
