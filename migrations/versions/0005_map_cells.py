"""Hazard positions as map pixels, and the map's running counts per cell (map_cells).

Revision ID: 0005
Revises: 0004
"""
import math
from datetime import date
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INCLUDE = ["status", "deadline", "map_x", "map_y"]
BATCH = 5000

# Frozen copies of what this revision meant when it was written (inspections.map_grid and inspections.map_cells
# of that day): a migration must give the same result on a fresh database years later, whatever the application
# has become, so it imports none of it. tests/unit/test_migrations.py checks the copies against the code of today
# for as long as they still agree.
PIXEL_ZOOM = 22
WORLD_PX = 256 << PIXEL_ZOOM
CELL_BITS = 6
MAX_LAT = 85.0511287798
MAX_LEVEL = 16
ACTIVE_STATUSES = ("open", "acknowledged", "submitted")
NEVER = date(9999, 12, 31)  # the open deadline of closed and void hazards: never overdue

hazards = sa.table(
    "hazards", sa.column("id", sa.Uuid()), sa.column("lon", sa.Float()), sa.column("lat", sa.Float()),
    sa.column("map_x", sa.Integer()), sa.column("map_y", sa.Integer()), sa.column("status", sa.String(16)),
    sa.column("deadline", sa.Date()),
)
map_cells = sa.table(
    "map_cells", sa.column("level", sa.SmallInteger()), sa.column("cx", sa.Integer()), sa.column("cy", sa.Integer()),
    sa.column("status", sa.String(16)), sa.column("open_deadline", sa.Date()), sa.column("hazards", sa.Integer()),
    sa.column("sum_lon", sa.Float()), sa.column("sum_lat", sa.Float()),
)


def pixel(lon: float, lat: float) -> tuple[int, int]:
    """The zoom-22 web-mercator pixel of a WGS-84 position, clamped to the map (map_grid.pixel as of 0005)."""
    x = (lon + 180.0) / 360.0
    phi = math.radians(min(max(lat, -MAX_LAT), MAX_LAT))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return _clamp(math.floor(x * WORLD_PX)), _clamp(math.floor(y * WORLD_PX))


def _clamp(value: int) -> int:
    return min(max(value, 0), WORLD_PX - 1)


def upgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("map_x", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("map_y", sa.Integer(), nullable=True))
    _fill_pixels()
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "map_pixel", "(map_x IS NULL) = (lon IS NULL) AND (map_y IS NULL) = (lon IS NULL)")
        batch_op.drop_index("ix_hazards_lon_lat")
        batch_op.create_index("ix_hazards_lon_lat", ["lon", "lat"], unique=False, postgresql_include=INCLUDE)
        batch_op.create_index("ix_hazards_lat_lon", ["lat", "lon"], unique=False, postgresql_include=INCLUDE)
    op.create_table(
        "map_cells",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("cx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cy", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("open_deadline", sa.Date(), nullable=False),
        sa.Column("hazards", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(), nullable=False),
        sa.Column("sum_lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("level", "cx", "cy", "status", "open_deadline", name=op.f("pk_map_cells")),
    )
    op.create_index("ix_map_cells_level_cy_cx", "map_cells", ["level", "cy", "cx"], unique=False)
    _count_cells()


def _fill_pixels() -> None:
    connection = op.get_bind()
    located = connection.execute(sa.select(hazards.c.id, hazards.c.lon, hazards.c.lat)
                                 .where(hazards.c.lon.is_not(None))).all()
    update = (sa.update(hazards).where(hazards.c.id == sa.bindparam("hazard_id"))
              .values(map_x=sa.bindparam("x"), map_y=sa.bindparam("y")))
    for start in range(0, len(located), BATCH):
        rows = []
        for hazard_id, lon, lat in located[start:start + BATCH]:
            x, y = pixel(lon, lat)
            rows.append({"hazard_id": hazard_id, "x": x, "y": y})
        connection.execute(update, rows)


def _count_cells() -> None:
    """The counts of the hazards already there: the finest level from the hazards, each coarser one from the
    level below it (four cells make one)."""
    connection = op.get_bind()
    columns = ["level", "cx", "cy", "status", "open_deadline", "hazards", "sum_lon", "sum_lat"]
    shift = PIXEL_ZOOM - MAX_LEVEL + CELL_BITS
    open_deadline = sa.case((hazards.c.status.in_(ACTIVE_STATUSES), hazards.c.deadline), else_=sa.literal(NEVER))
    located = sa.select(
        hazards.c.map_x.op(">>")(sa.literal_column(str(shift))).label("cx"),
        hazards.c.map_y.op(">>")(sa.literal_column(str(shift))).label("cy"),
        hazards.c.status.label("status"), open_deadline.label("open_deadline"),
        hazards.c.lon.label("lon"), hazards.c.lat.label("lat"),
    ).where(hazards.c.map_x.is_not(None)).subquery()
    finest = sa.select(
        sa.literal_column(str(MAX_LEVEL), sa.Integer), located.c.cx, located.c.cy, located.c.status,
        located.c.open_deadline, sa.func.count(), sa.func.sum(located.c.lon), sa.func.sum(located.c.lat),
    ).group_by(located.c.cx, located.c.cy, located.c.status, located.c.open_deadline)
    connection.execute(sa.insert(map_cells).from_select(columns, finest))
    for level in range(MAX_LEVEL - 1, -1, -1):
        finer = sa.select(
            map_cells.c.cx.op(">>")(sa.literal_column("1")).label("cx"),
            map_cells.c.cy.op(">>")(sa.literal_column("1")).label("cy"),
            map_cells.c.status, map_cells.c.open_deadline, map_cells.c.hazards, map_cells.c.sum_lon,
            map_cells.c.sum_lat,
        ).where(map_cells.c.level == level + 1).subquery()
        coarser = sa.select(
            sa.literal_column(str(level), sa.Integer), finer.c.cx, finer.c.cy, finer.c.status, finer.c.open_deadline,
            sa.func.sum(finer.c.hazards), sa.func.sum(finer.c.sum_lon), sa.func.sum(finer.c.sum_lat),
        ).group_by(finer.c.cx, finer.c.cy, finer.c.status, finer.c.open_deadline)
        connection.execute(sa.insert(map_cells).from_select(columns, coarser))


def downgrade() -> None:
    op.drop_index("ix_map_cells_level_cy_cx", table_name="map_cells")
    op.drop_table("map_cells")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_index("ix_hazards_lat_lon")
        batch_op.drop_index("ix_hazards_lon_lat")
        batch_op.create_index("ix_hazards_lon_lat", ["lon", "lat"], unique=False,
                              postgresql_include=["status", "deadline"])
        batch_op.drop_constraint("map_pixel", type_="check")
        batch_op.drop_column("map_y")
        batch_op.drop_column("map_x")
