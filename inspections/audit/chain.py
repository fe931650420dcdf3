"""The hazard's chain of events: each event's digest covers its content and the digest before it, and the hazard
row holds the head (how many events, the last digest) under a seal.

Two formats of event live side by side:

- format 2 (every event written now): HMAC-SHA256 under the audit key named by ``key_id``, over the content
  with its instants as stored (UTC);
- format 1 (the events written before keys, marked so by migration 0009): plain SHA-256, over the instants as
  the code then had them, which for a phone's time was the offset it was sent with (``+08:00``) rather than the
  UTC value stored. ``legacy_digest_matches`` tries the offsets that could have produced the stored digest, so
  those events verify without being rewritten.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.audit.keys import AuditKeys, keys_of
from inspections.models import Hazard, HazardEvent, User

GENESIS = "0" * 64
LEGACY, KEYED = 1, 2
# Every UTC offset in use, in quarter hours (-12:00 … +14:00): what a phone may have sent its time in.
_OFFSETS = [timezone(timedelta(minutes=15 * q)) for q in range(-48, 57)]


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat(timespec="microseconds") if instant else None


def _utc(instant: datetime | None) -> datetime | None:
    return instant.astimezone(UTC) if instant else None


def _canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _content(event, at: datetime | None, client_at: datetime | None) -> dict:
    return {
        "hazard_id": str(event.hazard_id),
        "seq": event.seq,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "at": _iso(at),
        "client_at": _iso(client_at),
        "comment": event.comment,
        "evidence_ids": list(event.evidence_ids or []),
        "details": event.details or {},
        "prev_hash": event.prev_hash,
    }


def keyed_message(event) -> bytes:
    """What a format-2 digest seals: the event's content, its instants in UTC as stored.

    ``event`` is a HazardEvent or anything with its attributes (a row read back, the demo's bulk rows).
    """
    return _canonical({**_content(event, _utc(event.at), _utc(event.client_at)), "format": KEYED})


def event_digest(event, keys: AuditKeys) -> str:
    """The format-2 digest of an event: HMAC-SHA256 under its ``key_id`` over ``keyed_message``."""
    return keys.seal(keyed_message(event), event.key_id)


def legacy_digest(event, at: datetime | None, client_at: datetime | None) -> str:
    """The format-1 digest, as the code before keys computed it: SHA-256 over the instants as it had them."""
    return hashlib.sha256(_canonical(_content(event, at, client_at))).hexdigest()


def legacy_digest_matches(event, local: tzinfo | None = None) -> bool:
    """Whether a format-1 event's stored digest is one its content gives, with each instant in UTC or in an
    offset it could have been sent in (the server's own ``local`` zone first: the likeliest after UTC)."""
    def forms(instant: datetime | None, zones) -> Iterator[datetime | None]:
        if instant is None:
            yield None
            return
        seen = set()
        for zone in zones:
            if zone is None:
                continue
            form = instant.astimezone(zone)
            if form.isoformat() not in seen:
                seen.add(form.isoformat())
                yield form

    # The server's own clock gave ``at`` (UTC, or the local zone); a phone gave ``client_at`` (any offset).
    for at in forms(event.at, (UTC, local)):
        for client_at in forms(event.client_at, (UTC, local, *_OFFSETS)):
            if legacy_digest(event, at, client_at) == event.hash:
                return True
    return False


def head_message(hazard_id: uuid.UUID, count: int, head: str) -> bytes:
    """What a hazard's seal covers: its id, how many events its chain has and the last one's digest."""
    return _canonical({"seal": "hazard-head", "hazard_id": str(hazard_id), "count": count, "head": head})


def seal_head(hazard, count: int, head: str, keys: AuditKeys) -> None:
    """Write the chain's head onto the hazard row (a Hazard, or a dict of its columns), sealed with the current
    key."""
    values = {"audit_count": count, "audit_head": head, "audit_key_id": keys.current_id,
              "audit_seal": keys.seal(head_message(_id_of(hazard), count, head))}
    if isinstance(hazard, dict):
        hazard.update(values)
    else:
        for name, value in values.items():
            setattr(hazard, name, value)


def _id_of(hazard) -> uuid.UUID:
    return hazard["id"] if isinstance(hazard, dict) else hazard.id


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
    """Append an event to the hazard's chain and move the hazard's sealed head to it (the caller commits, in the
    same transaction as the change).

    Two writers racing for the same hazard compute the same ``seq``; the unique (hazard, seq) constraint
    and the hazard row's version check then let only one of them commit.
    """
    keys = keys_of(session)
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
        # As stored: the digest is computed over the very values read back (a phone's +08:00 becomes UTC).
        at=_utc(at),
        client_at=_utc(client_at),
        comment=comment,
        evidence_ids=[str(e) for e in evidence_ids],
        details=details or {},
        prev_hash=last.hash if last else GENESIS,
        format=KEYED,
        key_id=keys.current_id,
    )
    event.hash = event_digest(event, keys)
    seal_head(hazard, event.seq, event.hash, keys)
    session.add(event)
    return event


def events_of(session: Session, hazard_id: uuid.UUID) -> list[HazardEvent]:
    """The hazard's events in order."""
    return list(session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id).order_by(HazardEvent.seq)))
