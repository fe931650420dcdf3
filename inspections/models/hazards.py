"""Inspections, hazards and everything recorded about a hazard's rectification."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import Base, UTCDateTime, utcnow
from inspections.enums import (
    ACTIVE_STATUSES, ExtensionStatus, HazardStatus, InspectionKind, LocationSource, Severity, sql_in,
)
from inspections.models.accounts import User
from inspections.models.directory import Enterprise


class Inspection(Base):
    """One visit to an enterprise (检查), during which hazards may be found."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(sql_in("kind", InspectionKind), name="kind"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 of the creating request, so a retry is told apart from a different body under the same id.
    request_digest: Mapped[str] = mapped_column(String(64))

    enterprise: Mapped[Enterprise] = relationship()
    inspectors: Mapped[list[User]] = relationship(secondary="inspection_inspectors", order_by="User.id")


class InspectionInspector(Base):
    """The inspectors who took part in an inspection (usually two, as the rules require)."""

    __tablename__ = "inspection_inspectors"

    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


# What the map reads of a hazard besides its position (see Hazard's indexes).
MAP_COLUMNS = ["status", "deadline", "map_x", "map_y", "id", "severity", "category_code", "enterprise_id"]


class Hazard(Base):
    """A hazard (隐患) found at an enterprise, from report to closure."""

    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint(sql_in("status", HazardStatus), name="status"),
        CheckConstraint(sql_in("severity", Severity), name="severity"),
        CheckConstraint(f"location_source IS NULL OR {sql_in('location_source', LocationSource)}", name="location_source"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
        CheckConstraint("(lat IS NULL) = (location_source IS NULL)", name="location_has_source"),
        # State-dependent invariants live in the table, so no code path can leave a half-closed hazard.
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at_iff_closed"),
        CheckConstraint("(status = 'void') = (voided_at IS NOT NULL)", name="voided_at_iff_void"),
        CheckConstraint("rejection_count >= 0", name="rejection_count"),
        CheckConstraint("deadline_working_days IS NULL OR (deadline_working_days >= 1 AND "
                        "deadline_counted_from IS NOT NULL)", name="deadline_basis"),
        CheckConstraint("(map_x IS NULL) = (lon IS NULL) AND (map_y IS NULL) = (lon IS NULL)", name="map_pixel"),
        # The map reads boxes (and thin strips along their edges, both ways), counting or listing markers, with
        # only these columns: PostgreSQL answers from the index alone instead of a table page per hazard.
        Index("ix_hazards_lon_lat", "lon", "lat", postgresql_include=MAP_COLUMNS),
        Index("ix_hazards_lat_lon", "lat", "lon", postgresql_include=MAP_COLUMNS),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(Text)  # 判定依据: the rule the hazard breaks
    # active_history: a change keeps the value it replaces, for the map's running counts (inspections.map_cells).
    lat: Mapped[float | None] = mapped_column(Float, active_history=True)
    lon: Mapped[float | None] = mapped_column(Float, active_history=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    # The position as zoom-22 web-mercator pixels (inspections.map_grid), kept in step with lon/lat by
    # inspections.map_cells: the map's cells are these shifted right.
    map_x: Mapped[int | None] = mapped_column(Integer)
    map_y: Mapped[int | None] = mapped_column(Integer)
    location_source: Mapped[str | None] = mapped_column(String(16))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    # The area's materialised path at report time: "is it in my area?" is a prefix match.
    area_path: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default=HazardStatus.OPEN.value, index=True, active_history=True)
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    client_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[date] = mapped_column(Date, index=True, active_history=True)
    # The deadline first set, kept for the statistics whatever extensions follow.
    original_deadline: Mapped[date] = mapped_column(Date)
    # When the inspector asked for a non-working day and it moved to the next working day.
    deadline_requested: Mapped[date | None] = mapped_column(Date)
    # What the deadline in force was counted from (deadlines.DeadlineBasis), so that it can be counted again
    # exactly when a year's holiday notice is entered: the N-th working day after the local day counted_from,
    # or with working_days NULL the first working day on or after it (a date asked for). NULL on hazards
    # recorded before this was kept.
    deadline_counted_from: Mapped[date | None] = mapped_column(Date)
    deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    # The years that count went through without their State Council notice (assumed: the statutory holidays
    # only), e.g. [2027]; NULL when every year counted was known. Non-NULL: the deadline is provisional.
    deadline_assumed_years: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    rejection_count: Mapped[int] = mapped_column(Integer, default=0)
    # The closed hazard of the same enterprise and category this one repeats (隐患反复), if any.
    recurrence_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    due_soon_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    request_digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock: of two people deciding the same hazard at once, the second gets a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The head of the audit trail (inspections.audit): how many events it has and the last one's digest, sealed
    # (HMAC under the audit key audit_key_id), written with each event. A deleted tail no longer matches it.
    # No seal: a trail written before keys (migration 0009) that no checkpoint has sealed yet.
    audit_count: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    audit_seal: Mapped[str | None] = mapped_column(String(64))
    audit_key_id: Mapped[str | None] = mapped_column(String(16))

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reported_by])
    plan: Mapped[RemediationPlan | None] = relationship(back_populates="hazard", uselist=False)


def overdue_clause(today: date):
    """Overdue, as SQL: still active and the deadline day (local) is over. ``today`` is the local date now.

    Next to the table because the lists, the map and the map's running counts must all mean the same by it.
    """
    return and_(Hazard.status.in_([s.value for s in ACTIVE_STATUSES]), Hazard.deadline < today)


class HazardEvent(Base):
    """One entry of a hazard's append-only audit trail.

    Each event stores the digest of the one before it and of itself, so that editing or deleting a past
    event breaks the chain where it happened (``flask audit verify``). ``format`` 2: HMAC-SHA256 under the audit
    key ``key_id``; 1: plain SHA-256, the events written before keys (see ``inspections.audit.chain``).
    """

    __tablename__ = "hazard_events"
    __table_args__ = (
        UniqueConstraint("hazard_id", "seq", name="uq_hazard_events_hazard_id_seq"),
        CheckConstraint("format IN (1, 2)", name="format"),
        CheckConstraint("(format = 1) = (key_id IS NULL)", name="key_id_iff_keyed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(16))

    actor: Mapped[User | None] = relationship()


class RemediationPlan(Base):
    """治理方案: required before a major hazard's rectification is submitted."""

    __tablename__ = "remediation_plans"

    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), primary_key=True)
    objectives: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    funds: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(Text)
    timeline: Mapped[str] = mapped_column(Text)
    safety_measures: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="plan")


class Extension(Base):
    """A request to move a hazard's deadline (延期), and the reviewer's decision."""

    __tablename__ = "extensions"
    __table_args__ = (
        CheckConstraint(sql_in("status", ExtensionStatus), name="status"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_iff_not_pending"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_deadline: Mapped[date] = mapped_column(Date)
    new_deadline: Mapped[date] = mapped_column(Date)
    # The date the officer asked for; new_deadline is the first working day on or after it. NULL on requests
    # recorded before this was kept.
    requested_deadline: Mapped[date | None] = mapped_column(Date)
    # As the hazard's deadline_assumed_years, for new_deadline: non-NULL, it is provisional.
    assumed_years: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ExtensionStatus.PENDING.value)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
