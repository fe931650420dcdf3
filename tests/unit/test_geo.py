"""Boundaries, point-in-area and distances on WGS-84."""
import pytest

from inspections import geo

SQUARE = {"type": "Polygon", "coordinates": [[[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1], [116.0, 39.0]]]}
WITH_HOLE = {"type": "Polygon", "coordinates": [
    SQUARE["coordinates"][0],
    [[116.04, 39.04], [116.06, 39.04], [116.06, 39.06], [116.04, 39.06], [116.04, 39.04]],
]}


def test_contains_respects_holes_and_multipolygons():
    assert geo.contains(SQUARE, 116.05, 39.05)
    assert not geo.contains(WITH_HOLE, 116.05, 39.05)
    assert geo.contains(WITH_HOLE, 116.02, 39.02)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[117, 40], [117.1, 40], [117.1, 40.1], [117, 40]]]]}
    assert geo.contains(multi, 117.05, 40.02)
    assert not geo.contains(multi, 116.5, 39.5)


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [116, 39]},
    {"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1]]]},
    {"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39.2]]]},
    {"type": "Polygon", "coordinates": [[[39, 216], [39, 216.1], [39.1, 216.1], [39, 216]]]},
    "not an object",
])
def test_bad_boundaries_are_refused(geometry):
    assert geo.boundary_problem(geometry) is not None


def test_bbox_and_distances():
    assert geo.bbox_of(SQUARE) == geo.BBox(116.0, 39.0, 116.1, 39.1)
    # The README of the test photos gives 39.0 m between these two Nikon shots (haversine).
    assert geo.distance_m(43.4674483, 11.8851267, 43.4671567, 11.885395) == pytest.approx(39.0, abs=0.3)
    box = geo.bbox_around(39.9, 116.4, 1000)
    assert box.contains(116.4, 39.9 + 0.0089) and not box.contains(116.4, 39.92)
