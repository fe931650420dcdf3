"""Photos say whether their position may move their hazard (location_plausible) and, when not, why.

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Photos stored before are left unjudged (NULL): whatever they did to their hazards is in the audit trail.
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_plausible", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("location_reason", sa.Text(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_photos_plausible_if_located"),
                                         "location_plausible IS NULL OR lat IS NOT NULL")
        batch_op.create_check_constraint(
            batch_op.f("ck_photos_implausible_has_reason"),
            "(location_plausible = false) = (location_reason IS NOT NULL)"
            " AND (location_plausible IS NOT NULL OR location_reason IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_photos_implausible_has_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_photos_plausible_if_located"), type_="check")
        batch_op.drop_column("location_reason")
        batch_op.drop_column("location_plausible")
