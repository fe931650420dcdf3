"""The append-only audit trail of hazards, chained by SHA-256, and its verification."""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.models import Hazard, HazardEvent, User

GENESIS = "0" * 64


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat(timespec="microseconds") if instant else None


def event_hash(event: HazardEvent) -> str:
    """SHA-256 over every field of the event that tells what happened, and the previous event's hash."""
    content = {
        "hazard_id": str(event.hazard_id),
        "seq": event.seq,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "at": _iso(event.at),
        "client_at": _iso(event.client_at),
        "comment": event.comment,
        "evidence_ids": list(event.evidence_ids or []),
        "details": event.details or {},
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    session: Session,
    hazard: Hazard,
    action: str,
    *,
    at: datetime,
    actor: User | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    client_at: datetime | None = None,
    comment: str | None = None,
    evidence_ids: Iterable = (),
    details: dict | None = None,
) -> HazardEvent:
    """Append an event to the hazard's chain (the caller commits, in the same transaction as the change).

    Two writers racing for the same hazard compute the same ``seq``; the unique (hazard, seq) constraint
    then lets only one of them commit.
    """
    # No autoflush: the hazard's own change must reach the database at commit, where a concurrent change
    # is caught as a conflict (its version check), not here in the middle of building the event.
    # Each transaction appends at most one event per hazard, so nothing pending is missed.
    with session.no_autoflush:
        last = session.execute(
            select(HazardEvent.seq, HazardEvent.hash)
            .where(HazardEvent.hazard_id == hazard.id)
            .order_by(HazardEvent.seq.desc())
            .limit(1)
        ).first()
    event = HazardEvent(
        hazard_id=hazard.id,
        seq=(last.seq + 1) if last else 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        at=at,
        client_at=client_at,
        comment=comment,
        evidence_ids=[str(e) for e in evidence_ids],
        details=details or {},
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_hash(event)
    session.add(event)
    return event


def events_of(session: Session, hazard_id: uuid.UUID) -> list[HazardEvent]:
    return list(session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id).order_by(HazardEvent.seq)))


@dataclass(frozen=True)
class ChainBreak:
    hazard_id: uuid.UUID
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"hazard {self.hazard_id}, event #{self.seq}: {self.problem}"


def verify_chains(session: Session, progress: Callable[[int], None] | None = None) -> tuple[int, list[ChainBreak]]:
    """Check every hazard's chain; returns how many events were checked and every break found."""
    breaks: list[ChainBreak] = []
    checked = 0
    current: uuid.UUID | None = None
    expected_seq, prev_hash = 1, GENESIS
    rows = session.scalars(select(HazardEvent).order_by(HazardEvent.hazard_id, HazardEvent.seq)).yield_per(1000)
    for event in rows:
        if event.hazard_id != current:
            current, expected_seq, prev_hash = event.hazard_id, 1, GENESIS
        if event.seq != expected_seq:
            breaks.append(ChainBreak(event.hazard_id, event.seq, f"event #{expected_seq} is missing (deleted?)"))
        if event.prev_hash != prev_hash:
            breaks.append(ChainBreak(event.hazard_id, event.seq, "does not follow the event before it"))
        if event_hash(event) != event.hash:
            breaks.append(ChainBreak(event.hazard_id, event.seq, "its content was changed after it was written"))
        expected_seq, prev_hash = event.seq + 1, event.hash
        checked += 1
        if progress and checked % 1000 == 0:
            progress(checked)
    return checked, breaks
