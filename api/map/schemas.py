"""Wire format of the map: GeoJSON (RFC 7946, positions [lon, lat]) of hazards, clusters and areas.

The answers are built as plain dicts (up to 2,000 features: a schema dump per feature would cost more than the
query); the schemas below document them in the OpenAPI text.
"""
import marshmallow as ma

from api.hazards.schemas import HazardQuerySchema
from api.schemas import ID_RANGE, QuerySchema, coordinate, reported_after, reported_before, rounded_rate
from inspections.enums import AreaLevel, Severity, values
from inspections.hazard_counts import COUNTS, RATES
from inspections.map_queries import MAX_FEATURES, AreaCounts, HazardMap

GEOJSON = "application/geo+json"


class MapHazardsQuerySchema(HazardQuerySchema):
    zoom = ma.fields.Float(
        validate=ma.validate.Range(min=0, max=24), allow_nan=False,
        metadata={"description": "The map's web-mercator zoom (fractional allowed). Default: the zoom at which "
                                 "the bbox is about 1,024 pixels wide."},
    )


class MapAreasQuerySchema(QuerySchema):
    level = ma.fields.String(load_default=AreaLevel.STREET.value, validate=ma.validate.OneOf(values(AreaLevel)),
                             metadata={"description": "Which areas to draw (default street)."})
    severity = ma.fields.String(validate=ma.validate.OneOf(values(Severity)))
    category = ma.fields.String(metadata={"description": "A category code; a top-level code includes its sub-categories."})
    enterprise_id = ma.fields.Integer(validate=ID_RANGE)
    created_after = reported_after()
    created_before = reported_before()


class ThumbnailLinkSchema(QuerySchema):
    expires = ma.fields.Integer(required=True, metadata={"description": "Unix time the link stops working."})
    signature = ma.fields.String(required=True, validate=ma.validate.Regexp(
        "^[0-9a-f]{32}$", error="A thumbnail link's signature is 32 lower-case hexadecimal digits."))


class _Geometry(ma.Schema):
    type = ma.fields.String(metadata={"example": "Point"})
    coordinates = ma.fields.List(ma.fields.Raw(), metadata={"description": "[lon, lat] (WGS-84), or polygon rings."})


class _Feature(ma.Schema):
    type = ma.fields.String(metadata={"example": "Feature"})
    id = ma.fields.String(metadata={"description": "The hazard's id, or the area's code; absent on clusters."})
    geometry = ma.fields.Nested(_Geometry)
    properties = ma.fields.Dict(metadata={"description": "See the operation's description."})


class FeatureCollectionSchema(ma.Schema):
    type = ma.fields.String(metadata={"example": "FeatureCollection"})
    features = ma.fields.List(ma.fields.Nested(_Feature))


class HazardCollectionSchema(FeatureCollectionSchema):
    clustered = ma.fields.Boolean(metadata={"description": "true: the features are clusters."})
    total = ma.fields.Integer(metadata={"description": "Hazards in the box (the clusters' counts add up to it)."})
    zoom = ma.fields.Float()
    bbox = ma.fields.List(ma.fields.Float(), metadata={"description": "The box answered: minLon, minLat, maxLon, maxLat."})
    cell_zoom = ma.fields.Integer(allow_none=True, metadata={
        "description": "The clusters' cells are the squares of 64 screen pixels of a web-mercator map at this zoom "
                       "(each property `cell_bbox` gives one's bounds); null for points."})
    max_features = ma.fields.Integer(metadata={"example": MAX_FEATURES})


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [coordinate(lon), coordinate(lat)]}


def hazard_collection(result: HazardMap, link) -> dict:
    """The FeatureCollection of a HazardMap; ``link(photo_id)`` makes a time-limited URL of a photo's thumbnail."""
    if result.clustered:
        features = [
            {"type": "Feature", "geometry": _point(c.lon, c.lat), "properties": {
                "cluster": True, "count": c.count, "by_status": c.by_status, "overdue": c.overdue,
                "cell_bbox": list(c.cell),
            }}
            for c in result.clusters
        ]
    else:
        features = [
            {"type": "Feature", "id": (hazard_id := str(p.id)), "geometry": _point(p.lon, p.lat), "properties": {
                "id": hazard_id, "status": p.status, "severity": p.severity, "category": p.category,
                "overdue": p.overdue, "deadline": p.deadline.isoformat(), "enterprise_id": p.enterprise_id,
                "enterprise_name": p.enterprise_name,
                "thumbnail_url": link(p.photo_id) if p.photo_id else None,
            }}
            for p in result.points
        ]
    return {
        "type": "FeatureCollection", "features": features, "clustered": result.clustered, "total": result.total,
        "zoom": result.zoom, "bbox": list(result.bbox),
        "cell_zoom": result.grid.zoom if result.clustered else None,
        "max_features": MAX_FEATURES,
    }


def area_collection(rows: list[AreaCounts], level: str) -> dict:
    """The FeatureCollection of the areas of one level, their boundaries and counts."""
    return {"type": "FeatureCollection", "level": level, "features": [
        {"type": "Feature", "id": row.code, "geometry": row.boundary, "properties": {
            "code": row.code, "name": row.name, "level": row.level, "parent_code": row.parent_code,
            # The statistics' counts and rates (inspections.hazard_counts), and the shading's own overdue rate.
            **dict(zip(COUNTS, row.counts())), **{name: rounded_rate(row.rate(name)) for name in RATES},
            "overdue_rate": rounded_rate(row.overdue_rate),
        }}
        for row in rows
    ]}
