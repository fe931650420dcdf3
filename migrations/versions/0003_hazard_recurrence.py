"""Hazards remember the closed hazard they repeat (recurrence within RECURRENCE_DAYS).

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recurrence_of", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_hazards_recurrence_of"), ["recurrence_of"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_hazards_recurrence_of_hazards"), "hazards", ["recurrence_of"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_hazards_recurrence_of_hazards"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_hazards_recurrence_of"))
        batch_op.drop_column("recurrence_of")
