"""Adding photos to hazards: who may add which kind when, and the one ingest pipeline every photo goes through.

The pipeline: hash and size the bytes as they stream (never whole in memory), answer a retry with the first
result, check the hazard's state, decode and describe the picture once (``media.photo``), write the objects
(the untouched original under its SHA-256, so identical bytes are stored once, and the metadata-free copies),
and only then the row and its audit event. A crash between the objects and the row leaves an orphan object,
which the media sweep removes; the reverse (a row without its object) cannot happen.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import IO

from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from inspections import audit
from inspections.enums import HazardStatus, LocationSource, PhotoKind, Role, Severity
from inspections.errors import Conflict, Forbidden, NotFound
from inspections.hazards import area_for, get_hazard
from inspections.idempotency import request_digest
from inspections.models import Hazard, Photo, User
from inspections.photo_places import PlacePolicy, judge_place
from inspections.phrases import a_role
from media.photo import DEFAULT_LIMITS, CorruptImage, DecodeGate, PhotoRejected, PixelLimits, ProcessedPhoto, process_photo
from media.storage import ObjectStore

CHUNK_BYTES = 1024 * 1024
# Two phones adding photos to one hazard at the same moment race for the next audit sequence number;
# the loser simply tries again (its objects are already stored).
RECORD_ATTEMPTS = 3

_S = HazardStatus
# Who may add which kind of photo, and in which states. Scope (an officer's own enterprise, an inspector's
# area) is the visibility rule, applied by get_hazard before this table is asked.
MAY_ADD: dict[tuple[str, str], frozenset] = {
    (PhotoKind.EVIDENCE, Role.INSPECTOR): frozenset({_S.OPEN, _S.ACKNOWLEDGED, _S.SUBMITTED}),
    (PhotoKind.EVIDENCE, Role.REVIEWER): frozenset({_S.OPEN, _S.ACKNOWLEDGED, _S.SUBMITTED}),
    (PhotoKind.RECTIFICATION, Role.ENTERPRISE_OFFICER): frozenset({_S.ACKNOWLEDGED}),
    # open: rectified on the spot (general hazards only); submitted: photos of the re-inspection.
    (PhotoKind.RECTIFICATION, Role.INSPECTOR): frozenset({_S.OPEN, _S.SUBMITTED}),
    (PhotoKind.RECTIFICATION, Role.REVIEWER): frozenset({_S.OPEN, _S.SUBMITTED}),
}
PHOTO_ROLES = frozenset(role for _kind, role in MAY_ADD)


class PhotoFileTooLarge(PhotoRejected):
    """More bytes than the configured limit (``PHOTO_MAX_BYTES``)."""

    @classmethod
    def over(cls, max_bytes: int) -> PhotoFileTooLarge:
        return cls(f"the file is larger than the {max_bytes / (1024 * 1024):g} MB a photo may have")


@dataclass(frozen=True)
class PhotoLimits:
    """How much one photo, and one hazard's photos, may be. ``gate`` bounds the memory of the decodes running at
    once in this process (None: unbounded, for tools and tests)."""

    max_bytes: int
    pixels: PixelLimits = DEFAULT_LIMITS
    gate: DecodeGate | None = None
    max_per_hazard: int | None = None


@dataclass(frozen=True)
class Staged:
    """Bytes on local disk (or a small in-memory spool), with their SHA-256 and size."""

    file: IO[bytes]
    sha256: str
    size: int


@dataclass(frozen=True)
class Added:
    photo: Photo
    created: bool  # False when this answered a retry of a photo already added


# --- object keys: content-addressed, so the sweep can tell from a key which rows may point to it ---------

ORIGINALS, DISPLAY, THUMBNAILS = "originals/", "display/", "thumbnails/"


def original_key(sha256: str) -> str:
    return f"{ORIGINALS}{sha256}"


def display_key(sha256: str) -> str:
    return f"{DISPLAY}{sha256}.jpg"


def thumbnail_key(sha256: str) -> str:
    return f"{THUMBNAILS}{sha256}.jpg"


def sha256_of_key(key: str) -> str | None:
    """The SHA-256 a photo object key is named after, or None for a key this module did not make."""
    for prefix, suffix in ((ORIGINALS, ""), (DISPLAY, ".jpg"), (THUMBNAILS, ".jpg")):
        if key.startswith(prefix) and key.endswith(suffix):
            name = key[len(prefix):len(key) - len(suffix)]
            if len(name) == 64 and all(c in "0123456789abcdef" for c in name):
                return name
    return None


# --- streaming the bytes ----------------------------------------------------------------------------------


def stage(source: IO[bytes], *, max_bytes: int) -> Staged:
    """Hash and size a seekable file (a spooled upload) chunk by chunk; too large is PhotoFileTooLarge."""
    source.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise PhotoFileTooLarge.over(max_bytes)
        digest.update(chunk)
    if size == 0:
        raise CorruptImage("the file is empty")
    source.seek(0)
    return Staged(source, digest.hexdigest(), size)


def spool(stream: IO[bytes], sink: IO[bytes], *, max_bytes: int) -> Staged:
    """Copy a stream into the seekable ``sink`` while hashing it; stop reading once past ``max_bytes``
    (the result's size then says so, and the hash is of the part read)."""
    digest, size = hashlib.sha256(), 0
    while size <= max_bytes and (chunk := stream.read(CHUNK_BYTES)):
        size += len(chunk)
        digest.update(chunk)
        sink.write(chunk)
    sink.seek(0)
    return Staged(sink, digest.hexdigest(), size)


# --- who may add what -----------------------------------------------------------------------------------


def check_role(actor: User, kind: str) -> None:
    """Forbidden unless ``actor``'s role may ever add ``kind`` photos (whatever the hazard's state)."""
    if (kind, actor.role) not in MAY_ADD:
        raise Forbidden(f"{a_role(actor.role, capital=True)} may not add {kind} photos.")


def check_state(hazard: Hazard, actor: User, kind: str) -> None:
    """Conflict (409) when the hazard's state does not take ``kind`` photos from ``actor`` now."""
    allowed = MAY_ADD[(kind, actor.role)]
    if hazard.status not in allowed:
        states = " or ".join(sorted(s.value for s in allowed))
        raise Conflict(f"Cannot add {kind} photos to a hazard that is {hazard.status}; it must be {states}.",
                       {"status": [hazard.status]})
    if (kind == PhotoKind.RECTIFICATION and hazard.status == _S.OPEN and actor.role != Role.ENTERPRISE_OFFICER
            and hazard.severity != Severity.GENERAL):
        # Rectified on the spot is for general hazards; a major one goes through the enterprise's plan.
        raise Forbidden("Only a general hazard can be rectified on the spot; a major hazard is rectified by "
                        "its enterprise.")


def check_room(session: Session, hazard: Hazard, limits: PhotoLimits) -> None:
    """Conflict (409) when the hazard already has as many photos as one hazard may (``limits.max_per_hazard``)."""
    if limits.max_per_hazard is None:
        return
    count = session.scalar(select(func.count()).select_from(Photo).where(Photo.hazard_id == hazard.id))
    if count >= limits.max_per_hazard:
        raise Conflict(
            f"Hazard {hazard.id} already has {count} photos, the most one hazard may have "
            f"({limits.max_per_hazard}); no more can be added to it.",
            {"hazard_id": [f"Already has {count} photos (PHOTO_MAX_PER_HAZARD is {limits.max_per_hazard})."]},
        )


@dataclass(frozen=True)
class Fingerprint:
    """What makes two photo requests the same (`photo_fingerprint`): ``digest`` is stored with the photo;
    ``legacy`` is the form photos were stored with before the request's own fields counted."""

    digest: str
    legacy: str

    def matches(self, stored: str) -> bool:
        # Of an older photo's request only who, hazard, kind and bytes were fingerprinted, and what it said about
        # place and time cannot be told from the row (EXIF wins over it): its retries are recognised as they were.
        # The two forms never coincide, so a photo stored since is held to its whole request.
        return stored in (self.digest, self.legacy)


def photo_fingerprint(actor: User, hazard_id: uuid.UUID, sha256: str, fields: dict) -> Fingerprint:
    """Who sent which bytes to which hazard, and everything else the request said: ``kind``, ``lat``, ``lon``,
    ``accuracy_m``, ``taken_at`` and, for a direct upload, ``upload_id`` (all of ``fields`` but the ``id``, which
    is the key). A field sent empty counts as not sent; a time counts as its instant, whatever its offset."""
    said = {name: _instant_in_utc(value) for name, value in fields.items() if name != "id" and value is not None}
    digest = request_digest(actor.id, {"photo": 2, "hazard_id": hazard_id, "sha256": sha256, "request": said})
    legacy = request_digest(actor.id, {"hazard_id": hazard_id, "kind": fields["kind"], "sha256": sha256})
    return Fingerprint(digest, legacy)


def _instant_in_utc(value):
    return value.astimezone(timezone.utc) if isinstance(value, datetime) else value


def earlier_photo(session: Session, photo_id: uuid.UUID | None, fingerprint: Fingerprint) -> Photo | None:
    """The photo a retry already made, None for a new id; Conflict when the id was used for another request
    (other bytes, kind, hazard, position or time)."""
    if photo_id is None:
        return None
    existing = session.get(Photo, photo_id, populate_existing=True)
    if existing is None:
        return None
    if not fingerprint.matches(existing.request_digest):
        raise Conflict(
            f"The id {photo_id} was already used for a photo sent with other bytes, kind, hazard, position or time.",
            {"id": ["Already used for a different request: to retry, send exactly the first request again (the "
                    "same file, kind, lat, lon, accuracy_m and taken_at); for another photo, make a new id."]},
        )
    return existing


# --- the use-cases --------------------------------------------------------------------------------------


def add_photo(
    session: Session, store: ObjectStore, actor: User, hazard_id: uuid.UUID, source: IO[bytes], fields: dict,
    *, now: datetime, tz: tzinfo, limits: PhotoLimits, place: PlacePolicy = PlacePolicy(),
) -> Added:
    """Add the photo in the seekable ``source`` to a hazard.

    ``fields``: ``kind``, and optionally ``id`` (client-made; a retry returns the first result), ``lat``,
    ``lon``, ``accuracy_m`` and ``taken_at`` as the phone saw them (EXIF wins over them when present).
    NotFound when the hazard is not visible, Forbidden/Conflict when the caller may not add this kind now,
    a ``PhotoRejected`` for bytes that are not an acceptable photo; nothing is stored in those cases.
    """
    hazard = get_hazard(session, actor, hazard_id)
    check_role(actor, fields["kind"])
    staged = stage(source, max_bytes=limits.max_bytes)
    return ingest(session, store, actor, hazard, staged, fields, now=now, tz=tz, limits=limits, place=place)


def ingest(
    session: Session, store: ObjectStore, actor: User, hazard: Hazard, staged: Staged, fields: dict,
    *, now: datetime, tz: tzinfo, limits: PhotoLimits, before_commit: Callable[[Photo], None] | None = None,
    place: PlacePolicy = PlacePolicy(),
) -> Added:
    """The shared second half of every photo upload, once the bytes are staged and hashed.

    ``before_commit`` adds to the photo's transaction (a direct upload marks itself used); ``place`` says when an
    evidence photo's position is plausible enough to move its hazard (``inspections.photo_places``).
    """
    kind = fields["kind"]
    fingerprint = photo_fingerprint(actor, hazard.id, staged.sha256, fields)
    earlier = earlier_photo(session, fields.get("id"), fingerprint)
    if earlier is not None:
        return Added(earlier, created=False)
    check_state(hazard, actor, kind)
    check_room(session, hazard, limits)  # before the decode: a full hazard costs no CPU and stores nothing
    processed = process_photo(staged.file, default_tz=tz, limits=limits.pixels, gate=limits.gate)
    _store_objects(session, store, staged, processed)
    return _record(session, actor, hazard.id, staged, processed, fields, fingerprint, now=now, limits=limits,
                   before_commit=before_commit, place=place)


def hazard_photos_query(session: Session, actor: User, hazard_id: uuid.UUID, kind: str | None = None) -> Select:
    """The photos of a hazard the caller may see, oldest first (NotFound for a hazard they may not see)."""
    hazard = get_hazard(session, actor, hazard_id)
    query = select(Photo).where(Photo.hazard_id == hazard.id)
    if kind:
        query = query.where(Photo.kind == kind)
    return query.order_by(Photo.uploaded_at, Photo.id)


def get_photo(session: Session, actor: User, hazard_id: uuid.UUID, photo_id: uuid.UUID) -> Photo:
    """One photo of a hazard the caller may see; NotFound otherwise."""
    hazard = get_hazard(session, actor, hazard_id)
    photo = session.get(Photo, photo_id)
    if photo is None or photo.hazard_id != hazard.id:
        raise NotFound(f"Hazard {hazard_id} has no photo {photo_id}.")
    return photo


# --- the steps --------------------------------------------------------------------------------------------


def _store_objects(session: Session, store: ObjectStore, staged: Staged, processed: ProcessedPhoto) -> None:
    sha = staged.sha256
    key = original_key(sha)
    # Same bytes, same key: skip the upload when a row already vouches for the object. An object that no row
    # points to yet (an orphan from a crash) is written again, which renews its date so that the sweep's
    # grace period covers the time until our row is committed.
    referenced = session.scalar(select(exists().where(Photo.sha256 == sha)))
    if not (referenced and store.exists(key)):
        staged.file.seek(0)
        store.put(key, staged.file, content_type=processed.content_type, metadata={"sha256": sha})
    # The copies are small and the same for the same bytes; writing them again heals one lost in a crash.
    store.put(display_key(sha), io.BytesIO(processed.display), content_type="image/jpeg")
    store.put(thumbnail_key(sha), io.BytesIO(processed.thumbnail), content_type="image/jpeg")


def _record(
    session: Session, actor: User, hazard_id: uuid.UUID, staged: Staged, processed: ProcessedPhoto,
    fields: dict, fingerprint: Fingerprint, *, now: datetime, limits: PhotoLimits, before_commit, place: PlacePolicy,
) -> Added:
    for _attempt in range(RECORD_ATTEMPTS):
        # Fresh each time: after a lost race the hazard (its state, its location) may have changed.
        hazard = session.get(Hazard, hazard_id, populate_existing=True)
        earlier = earlier_photo(session, fields.get("id"), fingerprint)
        if earlier is not None:
            return Added(earlier, created=False)  # the same retry, sent twice at once, won elsewhere
        check_state(hazard, actor, fields["kind"])
        # Again here: two photos sent at once for the last place race for the next audit sequence number, and
        # the loser, counting again, finds the hazard full. (Its objects are left to the media sweep.)
        check_room(session, hazard, limits)
        photo = _photo_row(actor, hazard, staged, processed, fields, fingerprint.digest, now=now)
        _judge_place(hazard, photo, now=now, policy=place)
        details = {"kind": photo.kind, "sha256": photo.sha256}
        try:
            located = _take_location(session, hazard, photo)
            session.add(photo)
            if located:
                details["hazard_location" if "lat" in located else "hazard_location_kept"] = located
            audit.record_event(session, hazard, "photo_added", at=now, actor=actor, evidence_ids=[photo.id],
                               details=details)
            if before_commit is not None:
                before_commit(photo)
            session.commit()
        except (IntegrityError, StaleDataError):
            session.rollback()
            continue
        return Added(photo, created=True)
    raise Conflict("The hazard kept changing while the photo was being added; send it again.")


def _photo_row(actor: User, hazard: Hazard, staged: Staged, processed: ProcessedPhoto, fields: dict, digest: str,
               *, now: datetime) -> Photo:
    meta = processed.metadata
    if meta.lat is not None:
        lat, lon, alt, accuracy, source = meta.lat, meta.lon, meta.alt, None, LocationSource.EXIF
    elif fields.get("lat") is not None:
        lat, lon, alt, source = fields["lat"], fields["lon"], None, LocationSource.DEVICE
        accuracy = fields.get("accuracy_m")
    else:
        lat = lon = alt = accuracy = source = None
    sha = staged.sha256
    return Photo(
        id=fields.get("id") or uuid.uuid4(),
        hazard_id=hazard.id,
        kind=fields["kind"],
        sha256=sha,
        size=staged.size,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        # The camera's clock, else the phone's: both can be wrong, but EXIF belongs to the picture itself.
        taken_at=meta.taken_at or fields.get("taken_at"),
        lat=lat,
        lon=lon,
        alt=alt,
        accuracy_m=accuracy,
        location_source=source,
        make=meta.make,
        model=meta.model,
        orientation=meta.orientation,
        phash=processed.phash,
        truncated=processed.truncated,
        original_key=original_key(sha),
        display_key=display_key(sha),
        thumbnail_key=thumbnail_key(sha),
        uploaded_by=actor.id,
        uploaded_at=now,
        request_digest=digest,
    )


def _judge_place(hazard: Hazard, photo: Photo, *, now: datetime, policy: PlacePolicy) -> None:
    """Flag a located evidence photo whose position could not plausibly be its hazard's (``photo_places``)."""
    if photo.kind != PhotoKind.EVIDENCE or photo.lat is None:
        return
    enterprise = hazard.enterprise
    judged = judge_place(lat=photo.lat, lon=photo.lon, taken_at=photo.taken_at, enterprise_lat=enterprise.lat,
                         enterprise_lon=enterprise.lon, reported_at=hazard.reported_at, now=now, policy=policy)
    photo.location_plausible, photo.location_reason = judged.plausible, judged.reason


def _take_location(session: Session, hazard: Hazard, photo: Photo) -> dict | None:
    """A hazard reported without a position of its own takes the first located evidence photo's EXIF position,
    when it is plausible (``_judge_place``).

    "Without a position" is none at all or only the enterprise's registered address; a position the
    inspector's phone or map gave is kept. The first evidence photo with an EXIF position decides, as the contract
    says: an implausible one leaves the hazard where it is (the answer says so, ``{"photo_id", "reason"}``), and
    once one decided, later photos leave the hazard be, whatever they say.
    The hazard's area stays as reported: jurisdiction follows the enterprise, not a GPS fix
    (``inspections.hazards.area_for``). Only a hazard filed under no area at all (its enterprise has none,
    and it had no position that lay in one) takes the area the new position gives it.
    """
    if photo.kind != PhotoKind.EVIDENCE or photo.location_source != LocationSource.EXIF:
        return None
    if hazard.location_source not in (None, LocationSource.ENTERPRISE):
        return None
    with session.no_autoflush:  # the hazard's change is flushed at commit, where its version is checked
        decided = session.scalar(select(exists().where(
            Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.EVIDENCE,
            Photo.location_source == LocationSource.EXIF, Photo.id != photo.id,
        )))
    if decided:
        return None
    if photo.location_plausible is False:
        return {"photo_id": str(photo.id), "reason": photo.location_reason}
    was = {"lat": hazard.lat, "lon": hazard.lon, "source": hazard.location_source}
    hazard.lat, hazard.lon = photo.lat, photo.lon
    hazard.location_source = LocationSource.EXIF
    hazard.accuracy_m = None
    located = {"lat": photo.lat, "lon": photo.lon, "source": LocationSource.EXIF.value, "photo_id": str(photo.id),
               "was": was}
    if hazard.area_code is None:
        with session.no_autoflush:
            area = area_for(session, hazard.enterprise, photo.lat, photo.lon)
        if area is not None:
            hazard.area_code, hazard.area_path = area.code, area.path
            located["area_code"] = area.code
    return located
