"""Deadlines keep what they were counted from and the years counted without their holiday notice (provisional).

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_counted_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deadline_working_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline_assumed_years", sa.JSON(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_hazards_deadline_basis"),
            "deadline_working_days IS NULL OR (deadline_working_days >= 1 AND deadline_counted_from IS NOT NULL)",
        )
    with op.batch_alter_table("extensions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requested_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("assumed_years", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extensions", schema=None) as batch_op:
        batch_op.drop_column("assumed_years")
        batch_op.drop_column("requested_deadline")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_hazards_deadline_basis"), type_="check")
        batch_op.drop_column("deadline_assumed_years")
        batch_op.drop_column("deadline_working_days")
        batch_op.drop_column("deadline_counted_from")
