"""The media sweep, run from cron: remove photo objects that nothing points to, and report rows whose
objects are missing.

Objects are written before their rows, so a crash (or a refused upload of a photo's row) can leave an object
no row points to. The sweep deletes such an object once it is older than the grace period, which covers any
upload still between writing its objects and committing its row. It only ever touches the prefixes the
photo pipeline writes (``originals/``, ``display/``, ``thumbnails/``, ``uploads/``): the bucket may hold
other documents. It walks the bucket a sixteenth at a time (by the first hex digit of the SHA-256), so its
memory stays small however many photos there are; running it twice in a row deletes nothing the second time.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.models import Photo, Upload
from inspections.photos import DISPLAY, ORIGINALS, THUMBNAILS, sha256_of_key
from media.storage import ObjectInfo, ObjectNotFound, ObjectStore, StorageError

HEX = "0123456789abcdef"
UPLOADS = "uploads/"
UPLOAD_BATCH = 500


@dataclass(frozen=True)
class MissingObject:
    """An object some photo rows point to that the store does not have."""

    key: str
    photo_ids: tuple[uuid.UUID, ...]

    @property
    def is_original(self) -> bool:
        return self.key.startswith(ORIGINALS)


@dataclass
class MediaSweepSummary:
    scanned: int = 0
    deleted: int = 0
    deleted_bytes: int = 0
    kept_young: int = 0  # unreferenced, but younger than the grace period: maybe a row is on its way
    unknown: int = 0  # under our prefixes but not named by us: left alone
    missing: list[MissingObject] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def missing_originals(self) -> list[MissingObject]:
        return [m for m in self.missing if m.is_original]


def sweep_media(
    session: Session, store: ObjectStore, *, now: datetime, grace: timedelta, dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> MediaSweepSummary:
    """Delete unreferenced photo objects older than ``grace``; report rows whose objects are missing.

    With ``dry_run`` nothing is deleted and the summary counts what would have been.
    """
    summary = MediaSweepSummary()
    cutoff = now - grace
    say = progress or (lambda _message: None)
    for prefix in (ORIGINALS, DISPLAY, THUMBNAILS):
        for digit in HEX:
            before = (summary.scanned, summary.deleted)
            _sweep_photo_slice(session, store, prefix, digit, cutoff, dry_run, summary)
            scanned, deleted = summary.scanned - before[0], summary.deleted - before[1]
            if scanned or deleted:
                say(f"{prefix}{digit}…: {scanned} objects, {deleted} unreferenced removed")
    for batch in _batches(store.iter_objects(UPLOADS), UPLOAD_BATCH):
        deleted = summary.deleted
        _sweep_upload_batch(session, store, batch, now, cutoff, dry_run, summary)
        say(f"{UPLOADS}: {len(batch)} objects, {summary.deleted - deleted} used or expired removed")
    session.rollback()  # read-only: end the transaction the queries began
    return summary


def _sweep_photo_slice(session, store, prefix, digit, cutoff, dry_run, summary) -> None:
    objects: dict[str, ObjectInfo] = {}
    for info in store.iter_objects(prefix + digit):
        summary.scanned += 1
        sha = sha256_of_key(info.key)
        if sha is None:
            summary.unknown += 1
        else:
            objects[sha] = info
    # Listed first, looked up second: a row committed before this query protects its objects, and one
    # committed after it belongs to objects written after the listing began, which are young.
    referenced = _referenced_shas(session, digit)
    for sha, info in sorted(objects.items()):
        if sha not in referenced:
            _remove(store, info, cutoff, dry_run, summary, evidence=prefix == ORIGINALS)
    absent = sorted(referenced - objects.keys())
    if absent:
        rows = session.execute(select(Photo.sha256, Photo.id).where(Photo.sha256.in_(absent)).order_by(Photo.id))
        ids: dict[str, list[uuid.UUID]] = {}
        for sha, photo_id in rows:
            ids.setdefault(sha, []).append(photo_id)
        key_of = {ORIGINALS: "{}", DISPLAY: "{}.jpg", THUMBNAILS: "{}.jpg"}[prefix]
        summary.missing.extend(
            MissingObject(prefix + key_of.format(sha), tuple(ids.get(sha, ()))) for sha in absent
        )


def _referenced_shas(session: Session, digit: str) -> set[str]:
    """The SHA-256s of all photos starting with ``digit`` (a range, so the sha256 index serves it)."""
    query = select(Photo.sha256).distinct().where(Photo.sha256 >= digit)
    following = HEX.find(digit) + 1
    if following < len(HEX):
        query = query.where(Photo.sha256 < HEX[following])
    return set(session.scalars(query))


def _sweep_upload_batch(session, store, batch: list[ObjectInfo], now, cutoff, dry_run, summary) -> None:
    summary.scanned += len(batch)
    ids = {}
    for info in batch:
        try:
            ids[info.key] = uuid.UUID(info.key[len(UPLOADS):])
        except ValueError:
            summary.unknown += 1
    # An upload keeps its object while it may still be attached: declared, unused and not expired.
    waiting = set(session.scalars(
        select(Upload.id).where(Upload.id.in_(list(ids.values())), Upload.used_at.is_(None), Upload.expires_at > now)
    )) if ids else set()
    for info in batch:
        if info.key in ids and ids[info.key] not in waiting:
            _remove(store, info, cutoff, dry_run, summary, evidence=False)


def _remove(store: ObjectStore, info: ObjectInfo, cutoff: datetime, dry_run: bool, summary, *, evidence: bool) -> None:
    if info.last_modified is None or info.last_modified > cutoff:
        summary.kept_young += 1
        return
    try:
        if evidence:
            # An upload of the same bytes may have rewritten the original since we listed it (it renews an
            # orphan before committing its row): look again right before deleting evidence.
            fresh = store.head(info.key)
            if fresh.last_modified is None or fresh.last_modified > cutoff:
                summary.kept_young += 1
                return
        if not dry_run:
            store.delete(info.key)
    except ObjectNotFound:
        return  # another sweep got there first
    except StorageError as error:
        summary.errors.append(f"{info.key}: {error}")
        return
    summary.deleted += 1
    summary.deleted_bytes += info.size


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
