"""The remediation plan (治理方案) a major hazard needs before its rectification is submitted."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from inspections import audit
from inspections.enums import HazardStatus, Role, Severity
from inspections.errors import Conflict, Forbidden
from inspections.hazards import get_hazard
from inspections.models import RemediationPlan, User
from inspections.transitions import commit_or_conflict

PLAN_FIELDS = ("objectives", "measures", "funds", "responsible", "timeline", "safety_measures")
EDITABLE = (HazardStatus.OPEN, HazardStatus.ACKNOWLEDGED)


def record_plan(session: Session, actor: User, hazard_id: uuid.UUID, plan: dict, *, now: datetime) -> RemediationPlan:
    """Record or replace the plan; it stays editable until the rectification is submitted."""
    hazard = get_hazard(session, actor, hazard_id)
    if actor.role != Role.ENTERPRISE_OFFICER:
        raise Forbidden("The enterprise's safety officer records the remediation plan.")
    if hazard.severity != Severity.MAJOR:
        raise Conflict("Only a major hazard (重大隐患) has a remediation plan.", {"severity": [hazard.severity]})
    existing = hazard.plan
    if existing is not None and all(getattr(existing, f) == plan[f] for f in PLAN_FIELDS):
        return existing  # a retry: nothing changed, nothing to record
    if hazard.status not in EDITABLE:
        raise Conflict(f"The plan cannot change once the hazard is {hazard.status}.", {"status": [hazard.status]})
    record = existing or RemediationPlan(hazard_id=hazard.id)
    for field in PLAN_FIELDS:
        setattr(record, field, plan[field])
    record.updated_by = actor.id
    record.updated_at = now
    session.add(record)
    hazard.updated_at = now
    audit.record_event(
        session, hazard, "plan_recorded" if existing is None else "plan_revised", at=now, actor=actor,
        details={"plan": {f: plan[f] for f in PLAN_FIELDS}},
    )
    commit_or_conflict(session)
    return record
