"""Hazards as lists show them: each with its enterprise and the summary of its latest closure checks, loaded for
the whole page at once (a page costs the same few queries whether it holds 2 hazards or 100)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import selectinload

from api.db import session
from api.pagination import SelectPage
from inspections.check_summaries import latest_check_summaries
from inspections.models import Hazard


class ListedHazard:
    """A hazard with what its list item shows beside it; reads through to the hazard for everything else."""

    __slots__ = ("_hazard", "closure_summary")

    def __init__(self, hazard: Hazard, closure_summary: dict | None):
        self._hazard = hazard
        self.closure_summary = closure_summary

    def __getattr__(self, name):
        return getattr(self._hazard, name)


def listed(hazards: Iterable[Hazard]) -> list[ListedHazard]:
    """The hazards with their closure-check summaries, read in one query."""
    hazards = list(hazards)
    summaries = latest_check_summaries(session(), (h.id for h in hazards))
    return [ListedHazard(h, summaries.get(h.id)) for h in hazards]


class HazardPage(SelectPage):
    """A page of ``GET /hazards``: the hazards with their enterprises (one query for the page, not one per
    enterprise) and their closure-check summaries (one more)."""

    def __init__(self, collection, page_params):
        super().__init__(collection.options(selectinload(Hazard.enterprise)), page_params)

    @property
    def items(self):
        return listed(super().items)
