"""``audit verify``: every hazard's chain, its sealed head, its row against its events, and the heads of the last
checkpoint against what the database holds now; each break named by hazard and event, in words.

Streams: the hazards (by id), their events (by hazard and number) and the checkpoint's heads (by hazard) are
read side by side in one pass, so memory stays flat however big the district.
"""
from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspections.audit.chain import GENESIS, KEYED, LEGACY, head_message, keyed_message, legacy_digest_matches
from inspections.audit.keys import AuditKeys, UnknownKey, keys_of
from inspections.audit.state import expected_state, plain, state_differences
from inspections.models import Enterprise, Hazard, HazardEvent, User

PROGRESS_EVERY = 10_000  # hazards


@dataclass(frozen=True)
class ChainBreak:
    """One thing found wrong: which hazard (and event, if one), and what."""

    hazard_id: uuid.UUID
    hazard: str  # "hazard <id> (<enterprise>, <description>)"
    problem: str  # starts with the event it concerns, if one: "event #4 (approve by zhao at …) was deleted …"

    def __str__(self) -> str:
        return f"{self.hazard}: {self.problem}"


@dataclass
class Verified:
    """What ``verify_chains`` checked and found."""

    hazards: int = 0
    events: int = 0
    legacy_events: int = 0  # format 1: written before keys
    unsealed: int = 0  # heads written before keys and not yet sealed by a checkpoint
    breaks: list[ChainBreak] = field(default_factory=list)
    checkpoint: str | None = None  # the checkpoint the heads were compared with, if any


@dataclass(frozen=True)
class RecordedHead:
    """A hazard's head as a checkpoint recorded it, with enough to name what went missing since."""

    count: int
    digest: str
    last_event: str  # "approve by zhao at 2026-06-12 09:30" (local time, when it was recorded)
    label: str  # "示范机械厂, 安全出口被货物堵塞"
    at: str  # when the checkpoint was written, for the operator ("2026-06-12T10:00+08:00")


def verify_chains(
    session: Session, *, tz: tzinfo | None = None, recorded: Iterable[tuple[uuid.UUID, RecordedHead]] = (),
    checkpoint: str | None = None, progress: Callable[[str], None] | None = None,
) -> Verified:
    """Check every hazard: its chain (numbering, links, digests under the audit keys), its sealed head, its row
    against its events, and, when ``recorded`` gives the last checkpoint's heads (sorted by hazard id), that
    nothing it recorded has gone since. ``tz`` is the local zone: for times in messages and for events written
    before keys (a phone's time then entered the digest in its own offset)."""
    keys = keys_of(session)
    result = Verified(checkpoint=checkpoint)
    total = session.scalar(select(func.count()).select_from(Hazard))
    names = dict(session.execute(select(User.id, User.username)).all())
    for hazard_id, row, events, head in _side_by_side(_hazards(session), _events(session), iter(recorded)):
        result.hazards += row is not None
        result.events += len(events)
        result.legacy_events += sum(e.format == LEGACY for e in events)
        expected = expected_state(events)
        label = _label(hazard_id, row, head, expected.get("description"))
        report = lambda problem: result.breaks.append(ChainBreak(hazard_id, label, problem))  # noqa: E731
        describe = lambda event: _event(event, names, tz)  # noqa: E731
        check_chain(events, keys, tz, describe, report)
        if row is None:
            if events:
                report(f"its row was deleted; {len(events)} events of its trail remain (the last: {describe(events[-1])})")
            else:
                report(f"was deleted with its whole trail ({_events_word(head.count)}, the last: {head.last_event}) "
                       f"after checkpoint {head.at}")
            continue
        unsealed = _check_head(row, events, keys, describe, report, checkpoints_exist=checkpoint is not None)
        result.unsealed += unsealed
        for name, in_row, in_events in state_differences(row, events, expected):
            report(f"its {name} is {_show(in_row, tz)} in its row, but its events say {_show(in_events, tz)} "
                   "(the row was changed without an event)")
        if head is not None:
            _check_recorded(events, head, describe, report)
        if progress and result.hazards % PROGRESS_EVERY == 0:
            progress(f"{result.hazards:,}/{total:,} hazards, {result.events:,} events checked")
    return result


def check_chain(events, keys: AuditKeys, tz, describe, report) -> None:
    """Report (``report(problem)``) each gap in the numbering, broken link, forged or changed event of a chain."""
    expected_seq, prev_hash, keyed = 1, GENESIS, False
    for event in events:
        if event.seq != expected_seq:
            missing = f"event #{expected_seq}" if event.seq == expected_seq + 1 else f"events #{expected_seq}–#{event.seq - 1}"
            report(f"{missing} {'is' if event.seq == expected_seq + 1 else 'are'} missing (deleted), before "
                   f"{describe(event)}")
        if event.prev_hash != prev_hash:
            report(f"{describe(event)} does not follow the event before it")
        if event.format == LEGACY and keyed:
            report(f"{describe(event)} is in the unkeyed form of events written before keys, after keyed ones "
                   "(forged without the audit key)")
        if event.format == KEYED:
            keyed = True
            try:
                intact = keys.matches(keyed_message(event), event.key_id, event.hash)
            except UnknownKey:
                report(f"{describe(event)} was sealed with audit key {event.key_id}, which is not configured "
                       "(add it to AUDIT_OLD_KEYS), or forged")
                intact = True
            if not intact:
                report(f"{describe(event)}: its content was changed after it was written")
        elif not legacy_digest_matches(event, tz):
            report(f"{describe(event)}: its content was changed after it was written")
        expected_seq, prev_hash = event.seq + 1, event.hash


def _check_head(row, events, keys: AuditKeys, describe, report, *, checkpoints_exist: bool) -> int:
    """The row's sealed head against the chain; returns 1 for a legitimately unsealed (pre-keys) head."""
    stored = len(events)
    last = events[-1] if events else None
    if row.audit_seal is None:
        if last is not None and last.format == KEYED:
            report("its row's record of the trail has no seal, though its events are keyed (the seal was removed)")
        elif checkpoints_exist:
            report("its row's record of the trail has no seal, though every checkpoint seals the heads it records "
                   "(the seal was removed)")
        else:
            return 1
    else:
        try:
            sealed = keys.matches(head_message(row.id, row.audit_count, row.audit_head), row.audit_key_id, row.audit_seal)
        except UnknownKey:
            report(f"its row's record of the trail was sealed with audit key {row.audit_key_id}, which is not "
                   "configured (add it to AUDIT_OLD_KEYS), or forged")
            sealed = True
        if not sealed:
            report(f"its row's record of the trail ({_events_word(row.audit_count)}) was altered: its seal does not match")
    if row.audit_count > stored:
        gone = (f"event #{row.audit_count}" if row.audit_count == stored + 1
                else f"events #{stored + 1}–#{row.audit_count}")
        report(f"{gone} {'was' if row.audit_count == stored + 1 else 'were'} deleted: its row's sealed record counts "
               f"{_events_word(row.audit_count)}, {stored} are stored")
    elif row.audit_count < stored or (last is not None and row.audit_head != last.hash):
        report(f"its row's record of the trail ({_events_word(row.audit_count)}) does not end where its "
               f"{stored} stored events end ({describe(last) if last else 'none'})")
    return 0


def _check_recorded(events, head: RecordedHead, describe, report) -> None:
    """Nothing the checkpoint recorded may be gone or replaced."""
    stored = len(events)
    if stored < head.count:
        gone = f"event #{head.count}" if head.count == stored + 1 else f"events #{stored + 1}–#{head.count}"
        report(f"{gone} ({'' if head.count == stored + 1 else 'the last: '}{head.last_event}) "
               f"{'was' if head.count == stored + 1 else 'were'} deleted after checkpoint {head.at}")
    elif head.count and events[head.count - 1].hash != head.digest:
        report(f"{describe(events[head.count - 1])} is not the event checkpoint {head.at} recorded as #{head.count} "
               f"({head.last_event}): the trail was rewritten after it")


# --- reading side by side -----------------------------------------------------------------------------------


def _hazards(session: Session) -> Iterator:
    query = (select(Hazard.__table__, Enterprise.name.label("enterprise_name"))
             .join(Enterprise, Enterprise.id == Hazard.enterprise_id, isouter=True).order_by(Hazard.id))
    yield from session.execute(query.execution_options(yield_per=1000))


def _events(session: Session) -> Iterator:
    query = select(HazardEvent.__table__).order_by(HazardEvent.hazard_id, HazardEvent.seq)
    yield from session.execute(query.execution_options(yield_per=1000))


def _side_by_side(hazards: Iterator, events: Iterator, recorded: Iterator) -> Iterator:
    """(hazard id, row or None, its events, its recorded head or None) for every id any of the three names,
    in id order; each input is sorted by hazard id."""
    tagged = heapq.merge(
        ((row.id, 0, row) for row in hazards),
        ((event.hazard_id, 1, event) for event in events),
        ((hazard_id, 2, head) for hazard_id, head in recorded),
        key=lambda item: (item[0], item[1]),
    )
    for hazard_id, items in itertools.groupby(tagged, key=lambda item: item[0]):
        row, chain, head = None, [], None
        for _id, kind, item in items:
            if kind == 0:
                row = item
            elif kind == 1:
                chain.append(item)
            else:
                head = item
        yield hazard_id, row, chain, head


# --- words ----------------------------------------------------------------------------------------------------


def hazard_label(enterprise: str | None, description: str | None) -> str:
    """How an operator recognises a hazard besides its id: its enterprise and its description."""
    text = (description or "").replace("\n", " ")
    return f"{enterprise or 'unknown enterprise'}, {text[:40] + '…' if len(text) > 40 else text}"


def _label(hazard_id, row, head: RecordedHead | None, recorded_description: str | None) -> str:
    if row is not None:  # the description as reported, rather than as a rewritten row may have it
        return f"hazard {hazard_id} ({hazard_label(row.enterprise_name, recorded_description or row.description)})"
    return f"hazard {hazard_id} ({head.label})" if head is not None else f"hazard {hazard_id}"


def event_words(action: str, actor: str | None, at: datetime, tz: tzinfo | None) -> str:
    """"approve by zhao at 2026-06-12 09:30" (local time)."""
    when = at.astimezone(tz) if tz else at
    return f"{action} by {actor or 'the system'} at {when:%Y-%m-%d %H:%M}"


def _event(event, names: dict, tz) -> str:
    actor = names.get(event.actor_id, f"user {event.actor_id}") if event.actor_id is not None else None
    return f"event #{event.seq} ({event_words(event.action, actor, event.at, tz)})"


def _events_word(count: int) -> str:
    return f"{count} event{'' if count == 1 else 's'}"


def _show(value, tz) -> str:
    if isinstance(value, str) and len(value) >= 26 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if tz else value
        except ValueError:
            pass
    return "empty" if value is None else repr(plain(value))
