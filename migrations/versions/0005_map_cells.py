"""Hazard positions as map pixels, and the map's running counts per cell (map_cells).

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INCLUDE = ["status", "deadline", "map_x", "map_y"]
BATCH = 5000


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
    # The counts of the hazards already there. The application's own rebuild: the same code keeps them later.
    from inspections import map_cells

    map_cells.rebuild(Session(bind=op.get_bind()))


def _fill_pixels() -> None:
    from inspections.map_grid import pixel

    connection = op.get_bind()
    hazards = sa.table("hazards", sa.column("id", sa.Uuid()), sa.column("lon", sa.Float()), sa.column("lat", sa.Float()),
                       sa.column("map_x", sa.Integer()), sa.column("map_y", sa.Integer()))
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
