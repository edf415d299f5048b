"""province-wide indicators

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-03 15:00:00.000000

The decision's targets that agencies do not report (SPEC §3b): ``indicator`` holds
what each measures and asks (seeded by ``registry init``), ``indicator_value`` each
period's value with its source, evidence link, who entered it and who verified it.
New tables only; nothing for an administrator to check.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('title_vi', sa.Text(), nullable=False),
        sa.Column('title_en', sa.Text(), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('comparator', sa.String(length=2), nullable=False),
        sa.Column('threshold', sa.String(length=32), nullable=False),
        sa.Column('deadline', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint("unit IN ('percent', 'count', 'people_per_point', 'km')", name=op.f('ck_indicator_unit')),
        sa.CheckConstraint("comparator IN ('<', '<=', '>', '>=')", name=op.f('ck_indicator_comparator')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
        sa.UniqueConstraint('code', name=op.f('uq_indicator_code')),
    )
    op.create_table(
        'indicator_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_code', sa.String(length=64), nullable=False),
        sa.Column('period_year', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=True),
        sa.Column('numerator', sa.Integer(), nullable=True),
        sa.Column('denominator', sa.Integer(), nullable=True),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('evidence_url', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('entered', 'verified')", name=op.f('ck_indicator_value_state')),
        sa.CheckConstraint('value IS NOT NULL OR (numerator IS NOT NULL AND denominator IS NOT NULL)',
                           name=op.f('ck_indicator_value_value_or_ratio')),
        sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'],
                                name=op.f('fk_indicator_value_indicator_code_indicator')),
        sa.ForeignKeyConstraint(['period_year'], ['reporting_period.year'],
                                name=op.f('fk_indicator_value_period_year_reporting_period')),
        sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_value_entered_by_id_user_account')),
        sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_value_verified_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value')),
        sa.UniqueConstraint('indicator_code', 'period_year', name='uq_indicator_value_indicator_period'),
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_indicator_code'), ['indicator_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_value_period_year'), ['period_year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_period_year'))
        batch_op.drop_index(batch_op.f('ix_indicator_value_indicator_code'))
    op.drop_table('indicator_value')
    op.drop_table('indicator')
