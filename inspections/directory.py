"""The district's directory: areas and the enterprises in them, with who may see which."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from inspections import geo
from inspections.creditcode import credit_code_problem, normalize_credit_code
from inspections.enums import AREA_PARENT_LEVEL, Role
from inspections.errors import Conflict, InvalidInput, NotFound
from inspections.models import Area, Enterprise, User
from inspections.phrases import with_article

# Areas -------------------------------------------------------------------------------------------


def _apply_boundary(area: Area, boundary: dict | None) -> None:
    if boundary is None:
        area.boundary = None
        area.min_lon = area.min_lat = area.max_lon = area.max_lat = None
        return
    if problem := geo.boundary_problem(boundary):
        raise InvalidInput(boundary=problem)
    box = geo.bbox_of(boundary)
    area.boundary = boundary
    area.min_lon, area.min_lat, area.max_lon, area.max_lat = box.min_lon, box.min_lat, box.max_lon, box.max_lat


def _check_parent(session: Session, level: str, parent_code: str | None) -> None:
    expected = AREA_PARENT_LEVEL[level]
    if expected is None:
        if parent_code is not None:
            raise InvalidInput(parent_code="A district has no parent area.")
        return
    if parent_code is None:
        raise InvalidInput(parent_code=f"{with_article(level, capital=True)} belongs to {with_article(expected)}: give its code.")
    parent = session.get(Area, parent_code)
    if parent is None:
        raise InvalidInput(parent_code=f"There is no area {parent_code}.")
    if parent.level != expected:
        raise InvalidInput(parent_code=f"{with_article(level, capital=True)} belongs to {with_article(expected)}, but {parent_code} is {with_article(parent.level)}.")


def create_area(session: Session, *, code: str, name: str, level: str, parent_code=None, boundary=None) -> Area:
    """Add an area under a parent of the level above it."""
    if session.get(Area, code) is not None:
        raise Conflict(f"The area code {code} is taken.", {"code": ["Already taken."]})
    _check_parent(session, level, parent_code)
    if "/" in code:
        raise InvalidInput(code="An area code may not contain '/'.")
    parent_path = session.get(Area, parent_code).path if parent_code else "/"
    area = Area(code=code, name=name, level=level, parent_code=parent_code, path=f"{parent_path}{code}/")
    _apply_boundary(area, boundary)
    session.add(area)
    session.commit()
    return area


def get_area(session: Session, code: str) -> Area:
    area = session.get(Area, code)
    if area is None:
        raise NotFound(f"There is no area {code}.")
    return area


def update_area(session: Session, code: str, changes: dict) -> Area:
    """Rename an area or replace its boundary; its code, level and parent are fixed once made."""
    area = get_area(session, code)
    if "name" in changes:
        area.name = changes["name"]
    if "boundary" in changes:
        _apply_boundary(area, changes["boundary"])
    session.commit()
    return area


def areas_query(*, level: str | None = None, parent_code: str | None = None) -> Select:
    query = select(Area).order_by(Area.code)
    if level:
        query = query.where(Area.level == level)
    if parent_code:
        query = query.where(Area.parent_code == parent_code)
    return query


def area_containing(session: Session, lat: float, lon: float, *, level: str | None = None) -> Area | None:
    """The smallest area whose boundary contains the point (grids before communities before streets)."""
    candidates = session.scalars(
        select(Area).where(
            Area.min_lon <= lon, Area.max_lon >= lon, Area.min_lat <= lat, Area.max_lat >= lat,
            *( [Area.level == level] if level else [] ),
        )
    ).all()
    order = ["grid", "community", "street", "district"]
    for area in sorted(candidates, key=lambda a: order.index(a.level)):
        if geo.contains(area.boundary, lon, lat):
            return area
    return None


# Enterprises ------------------------------------------------------------------------------------

ENTERPRISE_FIELDS = (
    "name", "credit_code", "sector", "venue_type", "address", "lat", "lon",
    "area_code", "contact_name", "contact_phone",
)


def _validate_enterprise(session: Session, values: dict, existing_id: int | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    if "credit_code" in values:
        values["credit_code"] = normalize_credit_code(values["credit_code"])
        if problem := credit_code_problem(values["credit_code"]):
            errors["credit_code"] = [problem]
    if ("lat" in values) != ("lon" in values) or (values.get("lat") is None) != (values.get("lon") is None):
        errors["lat"] = ["Give lat and lon together."]
    # Any code given must name an area, "" too: it would otherwise reach the foreign key (an IntegrityError).
    if values.get("area_code") is not None and session.get(Area, values["area_code"]) is None:
        errors["area_code"] = [f"There is no area {values['area_code']!r}."]
    if errors:
        raise InvalidInput("The enterprise is not valid.", errors)
    if "credit_code" in values:
        other = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == values["credit_code"]))
        if other is not None and other != existing_id:
            raise Conflict(
                f"Enterprise {other} already has the credit code {values['credit_code']}.",
                {"credit_code": ["Already registered."]},
            )
    return values


def create_enterprise(session: Session, values: dict) -> Enterprise:
    """Register an enterprise; without an area, the area whose boundary holds its location is used."""
    values = _validate_enterprise(session, dict(values))
    if not values.get("area_code") and values.get("lat") is not None:
        area = area_containing(session, values["lat"], values["lon"])
        values["area_code"] = area.code if area else None
    enterprise = Enterprise(**values)
    session.add(enterprise)
    session.commit()
    return enterprise


def update_enterprise(session: Session, enterprise_id: int, changes: dict) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound(f"There is no enterprise {enterprise_id}.")
    if "lat" in changes or "lon" in changes:
        changes.setdefault("lat", enterprise.lat)
        changes.setdefault("lon", enterprise.lon)
    changes = _validate_enterprise(session, dict(changes), existing_id=enterprise_id)
    for field, value in changes.items():
        setattr(enterprise, field, value)
    session.commit()
    return enterprise


def visible_enterprises(actor: User) -> Select:
    """Every signed-in role reads the directory, except that an officer sees only their own enterprise."""
    query = select(Enterprise)
    if actor.role == Role.ENTERPRISE_OFFICER:
        query = query.where(Enterprise.id == actor.enterprise_id)
    return query


def get_enterprise(session: Session, actor: User, enterprise_id: int) -> Enterprise:
    enterprise = session.scalar(visible_enterprises(actor).where(Enterprise.id == enterprise_id))
    if enterprise is None:
        raise NotFound(f"There is no enterprise {enterprise_id}.")
    return enterprise


def enterprises_query(actor: User, *, q: str | None = None, area_code: str | None = None) -> Select:
    query = visible_enterprises(actor).order_by(Enterprise.id)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Enterprise.name.ilike(pattern), Enterprise.credit_code == normalize_credit_code(q)))
    if area_code:
        query = query.where(Enterprise.area_code == area_code)
    return query


@dataclass(frozen=True)
class Nearby:
    enterprise: Enterprise
    distance_m: float


def enterprises_near(
    session: Session, actor: User, *, lat: float, lon: float, radius_m: float,
    q: str | None = None, area_code: str | None = None,
) -> list[Nearby]:
    """Enterprises within ``radius_m`` of the point, nearest first, with their geodesic distance."""
    box = geo.bbox_around(lat, lon, radius_m)
    query = enterprises_query(actor, q=q, area_code=area_code).where(
        Enterprise.lat.between(box.min_lat, box.max_lat), Enterprise.lon.between(box.min_lon, box.max_lon)
    )
    found = []
    for enterprise in session.scalars(query):
        distance = geo.distance_m(lat, lon, enterprise.lat, enterprise.lon)
        if distance <= radius_m:
            found.append(Nearby(enterprise, distance))
    found.sort(key=lambda n: (n.distance_m, n.enterprise.id))
    return found
