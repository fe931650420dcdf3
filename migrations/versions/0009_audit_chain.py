"""The keyed audit chain: each event's format and key id, and the chain's head on the hazard row.

The events already written were chained with plain SHA-256 and no key: they are marked format 1 and keep
verifying as such, never rewritten. The heads are filled from them (count and last digest), unsealed: the
migration has no key; ``flask audit checkpoint`` seals them after checking their chains.

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("hazard_events", schema=None) as batch_op:
        # The default marks the rows already there, then goes: every new event says its format itself.
        batch_op.add_column(sa.Column("format", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    with op.batch_alter_table("hazard_events", schema=None) as batch_op:
        batch_op.alter_column("format", server_default=None)
        # hazard_events may be rebuilt on SQLite: no table refers to it.
        batch_op.create_check_constraint("format", "format IN (1, 2)")
        batch_op.create_check_constraint("key_id_iff_keyed", "(format = 1) = (key_id IS NULL)")

    # Plain ALTERs on hazards, no batch: rebuilding the table SQLite's way (copy, drop, rename) fails on a database
    # with data, whose other tables refer to hazards. So the server defaults stay (the code always writes both).
    op.add_column("hazards", sa.Column("audit_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("hazards", sa.Column("audit_head", sa.String(length=64), nullable=False, server_default=GENESIS))
    op.add_column("hazards", sa.Column("audit_seal", sa.String(length=64), nullable=True))
    op.add_column("hazards", sa.Column("audit_key_id", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE hazards SET "
        "audit_count = (SELECT count(*) FROM hazard_events e WHERE e.hazard_id = hazards.id), "
        f"audit_head = COALESCE((SELECT e.hash FROM hazard_events e WHERE e.hazard_id = hazards.id "
        f"ORDER BY e.seq DESC LIMIT 1), '{GENESIS}')"
    )


def downgrade() -> None:
    for column in ("audit_key_id", "audit_seal", "audit_head", "audit_count"):
        op.drop_column("hazards", column)  # ALTER TABLE … DROP COLUMN (SQLite 3.35+), no rebuild: see upgrade
    with op.batch_alter_table("hazard_events", schema=None) as batch_op:
        batch_op.drop_constraint("key_id_iff_keyed", type_="check")
        batch_op.drop_constraint("format", type_="check")
        batch_op.drop_column("key_id")
        batch_op.drop_column("format")
