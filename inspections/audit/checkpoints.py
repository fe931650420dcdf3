"""Checkpoints of every hazard's head, written outside the database (the object store), each chained to the one
before by an HMAC: a hazard deleted with its whole trail, or a trail cut back after a checkpoint, is still named.

An object ``audit/checkpoints/<UTC time>.jsonl.gz`` holds, as gzipped JSON lines: a header (when, which key,
the previous checkpoint's name and digest, ``full`` or ``delta``), one line per hazard sorted by id
``[id, count, last digest, the last event in words, the hazard in words]``, and a trailer with the digest: the
HMAC-SHA256 of every line before it. A ``full`` checkpoint lists every head; a ``delta`` only those new or grown
since the previous one, and the heads as of a delta are those of the last full one updated by each delta after
it. A full one is written when the deltas since the last would list as many heads as a full one does, so
reading the heads never costs more than reading two full checkpoints, and storage grows with the changes, not
with the number of checkpoints times the number of hazards.
"""
from __future__ import annotations

import gzip
import heapq
import itertools
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import groupby

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from inspections.audit.chain import GENESIS, head_message
from inspections.audit.keys import AuditKeys, UnknownKey, keys_of
from inspections.audit.verify import RecordedHead, check_chain, event_words, hazard_label
from inspections.models import Enterprise, Hazard, HazardEvent, User
from media.storage import ObjectStore

PREFIX = "audit/checkpoints/"
FORMAT = "hazard-audit-checkpoint/1"
SEAL_BATCH = 1000


class CheckpointBroken(Exception):
    """A checkpoint in the store was altered, removed or replaced (or is sealed with a key not configured)."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"checkpoint {key}: {problem}")
        self.key = key


@dataclass
class _Stored:
    """One checkpoint read back and verified, its bytes in a temporary file."""

    key: str
    header: dict
    digest: str
    file: object

    def entries(self) -> Iterator[list]:
        self.file.seek(0)
        with gzip.GzipFile(fileobj=self.file) as lines:
            next(lines)
            for line in lines:
                item = json.loads(line)
                if isinstance(item, dict):  # the trailer
                    return
                yield item

    def close(self) -> None:
        self.file.close()


@dataclass
class Heads:
    """The heads as of the latest checkpoint: the last full one and the deltas after it, verified."""

    chain: list[_Stored] = field(default_factory=list)  # the full one first
    tz: tzinfo | None = None

    @property
    def latest(self) -> _Stored | None:
        return self.chain[-1] if self.chain else None

    def recorded(self) -> Iterator[tuple[uuid.UUID, RecordedHead]]:
        """(hazard id, its head as last recorded), sorted by id."""
        streams = [((entry[0], index, entry, stored) for entry in stored.entries())
                   for index, stored in enumerate(self.chain)]
        for hex_id, items in groupby(heapq.merge(*streams, key=lambda item: (item[0], item[1])), key=lambda i: i[0]):
            *_, (_, _, entry, stored) = items
            yield uuid.UUID(hex_id), RecordedHead(count=entry[1], digest=entry[2], last_event=entry[3], label=entry[4],
                                                  at=when(stored.header["written_at"], self.tz))

    def close(self) -> None:
        for stored in self.chain:
            stored.close()


def when(iso: str, tz: tzinfo | None) -> str:
    """A checkpoint's time as an operator reads it: local, to the minute."""
    instant = datetime.fromisoformat(iso)
    return (instant.astimezone(tz) if tz else instant).strftime("%Y-%m-%dT%H:%M")


def checkpoint_names(store: ObjectStore) -> list[str]:
    """Every checkpoint's object key, oldest first (the names sort by time)."""
    return sorted(info.key for info in store.iter_objects(PREFIX))


def read_heads(store: ObjectStore, keys: AuditKeys, tz: tzinfo | None = None) -> Heads:
    """The latest checkpoint back to the last full one, each verified (its digest, and its link to the one before);
    CheckpointBroken names the first that is not intact."""
    names = checkpoint_names(store)
    heads = Heads(tz=tz)
    index = len(names) - 1
    try:
        while index >= 0:
            stored = _fetch(store, names[index], keys)
            if heads.chain:
                follower = heads.chain[0]
                if follower.header["previous"] != {"key": stored.key, "digest": stored.digest}:
                    raise CheckpointBroken(follower.key, f"does not follow {stored.key}, the checkpoint before it in "
                                                         "the store (one was removed, replaced or added)")
            heads.chain.insert(0, stored)
            previous = stored.header["previous"]
            if (previous or {}).get("key") != (names[index - 1] if index > 0 else None):
                raise CheckpointBroken(stored.key, "does not follow the checkpoint before it in the store "
                                                   "(one was removed, replaced or added)")
            if stored.header["kind"] == "full":
                break
            index -= 1
        return heads
    except BaseException:
        heads.close()
        raise


def _fetch(store: ObjectStore, key: str, keys: AuditKeys) -> _Stored:
    spool = tempfile.TemporaryFile()
    with store.open(key) as stream:
        shutil.copyfileobj(stream, spool)
    spool.seek(0)
    try:
        with gzip.GzipFile(fileobj=spool) as lines:
            first = next(lines)
            header = json.loads(first)
            if header.get("format") != FORMAT:
                raise CheckpointBroken(key, "is not a checkpoint this service wrote")
            try:
                hasher = keys.hasher(header.get("key_id"))
            except UnknownKey:
                raise CheckpointBroken(key, f"was sealed with audit key {header.get('key_id')}, which is not "
                                            "configured (add it to AUDIT_OLD_KEYS)") from None
            hasher.update(first)
            trailer = None
            for line in lines:
                if trailer is not None:
                    raise CheckpointBroken(key, "has lines after its digest (it was altered)")
                item = json.loads(line)
                if isinstance(item, dict):
                    trailer = item
                else:
                    hasher.update(line)
    except (OSError, EOFError, ValueError, StopIteration) as error:
        spool.close()
        raise CheckpointBroken(key, f"cannot be read ({error})") from None
    if trailer is None or trailer.get("digest") != hasher.hexdigest():
        spool.close()
        raise CheckpointBroken(key, "was altered: its digest does not match")
    return _Stored(key, header, trailer["digest"], spool)


# --- writing ------------------------------------------------------------------------------------------------


@dataclass
class Written:
    """What ``write_checkpoint`` did."""

    key: str
    kind: str  # full or delta
    entries: int  # heads listed in it
    heads: int  # heads known as of it
    sealed: int = 0  # heads written before keys, sealed now
    problems: list[str] = field(default_factory=list)  # heads not recorded, and why


def write_checkpoint(
    session: Session, store: ObjectStore, *, now: datetime, tz: tzinfo | None = None,
    progress: Callable[[str], None] | None = None,
) -> Written:
    """Seal the heads written before keys (after checking their chains), then write a checkpoint of every head.

    A head that went back from what the last checkpoint recorded (fewer events, or others) is not recorded: the
    checkpoint keeps the old one, so that ``audit verify`` goes on naming the loss; it is listed in ``problems``.
    CheckpointBroken if the checkpoints already in the store are not intact (nothing is written then).
    """
    keys = keys_of(session)
    say = progress or (lambda _message: None)
    sealed, unsealable = seal_legacy_heads(session, keys, tz=tz, progress=say)
    previous = read_heads(store, keys, tz)
    try:
        name = f"{PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}.jsonl.gz"
        if previous.latest is not None and name <= previous.latest.key:
            raise CheckpointBroken(previous.latest.key, "is dated after now; check the server's clock")
        problems = list(unsealable)
        delta = tempfile.TemporaryFile()
        with delta:
            entries, heads = _write_entries(delta, _merged(session, previous, tz, problems, full=False, say=say))
            since_full = sum(s.header["entries"] for s in previous.chain[1:])
            full = previous.latest is None or since_full + entries >= heads
            if full:
                delta.seek(0)
                delta.truncate()
                entries, heads = _write_entries(delta, _merged(session, previous, tz, [], full=True, say=lambda _m: None))
            header = {"format": FORMAT, "kind": "full" if full else "delta", "written_at": now.astimezone(UTC).isoformat(),
                      "key_id": keys.current_id, "entries": entries, "heads": heads,
                      "previous": {"key": previous.latest.key, "digest": previous.latest.digest} if previous.latest else None}
            with tempfile.TemporaryFile() as out:
                _seal_file(out, header, delta, keys)
                out.seek(0)
                store.put(name, out, content_type="application/gzip")
    finally:
        previous.close()
    session.rollback()  # read-only from here: end the transaction the queries began
    return Written(name, header["kind"], entries, heads, sealed, problems)


def _write_entries(out, entries: Iterator[list]) -> tuple[int, int]:
    """Write ``[line, counts]`` items as JSON lines; returns (lines written, heads known)."""
    written = known = 0
    for entry, listed in entries:
        known += 1
        if listed:
            out.write(_line(entry))
            written += 1
    return written, known


def _seal_file(out, header: dict, body, keys: AuditKeys) -> None:
    hasher = keys.hasher()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as packed:
        first = _line(header)
        hasher.update(first)
        packed.write(first)
        body.seek(0)
        for line in body:
            hasher.update(line)
            packed.write(line)
        packed.write(_line({"digest": hasher.hexdigest()}))


def _line(item) -> bytes:
    return (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _merged(session: Session, previous: Heads, tz, problems: list[str], *, full: bool, say) -> Iterator[tuple[list, bool]]:
    """(entry, whether to list it) for every head known as of the new checkpoint, sorted by hazard id: the
    database's heads, except where one went back from the recorded one (then the recorded one stays)."""
    now_heads = ((row.id, 0, row) for row in _database_heads(session, tz))
    old_heads = ((hazard_id, 1, head) for hazard_id, head in previous.recorded())
    merged = heapq.merge(now_heads, old_heads, key=lambda item: (item[0], item[1]))
    for number, (hazard_id, items) in enumerate(groupby(merged, key=lambda item: item[0]), 1):
        row = head = None
        for _id, kind, item in items:
            if kind == 0:
                row = item
            else:
                head = item
        if head is not None and (row is None or row.count < head.count
                                 or (row.count == head.count and row.digest != head.digest)):
            what = "is gone from the database" if row is None else f"went back from {head.count} to {row.count} events"
            problems.append(f"hazard {hazard_id} ({head.label}): its trail {what} since checkpoint {head.at}; "
                            "the recorded head is kept (run `flask --app wsgi audit verify`)")
            yield [hazard_id.hex, head.count, head.digest, head.last_event, head.label], full
        elif row is not None:
            grown = head is None or row.count != head.count
            yield [hazard_id.hex, row.count, row.digest, row.last_event, row.label], full or grown
        if number % 10_000 == 0:
            say(f"{number:,} heads")


@dataclass(frozen=True)
class _DatabaseHead:
    id: uuid.UUID
    count: int
    digest: str
    last_event: str
    label: str


def _database_heads(session: Session, tz) -> Iterator[_DatabaseHead]:
    last = HazardEvent.__table__.alias("last")
    query = (
        select(Hazard.id, Hazard.audit_count, Hazard.audit_head, Hazard.description, Enterprise.name,
               last.c.action, last.c.at, User.username)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id, isouter=True)
        .join(last, and_(last.c.hazard_id == Hazard.id, last.c.seq == Hazard.audit_count), isouter=True)
        .join(User, User.id == last.c.actor_id, isouter=True)
        .order_by(Hazard.id)
    )
    for row in session.execute(query.execution_options(yield_per=1000)):
        words = event_words(row.action, row.username, row.at, tz) if row.action else "not stored"
        yield _DatabaseHead(row.id, row.audit_count, row.audit_head, words, hazard_label(row.name, row.description))


# --- sealing the heads written before keys ---------------------------------------------------------------------


def seal_legacy_heads(session: Session, keys: AuditKeys, *, tz=None, progress=None) -> tuple[int, list[str]]:
    """Seal every head that has no seal yet (the trails written before keys), once its chain checks out; returns how
    many were sealed and, for those left unsealed, why. Committed in batches."""
    sealed, problems, after = 0, [], None
    while True:
        query = select(Hazard.id, Hazard.audit_count, Hazard.audit_head).where(Hazard.audit_seal.is_(None))
        if after is not None:
            query = query.where(Hazard.id > after)
        batch = session.execute(query.order_by(Hazard.id).limit(SEAL_BATCH)).all()
        if not batch:
            return sealed, problems
        after = batch[-1].id
        events = session.execute(select(HazardEvent.__table__).where(HazardEvent.hazard_id.in_([h.id for h in batch]))
                                 .order_by(HazardEvent.hazard_id, HazardEvent.seq)).all()
        chains = {hazard_id: list(group) for hazard_id, group in itertools.groupby(events, key=lambda e: e.hazard_id)}
        for hazard in batch:
            chain = chains.get(hazard.id, [])
            found: list[str] = []
            check_chain(chain, keys, tz, lambda e: f"event #{e.seq}", found.append)
            last = chain[-1].hash if chain else GENESIS
            if hazard.audit_count != len(chain) or hazard.audit_head != last:
                found.append(f"its row counts {hazard.audit_count} events, {len(chain)} are stored")
            if found:
                problems.append(f"hazard {hazard.id}: not sealed, its trail is broken ({'; '.join(found)}); "
                                "run `flask --app wsgi audit verify`")
                continue
            session.execute(
                update(Hazard.__table__)
                .where(Hazard.id == hazard.id, Hazard.audit_seal.is_(None), Hazard.audit_count == hazard.audit_count)
                .values(audit_seal=keys.seal(head_message(hazard.id, hazard.audit_count, last)),
                        audit_key_id=keys.current_id)
            )
            sealed += 1
        session.commit()
        if progress:
            progress(f"{sealed:,} heads written before keys sealed")
