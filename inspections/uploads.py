"""Direct uploads: the phone sends a photo's bytes straight to the object store, then attaches them to a hazard.

On a weak network a 10 MB photo should cross it once, to the store, not twice. ``start_upload`` records what
the phone declares (type, size, SHA-256) and hands out a presigned POST that the store itself binds to that
size and type for 15 minutes; ``attach_upload`` reads the object back, checks it against the declaration and
runs the same ingest as a multipart upload (``inspections.photos.ingest``).
"""
from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspections import photos
from inspections.errors import Conflict, Forbidden, InvalidInput
from inspections.hazards import get_hazard
from inspections.models import Photo, Upload, User
from inspections.photo_places import PlacePolicy
from inspections.phrases import a_role
from media.photo import PhotoRejected, UnsupportedImageType
from media.storage import ObjectNotFound, ObjectStore, StorageError

log = logging.getLogger(__name__)

UPLOAD_VALID = timedelta(minutes=15)
# An upload never attached keeps its object in the store until the daily media sweep: so long it counts as open
# (unless it expired with no file ever posted, which parks nothing).
OPEN_WINDOW = timedelta(hours=24)
# What the store will be told to accept; the bytes are still judged by their content when attached.
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")


@dataclass(frozen=True)
class UploadTicket:
    """A started upload and the form the phone posts to the store: ``fields`` first, then ``file``."""

    upload: Upload
    url: str
    fields: dict
    created: bool = True  # False when an open upload of the same declaration was handed out again


def start_upload(
    session: Session, store: ObjectStore, actor: User, data: dict, *, now: datetime, max_bytes: int,
    max_open: int | None = None,
) -> UploadTicket:
    """Record a declared upload (``content_type``, ``size``, ``sha256``) and presign its POST.

    The declared type must be one we accept (else UnsupportedImageType, 415) and the size within the
    photo limit (else PhotoFileTooLarge, 413). Only roles that may add photos may upload. Declaring the same
    file again while an upload of it is open (not attached, started within `OPEN_WINDOW`) hands out that
    upload again, valid for another 15 minutes (``created`` False), so a phone's retries do not pile up. A user
    may have at most ``max_open`` uploads open (Conflict, 409): each may park a file in the store for a day.
    """
    if actor.role not in photos.PHOTO_ROLES:
        raise Forbidden(f"{a_role(actor.role, capital=True)} does not add photos.")
    content_type = data["content_type"].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        raise UnsupportedImageType(f"{content_type} is not accepted; send {', '.join(ACCEPTED_TYPES)}")
    if data["size"] > max_bytes:
        raise photos.PhotoFileTooLarge.over(max_bytes)
    sha256 = data["sha256"].lower()
    upload = _open_upload_of(session, actor, content_type, data["size"], sha256, now=now)
    created = upload is None
    if created:
        if max_open is not None:
            _check_open_uploads(session, store, actor, now=now, max_open=max_open)
        upload = Upload(id=uuid.uuid4(), created_by=actor.id, content_type=content_type, size=data["size"],
                        sha256=sha256, created_at=now)
        session.add(upload)
    upload.expires_at = now + UPLOAD_VALID
    # Signing is local arithmetic, so a down store does not stop this; the phone's POST will tell.
    post = store.presigned_post(upload.key, content_type=content_type, size=upload.size,
                                expires_in=int(UPLOAD_VALID.total_seconds()))
    session.commit()
    return UploadTicket(upload, post["url"], post["fields"], created)


def _unused(actor: User, now: datetime):
    return select(Upload).where(Upload.created_by == actor.id, Upload.used_at.is_(None),
                                Upload.created_at > now - OPEN_WINDOW)


def _open_upload_of(session: Session, actor: User, content_type: str, size: int, sha256: str,
                    *, now: datetime) -> Upload | None:
    query = _unused(actor, now).where(Upload.content_type == content_type, Upload.size == size,
                                      Upload.sha256 == sha256)
    return session.scalars(query.order_by(Upload.created_at.desc()).limit(1)).first()


def _check_open_uploads(session: Session, store: ObjectStore, actor: User, *, now: datetime, max_open: int) -> None:
    """Conflict when ``actor`` has ``max_open`` uploads open: unexpired, or expired with their file in the store."""
    unused = _unused(actor, now)
    if session.scalar(select(func.count()).select_from(unused.subquery())) < max_open:
        return  # the common case, in one count
    open_count = session.scalar(select(func.count()).select_from(unused.where(Upload.expires_at > now).subquery()))
    expired = unused.where(Upload.expires_at <= now).order_by(Upload.created_at.desc()).limit(max_open)
    for upload in session.scalars(expired):
        if open_count >= max_open:
            break
        if store.exists(upload.key):  # its file came in time: it may still be attached
            open_count += 1
    if open_count >= max_open:
        raise Conflict(
            f"You have {open_count} direct uploads started and not attached to a hazard, the most one user may "
            f"have open ({max_open}): attach those first (POST /hazards/{{id}}/photos with their upload_id), or "
            "send this photo as multipart/form-data."
        )


def attach_upload(
    session: Session, store: ObjectStore, actor: User, hazard_id: uuid.UUID, data: dict,
    *, now: datetime, tz: tzinfo, limits: photos.PhotoLimits, place: PlacePolicy = PlacePolicy(),
) -> photos.Added:
    """Attach the uploaded object ``data['upload_id']`` to a hazard as a photo of ``data['kind']``.

    Errors about the upload itself are InvalidInput (422) on ``upload_id``: unknown or another user's (they
    look the same), not uploaded yet, expired before its file arrived, or bytes that differ from the
    declaration (the object is then removed, and the phone may post the right file again while the
    presigned form is valid). Attaching the same upload again answers with the first photo.
    """
    hazard = get_hazard(session, actor, hazard_id)
    kind = data["kind"]
    photos.check_role(actor, kind)
    upload = session.get(Upload, data["upload_id"])
    if upload is None or upload.created_by != actor.id:
        raise InvalidInput(upload_id=f"There is no upload {data['upload_id']} of yours; start one with POST /uploads.")
    fingerprint = photos.photo_fingerprint(actor, hazard.id, upload.sha256, data)
    if upload.photo_id is not None:
        return _attached_before(session, hazard.id, upload, data, fingerprint)
    if upload.size > limits.max_bytes:  # declared under an older, larger limit
        raise photos.PhotoFileTooLarge.over(limits.max_bytes)
    earlier = photos.earlier_photo(session, data.get("id"), fingerprint)
    if earlier is not None:
        return photos.Added(earlier, created=False)
    photos.check_state(hazard, actor, kind)
    photos.check_room(session, hazard, limits)

    def mark_used(photo: Photo) -> None:
        upload.used_at, upload.photo_id = now, photo.id

    with tempfile.TemporaryFile() as sink:
        staged = _fetch(store, upload, sink, now=now)
        try:
            added = photos.ingest(session, store, actor, hazard, staged, data, now=now, tz=tz, limits=limits,
                                  before_commit=mark_used, place=place)
        except PhotoRejected:
            _discard(store, upload)  # a refused file leaves nothing behind
            raise
    _discard(store, upload)  # its bytes live on under originals/; the sweep retries if this fails
    return added


def _attached_before(session: Session, hazard_id: uuid.UUID, upload: Upload, data: dict,
                     fingerprint: photos.Fingerprint) -> photos.Added:
    photo = session.get(Photo, upload.photo_id)
    same_photo = photo.hazard_id == hazard_id and data.get("id") in (None, photo.id)
    if same_photo and fingerprint.matches(photo.request_digest):
        return photos.Added(photo, created=False)
    if same_photo:
        raise Conflict(
            f"Upload {upload.id} was already attached as photo {photo.id} with another kind, position or time.",
            {"upload_id": ["Already attached with other details: to retry, send exactly the first request again "
                           "(the same kind, lat, lon, accuracy_m and taken_at)."]},
        )
    raise Conflict(f"Upload {upload.id} is already attached as photo {photo.id}.",
                   {"upload_id": ["Already attached to another photo; upload the file again for a new one."]})


def _fetch(store: ObjectStore, upload: Upload, sink, *, now: datetime) -> photos.Staged:
    """The uploaded object copied to local disk and hashed, checked against what was declared."""
    try:
        stream = store.open(upload.key)
    except ObjectNotFound:
        if upload.expires_at <= now:
            raise InvalidInput(upload_id="The upload expired before its file arrived; start a new one.") from None
        raise InvalidInput("Upload the file first: post it to the url with the fields from POST /uploads.",
                           upload_id="Upload the file first.") from None
    with stream:
        # One byte past the declared size is enough to know it is not the declared file.
        staged = photos.spool(stream, sink, max_bytes=upload.size)
    problems = []
    if staged.size > upload.size:
        problems.append(f"The stored file is larger than the {upload.size} bytes declared.")
    elif staged.size < upload.size:
        problems.append(f"The stored file has {staged.size} bytes, not the {upload.size} declared.")
    elif staged.sha256 != upload.sha256:
        problems.append("The stored file's SHA-256 is not the one declared.")
    if problems:
        _discard(store, upload)
        raise InvalidInput("The uploaded file is not the one declared; post the right file again.",
                           {"upload_id": problems})
    return staged


def _discard(store: ObjectStore, upload: Upload) -> None:
    try:
        store.delete(upload.key)
    except StorageError as error:
        log.warning("could not delete %s (the media sweep will): %s", upload.key, error)
