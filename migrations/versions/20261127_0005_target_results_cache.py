"""target results cache

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00.000000

Target results per period and basis, shared by every worker (registry/target_cache.py):
``target_generation`` holds tokens per basis, for every period (row 0) and per
period, replaced by every change that can alter results; ``target_cache`` the
results computed under them. The row of every period is created here, so that
caching starts at once.
"""
import secrets
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    generation = op.create_table(
        'target_generation',
        sa.Column('period_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('verified', sa.String(length=32), nullable=False),
        sa.Column('reported', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('period_year', name=op.f('pk_target_generation')),
    )
    op.create_table(
        'target_cache',
        sa.Column('period_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.Column('token', sa.String(length=65), nullable=False),
        sa.Column('results', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('period_year', 'basis', name=op.f('pk_target_cache')),
    )
    op.bulk_insert(generation, [{'period_year': 0, 'verified': secrets.token_hex(16),
                                 'reported': secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table('target_cache')
    op.drop_table('target_generation')
