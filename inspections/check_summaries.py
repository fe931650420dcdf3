"""The closure checks of a hazard's latest rectification, summed up for lists: a re-inspector scanning the
submitted hazards of his area sees beside each whether its photos passed, and which checks warned.

The full checks (every photo's distance, time and matches) stay in the detail view (``closure_checks``); this is
the verdict and the contract's four checks folded over the photos. ``latest_check_summaries`` reads them for a
whole page of hazards in one query.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspections.models import Rectification


def summarize(rectification: Rectification) -> dict:
    """The summary of one rectification's checks (see ``CheckSummarySchema`` for what each key means).

    Over several photos: ``distance_m`` is the farthest located photo's; ``within_radius`` and
    ``taken_after_report`` are false when any photo fails, else null when any could not be checked, else true;
    ``same_as_evidence`` is true when any photo repeats an evidence photo.
    """
    checks = rectification.checks or {}
    photos = [p for p in checks.get("photos") or () if isinstance(p, dict)]
    distances = [p["distance_m"] for p in photos if p.get("distance_m") is not None]
    return {
        "rectification_id": rectification.id,
        "submitted_at": rectification.submitted_at,
        "photos": len(photos),
        "passed": checks.get("passed"),
        "clean": checks.get("clean"),
        "blocking": list(checks.get("blocking") or ()),
        "warnings": list(checks.get("warnings") or ()),
        "distance_m": max(distances) if distances else None,
        "within_radius": _all_of(p.get("within_radius") for p in photos),
        "taken_after_report": _all_of(p.get("taken_after_report") for p in photos),
        "same_as_evidence": any(p.get("same_as_evidence") for p in photos),
    }


def _all_of(values: Iterable[bool | None]) -> bool | None:
    """False if any is false; else None if any is unknown (or there are none); else True."""
    seen = list(values)
    if any(v is False for v in seen):
        return False
    if not seen or any(v is None for v in seen):
        return None
    return True


def latest_check_summaries(session: Session, hazard_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """The summary of each hazard's latest rectification, by hazard id, in one query; hazards without a
    rectification are not in the answer."""
    ids = list(dict.fromkeys(hazard_ids))
    if not ids:
        return {}
    latest = (
        select(func.max(Rectification.id).label("id"))
        .where(Rectification.hazard_id.in_(ids))
        .group_by(Rectification.hazard_id)
        .subquery()
    )
    rows = session.scalars(select(Rectification).join(latest, latest.c.id == Rectification.id))
    return {r.hazard_id: summarize(r) for r in rows}
