"""Indexes for the map's reads: map cells each way with every column (PostgreSQL), a hazard's first evidence photo.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COVERED = ["status", "open_deadline", "hazards", "sum_lon", "sum_lat"]
EVIDENCE = sa.text("kind = 'evidence'")


def upgrade() -> None:
    op.drop_index("ix_map_cells_level_cy_cx", table_name="map_cells")
    op.create_index("ix_map_cells_level_cy_cx", "map_cells", ["level", "cy", "cx"], postgresql_include=COVERED)
    op.create_index("ix_map_cells_level_cx_cy", "map_cells", ["level", "cx", "cy"], postgresql_include=COVERED)
    op.create_index("ix_photos_first_evidence", "photos", ["hazard_id", "uploaded_at", "id"],
                    postgresql_where=EVIDENCE, sqlite_where=EVIDENCE)


def downgrade() -> None:
    op.drop_index("ix_photos_first_evidence", table_name="photos")
    op.drop_index("ix_map_cells_level_cx_cy", table_name="map_cells")
    op.drop_index("ix_map_cells_level_cy_cx", table_name="map_cells")
    op.create_index("ix_map_cells_level_cy_cx", "map_cells", ["level", "cy", "cx"])
