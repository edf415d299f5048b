"""versions of the province-wide indicators

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 10:45:00

``indicator_version`` holds later versions of an indicator (SPEC §3b: versioned
like the targets, rule 11): its wording, comparator, threshold and deadline from
a period on. The indicator row stays version 1, so every period is judged as it
was before this migration; nothing for an administrator to check.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: Union[str, None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'indicator_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Integer(), nullable=False),
        sa.Column('title_vi', sa.Text(), nullable=False),
        sa.Column('title_en', sa.Text(), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.Column('comparator', sa.String(length=2), nullable=False),
        sa.Column('threshold', sa.String(length=32), nullable=False),
        sa.Column('deadline', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("comparator IN ('<', '<=', '>', '>=')", name=op.f('ck_indicator_version_comparator')),
        sa.CheckConstraint('number >= 2', name=op.f('ck_indicator_version_number_after_first')),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_indicator_version_indicator_id_indicator')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_version')),
        sa.UniqueConstraint('indicator_id', 'effective_from', name='uq_indicator_version_indicator_effective_from'),
        sa.UniqueConstraint('indicator_id', 'number', name='uq_indicator_version_indicator_number'),
    )
    with op.batch_alter_table('indicator_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_version_indicator_id'), ['indicator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('indicator_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_version_indicator_id'))
    op.drop_table('indicator_version')
