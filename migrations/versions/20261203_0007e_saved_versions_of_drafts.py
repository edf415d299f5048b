"""saved versions of drafts

Revision ID: 0007e
Revises: 0014
Create Date: 2026-12-03 14:00:00.000000

``submission_change`` keeps what each save changed in a submission's entries
(SPEC §8.4), so that a save made from an older version keeps what another
editor changed since. Each existing submission gets one row marking its
current version as the start of its kept history. For an administrator to
check: nothing; an editor who opened a form before the upgrade and saves it
after will be asked to choose, field by field, wherever the form differs from
what is stored.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007e'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('submission_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'],
                            name=op.f('fk_submission_change_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_change')),
    sa.UniqueConstraint('submission_id', 'version', name='uq_submission_change_submission_version')
    )
    with op.batch_alter_table('submission_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_change_submission_id'), ['submission_id'], unique=False)
    op.execute("INSERT INTO submission_change (submission_id, version, at, changes) "
               "SELECT id, version, updated_at, NULL FROM submission")


def downgrade() -> None:
    with op.batch_alter_table('submission_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_change_submission_id'))
    op.drop_table('submission_change')
