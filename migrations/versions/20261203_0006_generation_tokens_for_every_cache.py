"""generation tokens for every cache

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00.000000

``target_generation`` becomes ``generation``: its tokens guard the shared
public pages, the listing totals and the ETags as well as the target results,
and the unit of work now replaces them itself (registry/core/generations.py).
The tokens are kept; nothing for an administrator to check.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.rename_table('target_generation', 'generation')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE generation RENAME CONSTRAINT pk_target_generation TO pk_generation')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE generation RENAME CONSTRAINT pk_generation TO pk_target_generation')
    op.rename_table('generation', 'target_generation')
