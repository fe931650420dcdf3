"""The hazard taxonomy and the campaigns, kept by admins (campaigns also by reviewers)."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inspections.errors import Conflict, InvalidInput, NotFound
from inspections.models import Campaign, Category


def list_categories(session: Session, *, include_inactive: bool = False) -> list[Category]:
    """The taxonomy in code order; retired categories only when asked for."""
    query = select(Category).order_by(Category.code)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list(session.scalars(query))


def create_category(session: Session, *, code: str, name: str, parent_code: str | None = None,
                    radius_m: int | None = None) -> Category:
    """Add a category: top level (no dot in the code) or second level ``parent.suffix``."""
    if session.get(Category, code) is not None:
        raise Conflict(f"The category {code} exists already.", {"code": ["Already taken."]})
    if parent_code is None:
        if "." in code:
            raise InvalidInput(code="A top-level code has no dot; give parent_code for a second-level one.")
    else:
        parent = session.get(Category, parent_code)
        if parent is None:
            raise InvalidInput(parent_code=f"There is no category {parent_code}.")
        if parent.parent_code is not None:
            raise InvalidInput(parent_code="The taxonomy has two levels; the parent must be top-level.")
        if not code.startswith(parent_code + ".") or code.count(".") != 1:
            raise InvalidInput(code=f"A second-level code is written {parent_code}.<suffix>.")
    category = Category(code=code, name=name, parent_code=parent_code, active=True, radius_m=radius_m)
    session.add(category)
    session.commit()
    return category


def update_category(session: Session, code: str, changes: dict) -> Category:
    """Rename, retire (``active: false``; hazards keep it) or set a category's photo radius."""
    category = session.get(Category, code)
    if category is None:
        raise NotFound(f"There is no category {code}.")
    for field in ("name", "active", "radius_m"):
        if field in changes:
            setattr(category, field, changes[field])
    session.commit()
    return category


def campaigns_query() -> Select:
    return select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())


def create_campaign(session: Session, *, name: str, starts_on, ends_on, theme: str | None = None) -> Campaign:
    if ends_on < starts_on:
        raise InvalidInput(ends_on="A campaign ends on or after the day it starts.")
    campaign = Campaign(name=name, theme=theme, starts_on=starts_on, ends_on=ends_on)
    session.add(campaign)
    session.commit()
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"There is no campaign {campaign_id}.")
    return campaign
