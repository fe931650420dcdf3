"""A hazard's deadline as it is stored: the date, what it was counted from, and the years counted without their
holiday notice (non-empty: provisional). One place, so that reporting, extensions and recounts store it alike."""
from __future__ import annotations

from inspections import deadlines
from inspections.models import Hazard


def record_deadline(hazard: Hazard, decision: deadlines.DeadlineDecision) -> None:
    """Give ``hazard`` the deadline ``decision`` counted, with what it was counted from and its assumed years."""
    hazard.deadline = decision.deadline
    basis = decision.basis
    hazard.deadline_counted_from = basis.counted_from if basis else None
    hazard.deadline_working_days = basis.working_days if basis else None
    hazard.deadline_assumed_years = list(decision.assumed_years) or None


def basis_of(hazard: Hazard) -> deadlines.DeadlineBasis | None:
    """What the hazard's deadline in force was counted from; None for a hazard recorded before it was kept."""
    if hazard.deadline_counted_from is None:
        return None
    return deadlines.DeadlineBasis(hazard.deadline_counted_from, hazard.deadline_working_days)
