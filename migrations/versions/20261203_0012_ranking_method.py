"""ranking method

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00.000000

``ranking_method``: the versions of the method of the agency ranking (SPEC §3c),
each in force from its year on. The table starts empty: the registry then ranks
by the method the specification ships (registry/rankings/method.py). Nothing
for an administrator to check.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'ranking_method',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('effective_from BETWEEN 2000 AND 2100',
                           name=op.f('ck_ranking_method_effective_from_range')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking_method')),
        sa.UniqueConstraint('effective_from', name=op.f('uq_ranking_method_effective_from')),
    )


def downgrade() -> None:
    op.drop_table('ranking_method')
