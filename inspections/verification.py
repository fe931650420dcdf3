"""Checking a closure's photos against the database: what they must not repeat, and the verdict.

The rules themselves are in ``closure_checks``; this module finds the facts for them.
"""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.closure_checks import (
    ClosurePolicy, HazardFacts, KnownPhoto, PhotoCheck, PhotoFacts, Verdict, check_photo, verdict,
)
from inspections.enums import HazardStatus, PhotoKind
from inspections.models import Category, Hazard, HazardEvent, Photo, Rectification, User
from inspections.visibility import visible_hazard_ids, visible_inspection_ids


def check_photos(session: Session, hazard: Hazard, photos: list[Photo], policy: ClosurePolicy) -> tuple[list[PhotoCheck], Verdict]:
    """The checks of each photo and the verdict for them together."""
    facts = HazardFacts(lat=hazard.lat, lon=hazard.lon, reported_at=hazard.reported_at, radius_m=_radius(session, hazard))
    known = _known_photos(session, hazard, photos)
    checks = [check_photo(_facts(photo), facts, known, policy) for photo in photos]
    return checks, verdict(checks, policy)


def as_record(checks: list[PhotoCheck], result: Verdict) -> dict:
    """What is stored with the rectification and shown to the re-inspector."""
    return {"photos": [c.as_dict() for c in checks], **result.as_dict()}


def latest_checks(session: Session, hazard: Hazard) -> dict | None:
    """The checks of the hazard's latest rectification submission, if any."""
    return session.scalar(
        select(Rectification.checks).where(Rectification.hazard_id == hazard.id).order_by(Rectification.id.desc()).limit(1)
    )


def _facts(photo: Photo) -> PhotoFacts:
    return PhotoFacts(id=str(photo.id), sha256=photo.sha256, phash=photo.phash, lat=photo.lat, lon=photo.lon,
                      accuracy_m=photo.accuracy_m, taken_at=photo.taken_at)


def _radius(session: Session, hazard: Hazard) -> float | None:
    """The category's radius, else its parent's (``fire.exits`` inherits ``fire``'s)."""
    category = session.get(Category, hazard.category_code)
    while category is not None:
        if category.radius_m:
            return float(category.radius_m)
        category = session.get(Category, category.parent_code) if category.parent_code else None
    return None


def _known_photos(session: Session, hazard: Hazard, photos: list[Photo]) -> list[KnownPhoto]:
    """This hazard's evidence photos, and photos that closed other hazards: by the same bytes anywhere in the
    district, and by a similar picture at the same enterprise (a perceptual comparison needs a scan, so it is
    kept to where re-use is likely)."""
    known = [
        KnownPhoto(str(p.id), str(p.hazard_id), p.sha256, p.phash, "evidence")
        for p in session.scalars(select(Photo).where(Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.EVIDENCE))
    ]
    closing = (
        select(Photo)
        .join(Hazard, Hazard.id == Photo.hazard_id)
        .where(Hazard.status == HazardStatus.CLOSED, Hazard.id != hazard.id, Photo.kind == PhotoKind.RECTIFICATION)
    )
    shas = [p.sha256 for p in photos]
    candidates = {
        p.id: p for p in session.scalars(closing.where(Photo.sha256.in_(shas)))
    } | {
        p.id: p for p in session.scalars(closing.where(Hazard.enterprise_id == hazard.enterprise_id))
    }
    known += [KnownPhoto(str(p.id), str(p.hazard_id), p.sha256, p.phash, "closed_other") for p in candidates.values()]
    return known


def records_as_seen_by(session: Session, actor: User, records: list[dict | None]) -> list[dict | None]:
    """Stored check records (``as_record``) as ``actor`` may read them.

    A match against a photo of a hazard the caller may not see (another enterprise's or another street's, which
    an exact re-use finds district-wide) keeps what it says about the picture (``role``, ``how``, ``bits``) but
    not which hazard and photo it was: ``hazard_id`` and ``photo_id`` are null and ``hidden`` is true.
    """
    matched = {m.get("hazard_id") for record in records for m in _matches_in(record)}
    seen = visible_hazard_ids(session, actor, matched)
    return [_redacted(record, seen) for record in records]


class SeenEvent:
    """An audit event as the caller may read it: its re-inspection checks redacted (``records_as_seen_by``),
    everything else read through. The stored event is left untouched (its hash covers what was written)."""

    def __init__(self, event: HazardEvent, details: dict):
        self._event = event
        self.details = details

    def __getattr__(self, name):
        return getattr(self._event, name)


def events_as_seen_by(session: Session, actor: User, events: list[HazardEvent]) -> list[SeenEvent]:
    """The events with the checks inside their details as ``actor`` may read them, and the inspection a hazard was
    reported in only when ``actor`` may see that inspection (an officer is never told of a covert one, 暗访)."""
    records = records_as_seen_by(session, actor, [(e.details or {}).get("reinspection_checks") for e in events])
    named = {str(i) for e in events if (i := (e.details or {}).get("inspection_id"))}
    known = {str(i) for i in visible_inspection_ids(session, actor, [uuid.UUID(i) for i in named])} if named else set()
    seen = []
    for event, record in zip(events, records):
        details = dict(event.details or {})
        if record is not None:
            details["reinspection_checks"] = record
        if details.get("inspection_id") and str(details["inspection_id"]) not in known:
            details["inspection_id"] = None
        seen.append(SeenEvent(event, details))
    return seen


def _matches_in(record: dict | None) -> list[dict]:
    if not isinstance(record, dict):
        return []
    return [m for p in record.get("photos") or () if isinstance(p, dict) for m in p.get("matches") or ()
            if isinstance(m, dict)]


def _redacted(record: dict | None, seen: set[str]) -> dict | None:
    if not _matches_in(record) or all(m.get("hazard_id") in seen for m in _matches_in(record)):
        return record
    photos = []
    for photo in record.get("photos") or ():
        if isinstance(photo, dict) and photo.get("matches"):
            photo = {**photo, "matches": [
                m if not isinstance(m, dict) or m.get("hazard_id") in seen
                else {**m, "hazard_id": None, "photo_id": None, "hidden": True}
                for m in photo["matches"]
            ]}
        photos.append(photo)
    return {**record, "photos": photos}
