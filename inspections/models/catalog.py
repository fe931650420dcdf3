"""Reference lists for hazards: the category taxonomy, campaigns, and calendar corrections."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import Base, UTCDateTime, utcnow


class Category(Base):
    """A hazard category, two levels deep: ``fire`` (消防安全) and under it ``fire.exits`` (疏散通道)."""

    __tablename__ = "categories"
    __table_args__ = (
        # A second-level code is its parent's code, a dot, and a suffix; top-level codes have no dot.
        CheckConstraint(
            "(parent_code IS NULL AND code NOT LIKE '%.%') OR (parent_code IS NOT NULL AND code LIKE parent_code || '.%')",
            name="code_under_parent",
        ),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rectification photos must be taken within this radius of the hazard (verified closure).
    radius_m: Mapped[int | None] = mapped_column(Integer)


class Campaign(Base):
    """A campaign such as the 2026 安全生产月, to which inspections may belong."""

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str | None] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkdayOverride(Base):
    """A correction to the working-day calendar, for years the calendar package does not know yet or
    for changes announced after it was released. Overrides win over the package."""

    __tablename__ = "workday_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
