"""Photos of hazards, the direct uploads they may come from, and the rectification submissions they support."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, Uuid, false, text
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import Base, UTCDateTime, utcnow
from inspections.enums import PhotoKind, sql_in


class Photo(Base):
    """A photo attached to a hazard. The original bytes are kept untouched in the object store under their
    SHA-256 (so identical uploads are stored once); display and thumbnail copies carry no metadata."""

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint(sql_in("kind", PhotoKind), name="kind"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
        CheckConstraint("(lat IS NULL) = (location_source IS NULL)", name="location_has_source"),
        CheckConstraint("location_source IS NULL OR location_source IN ('exif', 'device')", name="location_source"),
        # Only a located photo is judged; an implausible one says why (inspections.photo_places).
        CheckConstraint("location_plausible IS NULL OR lat IS NOT NULL", name="plausible_if_located"),
        CheckConstraint("(location_plausible = false) = (location_reason IS NOT NULL)"
                        " AND (location_plausible IS NOT NULL OR location_reason IS NULL)", name="implausible_has_reason"),
        # A hazard's first evidence photo (the map's thumbnail) in one index probe, without sorting its photos.
        Index("ix_photos_first_evidence", "hazard_id", "uploaded_at", "id",
              postgresql_where=text("kind = 'evidence'"), sqlite_where=text("kind = 'evidence'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    alt: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(String(16))
    # Whether the position could move the hazard (near the enterprise, taken around the report); None: not judged
    # (no position, a rectification photo, or stored before the rule).
    location_plausible: Mapped[bool | None] = mapped_column(Boolean)
    location_reason: Mapped[str | None] = mapped_column(Text)
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    orientation: Mapped[int | None] = mapped_column(Integer)
    phash: Mapped[str | None] = mapped_column(String(16), index=True)
    # A JPEG whose data ended early but whose picture was all but complete (media.decode.MISSING_ROWS).
    truncated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    original_key: Mapped[str] = mapped_column(String(200))
    display_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_digest: Mapped[str] = mapped_column(String(64))


class Rectification(Base):
    """One submission of rectification (整改) by the enterprise, or on the spot by an inspector, with the
    checks the service made of its photos."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    measures: Mapped[str] = mapped_column(Text)
    photo_ids: Mapped[list] = mapped_column(JSON)
    checks: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Upload(Base):
    """A direct upload: what a user declared before sending the bytes straight to the object store.

    The presigned POST lets the store itself refuse another size or type; the SHA-256 is checked when the
    upload is attached to a hazard. Until then the object under ``key`` belongs to nobody but the
    uploader, and the media sweep removes it once it is used or has long expired.
    """

    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        # Used means attached to exactly one photo.
        CheckConstraint("(used_at IS NULL) = (photo_id IS NULL)", name="used_iff_photo"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id"))

    @property
    def key(self) -> str:
        return f"uploads/{self.id}"
