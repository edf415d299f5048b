"""files kept between an import's dry run and the import, in the database

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-03 18:00:00

``import_stash`` keeps the file an administrator's dry run checked, for two
hours, so that it can be imported without choosing it again on whichever
server the next request reaches. Files kept before this migration were in
``instance/import-stash/`` on one server: they are no longer read, and an
administrator may delete that folder (a dry run made just before the upgrade
asks for its file again).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'import_stash',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_import_stash_user_id_user_account')),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_import_stash')),
    )
    with op.batch_alter_table('import_stash', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_stash_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_stash_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_stash', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_stash_created_at'))
        batch_op.drop_index(batch_op.f('ix_import_stash_user_id'))
    op.drop_table('import_stash')
