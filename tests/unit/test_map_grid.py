"""The map's grid: web-mercator pixels, cells that nest from zoom to zoom, and which cells lie wholly in a box."""
import math
import random

import pytest

from inspections.map_grid import WORLD_PX, Grid, grid_for, lat_of, lon_of, pixel


def test_pixels_are_those_of_a_web_mercator_map_at_zoom_22():
    assert pixel(0.0, 0.0) == (WORLD_PX // 2, WORLD_PX // 2)
    assert pixel(-180.0, 85.06) == (0, 0)  # the map's corner; beyond the edge is clamped onto it
    assert pixel(180.0, -89.0) == (WORLD_PX - 1, WORLD_PX - 1)
    # Tiananmen in the slippy-map tile arithmetic every web map uses (tile 843, 388 at zoom 10).
    x, y = pixel(116.3975, 39.9087)
    assert (x >> 20, y >> 20) == (843, 388)


def test_a_pixel_edge_converts_back_to_the_position_it_came_from():
    rng = random.Random(3)
    for _ in range(1000):
        lon, lat = rng.uniform(73, 135), rng.uniform(18, 54)  # China
        x, y = pixel(lon, lat)
        assert lon_of(x) <= lon < lon_of(x + 1)
        assert lat_of(y + 1) < lat <= lat_of(y)


def test_cells_nest_four_to_one_from_zoom_to_zoom():
    rng = random.Random(4)
    for _ in range(200):
        lon, lat = rng.uniform(116.2, 116.6), rng.uniform(39.8, 40.1)
        for zoom in range(0, 22):
            fine, coarse = Grid(zoom + 1).index(lon, lat), Grid(zoom).index(lon, lat)
            assert (fine[0] >> 1, fine[1] >> 1) == coarse


def test_a_cell_is_64_screen_pixels_at_its_zoom():
    west, south, east, north = Grid(16).bounds(*Grid(16).index(116.4, 39.9))
    assert east - west == pytest.approx(360 / 2 ** 16 * 64 / 256)  # a 256-pixel tile spans 360 / 2^zoom degrees
    # Square on the screen: in degrees, as much taller than wide as the mercator stretch at this latitude.
    assert (north - south) / (east - west) == pytest.approx(math.cos(math.radians(39.9)), rel=1e-3)
    assert west <= 116.4 < east and south < 39.9 <= north


@pytest.mark.parametrize("zoom", [3, 10, 13, 16])
def test_cells_inside_a_box_hold_only_positions_in_it_and_no_cell_is_left_out(zoom):
    rng = random.Random(zoom)
    grid = Grid(zoom)
    for _ in range(300):
        lon, lat = rng.uniform(116.0, 117.0), rng.uniform(39.5, 40.5)
        half = rng.uniform(0.2, 40) * 360 / 2 ** (zoom + 2)
        bbox = (lon - half, lat - half, lon + half, lat + half)
        inside = grid.inside(bbox)
        if inside.empty:
            continue
        pixels = grid.pixels(inside)
        # The extreme pixels of the inside cells lie within the box ...
        assert bbox[0] < lon_of(pixels.x0) and lon_of(pixels.x1 + 1) <= bbox[2]
        assert bbox[1] <= lat_of(pixels.y1 + 1) and lat_of(pixels.y0) < bbox[3]
        # ... and the next cell out on each side reaches the box's edge pixel or past it.
        west, north = pixel(bbox[0], bbox[3])
        east, south = pixel(bbox[2], bbox[1])
        assert (inside.x0 - 1) * grid.size <= west and (inside.x1 + 2) * grid.size - 1 >= east
        assert (inside.y0 - 1) * grid.size <= north and (inside.y1 + 2) * grid.size - 1 >= south


def test_the_grid_is_the_maps_zoom_made_coarser_until_the_box_holds_few_enough_cells():
    city = (116.0, 39.6, 116.8, 40.2)
    assert grid_for(city, 10.7, 2000).zoom == 10  # whole zooms: the cells of the zoom being shown
    coarse = grid_for(city, 18, 2000)
    assert coarse.cells_in(city) <= 2000 < Grid(coarse.zoom + 1).cells_in(city)
    assert grid_for((-180, -90, 180, 90), 24, 2000).zoom <= 4
    assert grid_for(city, -3, 2000).zoom == 0
