"""token expiry and attempt counters

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-03 14:15:00

Data: every API token that exists gets an expiry 90 days after the upgrade
(tokens made before had none). An administrator should look at the tokens
still in use after the upgrade and tell their owners that they now expire;
a token whose owner changed their password before the upgrade was not revoked
then and still works until it expires or is revoked (`registry token revoke`
or the user's page in the administration).
"""
from datetime import datetime, timedelta, timezone
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    api_token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(api_token.update().where(api_token.c.expires_at.is_(None))
               .values(expires_at=datetime.now(timezone.utc) + timedelta(days=90)))
    op.create_table(
        'attempt_counter',
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_attempt_counter')),
    )


def downgrade() -> None:
    op.drop_table('attempt_counter')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
