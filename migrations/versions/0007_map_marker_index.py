"""The map's position indexes hold what a marker shows (id, severity, category, enterprise) on PostgreSQL.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BEFORE = ["status", "deadline", "map_x", "map_y"]
AFTER = BEFORE + ["id", "severity", "category_code", "enterprise_id"]


def _position_indexes(include: list[str]) -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_index("ix_hazards_lat_lon")
        batch_op.drop_index("ix_hazards_lon_lat")
        batch_op.create_index("ix_hazards_lon_lat", ["lon", "lat"], unique=False, postgresql_include=include)
        batch_op.create_index("ix_hazards_lat_lon", ["lat", "lon"], unique=False, postgresql_include=include)


def upgrade() -> None:
    _position_indexes(AFTER)


def downgrade() -> None:
    _position_indexes(BEFORE)
