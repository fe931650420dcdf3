"""Geometry on WGS-84 coordinates: boundary validation, bounding boxes, point-in-area and distances.

Everything is stored in WGS-84 as phones record it; conversion to GCJ-02 happens only when drawing.
Areas are small (a district at most), so planar ray casting on lon/lat is exact enough for containment.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import geodesic

EARTH_METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


def valid_lat(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and -90 <= value <= 90


def valid_lon(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and -180 <= value <= 180


def boundary_problem(geometry) -> str | None:
    """Why ``geometry`` is not a usable GeoJSON Polygon or MultiPolygon, or None when it is."""
    if not isinstance(geometry, dict):
        return "A boundary is a GeoJSON object."
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            return "A MultiPolygon needs at least one polygon."
        polygons = coords
    else:
        return "A boundary must be a GeoJSON Polygon or MultiPolygon."
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "A polygon needs at least one ring."
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return "A polygon ring needs at least four positions."
            for position in ring:
                if not (isinstance(position, list) and len(position) in (2, 3)):
                    return "A position is [longitude, latitude]."
                if not (valid_lon(position[0]) and valid_lat(position[1])):
                    return "Positions are WGS-84 [longitude, latitude] within range."
            if ring[0][:2] != ring[-1][:2]:
                return "A polygon ring must end where it starts."
    return None


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def bbox_of(geometry: dict) -> BBox:
    lons = [p[0] for poly in _polygons(geometry) for p in poly[0]]
    lats = [p[1] for poly in _polygons(geometry) for p in poly[0]]
    return BBox(min(lons), min(lats), max(lons), max(lats))


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry: dict, lon: float, lat: float) -> bool:
    """Whether the point lies in the polygon(s): inside the outer ring and outside every hole."""
    for polygon in _polygons(geometry):
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, hole) for hole in holes):
            return True
    return False


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres on the WGS-84 ellipsoid."""
    return geodesic((lat1, lon1), (lat2, lon2)).meters


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """A box sure to contain every point within ``radius_m``: a cheap pre-filter before exact distances."""
    dlat = radius_m / EARTH_METRES_PER_DEGREE_LAT * 1.01
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlon = min(radius_m / (EARTH_METRES_PER_DEGREE_LAT * cos_lat) * 1.01, 180.0)
    return BBox(lon - dlon, max(lat - dlat, -90.0), lon + dlon, min(lat + dlat, 90.0))
