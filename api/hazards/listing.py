"""Hazards as lists show them: each with its enterprise, the summary of its latest closure checks and its inspection
when the caller may know of it, loaded for the whole page at once (a page costs the same few queries whether it holds 2 hazards or 100)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import selectinload

from api.auth import current_user
from api.db import session
from api.pagination import SelectPage
from inspections.check_summaries import latest_check_summaries
from inspections.models import Hazard
from inspections.visibility import visible_inspection_ids


class ListedHazard:
    """A hazard with what its list item shows beside it; reads through to the hazard for everything else."""

    __slots__ = ("_hazard", "closure_summary", "inspection_id")

    def __init__(self, hazard: Hazard, closure_summary: dict | None, inspection_id):
        self._hazard = hazard
        self.closure_summary = closure_summary
        self.inspection_id = inspection_id  # None when the caller may not see the inspection (a covert one)

    def __getattr__(self, name):
        return getattr(self._hazard, name)


def listed(hazards: Iterable[Hazard]) -> list[ListedHazard]:
    """The hazards with their closure-check summaries and the inspections the caller may know of, read in one
    query each."""
    hazards = list(hazards)
    summaries = latest_check_summaries(session(), (h.id for h in hazards))
    known = visible_inspection_ids(session(), current_user(), (h.inspection_id for h in hazards))
    return [ListedHazard(h, summaries.get(h.id), h.inspection_id if h.inspection_id in known else None)
            for h in hazards]


class HazardPage(SelectPage):
    """A page of ``GET /hazards``: the hazards with their enterprises (one query for the page, not one per
    enterprise) and their closure-check summaries (one more)."""

    def __init__(self, collection, page_params):
        super().__init__(collection.options(selectinload(Hazard.enterprise)), page_params)

    @property
    def items(self):
        return listed(super().items)
