"""Positions as web-mercator pixels, and the grid of map cells built on them.

Each located hazard stores its position as integer pixel coordinates of a web-mercator map at zoom 22
(``map_x``, ``map_y``: 2^30 pixels round the world, about 4 cm at the equator; y grows southwards, as on
screen). A cluster cell at map zoom ``z`` is a square of ``CELL_PX`` screen pixels at that zoom, so cell
``(cx, cy)`` holds the hazards with ``map_x >> shift == cx`` and ``map_y >> shift == cy``. Because every
cell is split exactly into four cells of the next zoom, counts kept per cell at each zoom (the map's running
counts, ``inspections.map_cells``) add up across zooms, and a cell never moves when the map pans.

Integer pixels make the grid the same in Python and in SQL on every backend: no trigonometry in the
database, and no two float formulas that might disagree about a hazard on a cell's edge.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

PIXEL_ZOOM = 22  # the zoom whose pixels are stored
WORLD_PX = 256 << PIXEL_ZOOM  # 2^30 pixels round the world
CELL_PX = 64  # a cluster cell is 64 screen pixels wide: four to a 256-pixel tile
CELL_BITS = 6  # log2(CELL_PX)
MAX_GRID_ZOOM = PIXEL_ZOOM  # cells of one stored pixel's worth of screen at most
MAX_LAT = 85.0511287798  # web mercator's edge: the map is square there


def pixel(lon: float, lat: float) -> tuple[int, int]:
    """The zoom-22 web-mercator pixel of a WGS-84 position (clamped to the map)."""
    x = (lon + 180.0) / 360.0
    phi = math.radians(min(max(lat, -MAX_LAT), MAX_LAT))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return _clamp(math.floor(x * WORLD_PX)), _clamp(math.floor(y * WORLD_PX))


def lon_of(px: float) -> float:
    """The longitude of the west edge of pixel column ``px``."""
    return px / WORLD_PX * 360.0 - 180.0


def lat_of(py: float) -> float:
    """The latitude of the north edge of pixel row ``py``."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * py / WORLD_PX))))


def _clamp(value: int) -> int:
    return min(max(value, 0), WORLD_PX - 1)


@dataclass(frozen=True)
class CellRange:
    """The cells ``x0..x1`` by ``y0..y1`` (inclusive) of one zoom."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def empty(self) -> bool:
        return self.x0 > self.x1 or self.y0 > self.y1


@dataclass(frozen=True)
class Grid:
    """The cluster cells of map zoom ``zoom``: squares of ``CELL_PX`` screen pixels."""

    zoom: int

    @property
    def shift(self) -> int:
        """Stored pixel coordinates shifted right by this many bits give the cell."""
        return PIXEL_ZOOM - self.zoom + CELL_BITS

    @property
    def size(self) -> int:
        """A cell's side in stored (zoom-22) pixels."""
        return 1 << self.shift

    def index(self, lon: float, lat: float) -> tuple[int, int]:
        x, y = pixel(lon, lat)
        return x >> self.shift, y >> self.shift

    def bounds(self, cx: int, cy: int) -> tuple[float, float, float, float]:
        """West, south, east, north of a cell."""
        return (lon_of(cx * self.size), lat_of((cy + 1) * self.size),
                lon_of((cx + 1) * self.size), lat_of(cy * self.size))

    def touched(self, bbox: tuple[float, float, float, float]) -> CellRange:
        """The cells the box reaches into."""
        (west, north), (east, south) = pixel(bbox[0], bbox[3]), pixel(bbox[2], bbox[1])
        return CellRange(west >> self.shift, north >> self.shift, east >> self.shift, south >> self.shift)

    def cells_in(self, bbox: tuple[float, float, float, float]) -> int:
        """How many cells the box touches: the most clusters it can produce."""
        cells = self.touched(bbox)
        return (cells.x1 - cells.x0 + 1) * (cells.y1 - cells.y0 + 1)

    def inside(self, bbox: tuple[float, float, float, float]) -> CellRange:
        """The cells wholly inside the box: every position stored in them lies in it.

        Only pixels strictly between the box's edge pixels count as inside: a position in the edge pixel
        itself may lie just outside the box, and is left to be checked against the box one by one.
        """
        (west, north), (east, south) = pixel(bbox[0], bbox[3]), pixel(bbox[2], bbox[1])
        size = self.size
        return CellRange(-(-(west + 1) // size), -(-(north + 1) // size), east // size - 1, south // size - 1)

    def pixels(self, cells: CellRange) -> CellRange:
        """The stored pixels the cells cover."""
        size = self.size
        return CellRange(cells.x0 * size, cells.y0 * size, (cells.x1 + 1) * size - 1, (cells.y1 + 1) * size - 1)


def grid_for(bbox: tuple[float, float, float, float], zoom: float, max_cells: int) -> Grid:
    """The grid of the map's zoom (whole zooms), coarsened until the box touches at most ``max_cells`` cells."""
    grid = Grid(min(max(math.floor(zoom), 0), MAX_GRID_ZOOM))
    while grid.zoom > 0 and grid.cells_in(bbox) > max_cells:
        grid = Grid(grid.zoom - 1)
    return grid
