"""A hazard as its detail view shows it: the record, fresh photo links, and what the caller may do next."""
from __future__ import annotations

from flask import current_app

from api.auth import current_user
from api.db import session
from api.photos.present import FIRST_PAGE, photo_dict
from api.schemas import local_instant
from inspections.check_summaries import summarize
from inspections.hazard_queries import hazard_record
from inspections.verification import records_as_seen_by
from inspections.visibility import shown_inspection_id
from inspections.models import Hazard
from inspections.workflow import actions_available


def hazard_detail(hazard: Hazard) -> dict:
    record = hazard_record(session(), hazard, photo_limit=FIRST_PAGE)
    store = current_app.extensions["object_store"]
    # Matches against hazards the caller may not see are shown without their ids (and the latest is the last).
    checks = records_as_seen_by(session(), current_user(), [r.checks for r in record.rectifications])
    detail = {field: getattr(hazard, field) for field in hazard.__mapper__.columns.keys()}
    detail.update(
        inspection_id=shown_inspection_id(session(), current_user(), hazard),
        enterprise=hazard.enterprise,
        plan=hazard.plan,
        extensions=record.extensions,
        photos=[photo_dict(photo, store) for photo in record.photos],
        photos_total=record.photos_total,
        rectifications=[
            {"id": r.id, "measures": r.measures, "photo_ids": r.photo_ids, "checks": shown,
             "submitted_by": r.submitted_by, "submitted_at": local_instant(r.submitted_at)}
            for r, shown in zip(record.rectifications, checks)
        ],
        closure_checks=checks[-1] if checks else None,
        closure_summary=summarize(record.rectifications[-1]) if record.rectifications else None,
        actions=actions_available(hazard.status, hazard.severity, current_user().role),
    )
    return _Detail(detail)


class _Detail(dict):
    """A dict the schema reads by key, and its ``Function`` fields by attribute (``h.enterprise.name``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
