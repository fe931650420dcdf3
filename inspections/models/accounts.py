"""People who sign in, the refresh tokens that keep them signed in, and the counts of failed sign-ins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import Base, UTCDateTime, utcnow
from inspections.enums import Role, sql_in
from inspections.models.directory import Area, Enterprise


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(sql_in("role", Role), name="role"),
        # An officer acts for exactly one enterprise, and only officers are bound to one.
        CheckConstraint(
            "(role = 'enterprise_officer') = (enterprise_id IS NOT NULL)", name="officer_has_enterprise"
        ),
        # An inspector's powers are limited to an area, so an inspector without one could do nothing.
        CheckConstraint("role <> 'inspector' OR area_code IS NOT NULL", name="inspector_has_area"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(100))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Carried in every access token; a password change raises it, so tokens issued before stop working at once.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    enterprise: Mapped[Enterprise | None] = relationship()
    area: Mapped[Area | None] = relationship()


class RefreshToken(Base):
    """One issued refresh token, stored as its SHA-256 only.

    Tokens rotate: each use issues a successor in the same family. A token used again after its grace
    period means it was copied, so the whole family is revoked.
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInCounter(Base):
    """Failed sign-ins counted under one key (a username, an address, or both) until ``expires_at``, when the
    count starts again; or a mark (``hits`` 1) that an address is known for a username.

    Kept in the database every worker and instance shares, so each failure counts once however many processes
    serve (``inspections.sign_in_counters``; Redis holds the same keys when ``RATELIMIT_STORAGE_URI`` names it).
    """

    __tablename__ = "sign_in_counters"
    __table_args__ = (CheckConstraint("hits > 0", name="hits_positive"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
