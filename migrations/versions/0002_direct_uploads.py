"""Direct uploads: what a phone declared before sending a photo straight to the object store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:12:06.327178

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('uploads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('photo_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint('(used_at IS NULL) = (photo_id IS NULL)', name=op.f('ck_uploads_used_iff_photo')),
    sa.CheckConstraint('size > 0', name=op.f('ck_uploads_size_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_uploads_created_by_users')),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_uploads_photo_id_photos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_expires_at'))
        batch_op.drop_index(batch_op.f('ix_uploads_created_by'))

    op.drop_table('uploads')
