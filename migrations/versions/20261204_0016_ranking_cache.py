"""rankings kept for the command that prints them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 05:30:00

``ranking_cache`` keeps a period's ranking as ``registry ranking`` prints it, in
each language, with the stamp of the generation tokens it was computed under, so
that the next run reads it instead of scoring every agency again (issue #14). It
starts empty and is filled by the command; nothing for an administrator to check.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: Union[str, None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'ranking_cache',
        sa.Column('period_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('period_year', 'lang', name=op.f('pk_ranking_cache')),
    )


def downgrade() -> None:
    op.drop_table('ranking_cache')
