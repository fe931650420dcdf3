"""Reference data: the district's areas and the enterprises (and small venues) it supervises."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import Base, UTCDateTime, utcnow
from inspections.enums import AreaLevel, VenueType, sql_in


class Area(Base):
    """An administrative area: district → street (街道) → community (社区) → grid (网格)."""

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(sql_in("level", AreaLevel), name="level"),
        # The bounding box exists exactly when the boundary does; it makes point-in-area look-ups cheap.
        CheckConstraint(
            "(boundary IS NULL) = (min_lon IS NULL) AND (min_lon IS NULL) = (max_lat IS NULL)",
            name="bbox_with_boundary",
        ),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    # Materialised path of codes, "/district/street/community/": scope checks become one LIKE.
    path: Mapped[str] = mapped_column(String(200), index=True)
    boundary: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Area | None] = relationship(remote_side=[code])


class Enterprise(Base):
    """A supervised business or venue (生产经营单位 or one of the 九小场所)."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint(sql_in("venue_type", VenueType), name="venue_type"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    sector: Mapped[str | None] = mapped_column(String(100))
    venue_type: Mapped[str] = mapped_column(String(32), default=VenueType.ENTERPRISE.value)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area | None] = relationship()
