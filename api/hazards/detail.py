"""Everything the hazard detail view shows, gathered in one place for the detail schema."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from api.auth import current_user
from api.db import session
from api.photos.present import photo_dict
from inspections.extensions import extensions_of
from inspections.models import Hazard, Photo, Rectification
from inspections.workflow import actions_available


def hazard_detail(hazard: Hazard) -> dict:
    store = current_app.extensions["object_store"]
    photos = session().scalars(select(Photo).where(Photo.hazard_id == hazard.id).order_by(Photo.uploaded_at)).all()
    rectifications = session().scalars(
        select(Rectification).where(Rectification.hazard_id == hazard.id).order_by(Rectification.id)
    ).all()
    detail = {field: getattr(hazard, field) for field in hazard.__mapper__.columns.keys()}
    detail.update(
        enterprise=hazard.enterprise,
        plan=hazard.plan,
        extensions=extensions_of(session(), hazard.id),
        photos=[photo_dict(photo, store) for photo in photos],
        rectifications=[
            {"id": r.id, "measures": r.measures, "photo_ids": r.photo_ids, "checks": r.checks,
             "submitted_by": r.submitted_by, "submitted_at": r.submitted_at.isoformat()}
            for r in rectifications
        ],
        closure_checks=rectifications[-1].checks if rectifications else None,
        actions=actions_available(hazard.status, hazard.severity, current_user().role),
    )
    return _Detail(detail)


class _Detail(dict):
    """A dict the schema can read with attribute access too (``Function`` fields receive the object)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
