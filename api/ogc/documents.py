"""The JSON documents of the OGC API, built from plain values and absolute URLs.

Links are absolute because GIS clients follow them as they are, from wherever the document was saved.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from api.schemas import coordinate, local_instant
from inspections.feature_queries import Extent, ItemsPage
from inspections.hazard_queries import is_overdue
from inspections.models import Hazard

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# Claimed only what is met. Not oas30: our OpenAPI document describes these paths, but is not checked to list
# every status and response of every operation as that class requires. Not html: everything here is JSON.
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
)
HAZARDS = "hazards"


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    found = {"href": href, "rel": rel, "type": media_type}
    if title:
        found["title"] = title
    return found


def landing_page(root: str, service_desc: str | None, service_doc: str | None) -> dict:
    links = [link(root, "self", JSON, "This document")]
    if service_desc:
        links.append(link(service_desc, "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"))
    if service_doc:
        links.append(link(service_doc, "service-doc", "text/html", "The API documentation"))
    links += [
        link(f"{root}/conformance", "conformance", JSON, "Conformance classes implemented"),
        link(f"{root}/collections", "data", JSON, "The feature collections"),
    ]
    return {
        "title": "Work-safety hazards (安全生产隐患) – OGC API Features",
        "description": "The district's hazards as GeoJSON features, limited to what the signed-in user may see.",
        "links": links,
    }


def conformance() -> dict:
    return {"conformsTo": list(CONFORMANCE)}


def collections(root: str, extent: Extent | None) -> dict:
    return {
        "links": [link(f"{root}/collections", "self", JSON, "The feature collections")],
        "collections": [collection(root, extent)],
    }


def collection(root: str, extent: Extent | None) -> dict:
    """The hazards collection; its extent is that of the hazards the caller sees, left out when they see none."""
    here = f"{root}/collections/{HAZARDS}"
    found = {
        "id": HAZARDS,
        "title": "Hazards (隐患)",
        "description": "Work-safety hazards found at enterprises, from report to closure, placed where they were "
                       "recorded (WGS-84). Time is when the hazard was found (reported_at).",
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link(here, "self", JSON, "This collection"),
            link(f"{here}/items", "items", GEOJSON, "The hazards as GeoJSON"),
        ],
    }
    if extent is not None:
        found["extent"] = {"temporal": {"interval": [[_instant(extent.first_reported), _instant(extent.last_reported)]],
                                        "trs": GREGORIAN}}
        if extent.bbox is not None:
            found["extent"]["spatial"] = {"bbox": [[coordinate(c) for c in extent.bbox]], "crs": CRS84}
    return found


def feature(hazard: Hazard, today: date, links: list[dict] | None = None) -> dict:
    """A hazard as a GeoJSON Feature: its UUID as id, a Point [lon, lat] or no geometry when it has no place."""
    geometry = None if hazard.lat is None else {"type": "Point", "coordinates": [coordinate(hazard.lon),
                                                                        coordinate(hazard.lat)]}
    found = {
        "type": "Feature",
        "id": str(hazard.id),
        "geometry": geometry,
        "properties": {
            "status": hazard.status,
            "severity": hazard.severity,
            "category": hazard.category_code,
            "description": hazard.description,
            "enterprise_id": hazard.enterprise_id,
            "enterprise_name": hazard.enterprise.name,
            "area_code": hazard.area_code,
            "reported_at": _instant(hazard.reported_at),
            "deadline": hazard.deadline.isoformat(),
            "overdue": is_overdue(hazard, today),
            "closed_at": _instant(hazard.closed_at) if hazard.closed_at else None,
        },
    }
    if links:
        found["links"] = links
    return found


def single_feature(hazard: Hazard, today: date, root: str) -> dict:
    collection_href = f"{root}/collections/{HAZARDS}"
    return feature(hazard, today, links=[
        link(f"{collection_href}/items/{hazard.id}", "self", GEOJSON, "This hazard"),
        link(collection_href, "collection", JSON, "The hazards collection"),
    ])


def feature_collection(page: ItemsPage, today: date, *, self_href: str, page_href: Callable[[int], str],
                       root: str, now: datetime) -> dict:
    """One page of items with its self, collection, next and prev links; ``page_href(offset)`` makes the
    URL of the page starting at ``offset`` with the same query."""
    links = [link(self_href, "self", GEOJSON, "This page"),
             link(f"{root}/collections/{HAZARDS}", "collection", JSON, "The hazards collection")]
    if page.offset + len(page.hazards) < page.matched:
        links.append(link(page_href(page.offset + page.limit), "next", GEOJSON, "The next page"))
    if page.offset > 0:
        # From beyond the end, "prev" is the last page that has features, not an empty one.
        previous = min(max(page.offset - page.limit, 0), max(page.matched - page.limit, 0))
        links.append(link(page_href(previous), "prev", GEOJSON, "The previous page"))
    return {
        "type": "FeatureCollection",
        "features": [feature(hazard, today) for hazard in page.hazards],
        "links": links,
        "numberMatched": page.matched,
        "numberReturned": len(page.hazards),
        "timeStamp": local_instant(now.replace(microsecond=0)),
    }


def _instant(moment: datetime) -> str:
    return local_instant(moment)
