"""validity in time, target versions, published figures and corrections

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000

SPEC version 2, rules 2 and 10–13:

* ``agency`` and ``service`` get ``valid_from`` and ``valid_to`` (the first and last
  period they exist in; empty = no bound). A record switched off with no
  ``valid_to`` counts in no period, as before this migration, so no figure changes.
  **An administrator must check** the records switched off before it and give each
  the last period it really existed in (re-opening the closed periods concerned).
* ``reporting_period`` may be ``correcting`` (a closed period re-opened for a
  correction) and keeps the reason of the correction.
* ``target_version``: later versions of a target from a period on.
* ``published_part`` and ``correction``: what closing a period publishes, and the
  public corrections of it. Periods closed before this migration have nothing
  published yet: they are read live until they are closed again.
  **An administrator should** re-open and close each closed period once
  (``registry period reopen YEAR --reason …`` then ``registry period close YEAR --yes``)
  to publish it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for name in ('agency', 'service'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('valid_from', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('valid_to', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # the table is copied under its constraint: submissions refer to it meanwhile
        op.execute('PRAGMA defer_foreign_keys = ON')
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_reporting_period_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_reporting_period_status'),
                                         "status IN ('open', 'closed', 'correcting')")
    op.create_table(
        'target_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Integer(), nullable=False),
        sa.Column('title_vi', sa.Text(), nullable=False),
        sa.Column('title_en', sa.Text(), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.Column('comparator', sa.String(length=2), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("comparator IN ('>=', '>')", name=op.f('ck_target_version_comparator')),
        sa.CheckConstraint('number >= 2', name=op.f('ck_target_version_number_after_first')),
        sa.CheckConstraint('threshold >= 0', name=op.f('ck_target_version_threshold_non_negative')),
        sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_target_version_target_id_target')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_target_version')),
        sa.UniqueConstraint('target_id', 'effective_from', name='uq_target_version_target_effective_from'),
        sa.UniqueConstraint('target_id', 'number', name='uq_target_version_target_number'),
    )
    with op.batch_alter_table('target_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_version_target_id'), ['target_id'], unique=False)
    op.create_table(
        'published_part',
        sa.Column('period_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('period_year', 'basis', 'part', name=op.f('pk_published_part')),
    )
    op.create_table(
        'correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_year', sa.Integer(), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correction')),
    )
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_period_year'), ['period_year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_period_year'))
    op.drop_table('correction')
    op.drop_table('published_part')
    with op.batch_alter_table('target_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_version_target_id'))
    op.drop_table('target_version')
    op.execute("UPDATE reporting_period SET status = 'open' WHERE status = 'correcting'")
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('PRAGMA defer_foreign_keys = ON')
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reporting_period_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_reporting_period_status'), "status IN ('open', 'closed')")
        batch_op.drop_column('correction_reason')
    _drop_search_triggers()
    for name in ('service', 'agency'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('valid_to')
            batch_op.drop_column('valid_from')
    _create_search_triggers()


# The search index triggers of revision 0004, frozen: SQLite's batch "move and copy" of
# the agency and service tables cannot rename a table that another table's trigger
# names, and drops the table's own triggers with it (as in revision 0011).
SQLITE_TRIGGERS = (
    ("service_search_service_insert",
     "CREATE TRIGGER service_search_service_insert AFTER INSERT ON service WHEN NEW.active AND (SELECT active FROM agency WHERE id = NEW.agency_id) BEGIN INSERT INTO service_search (rowid, name_key) VALUES (NEW.id, NEW.name_key); END"),
    ("service_search_service_update",
     "CREATE TRIGGER service_search_service_update AFTER UPDATE OF id, name_key, active, agency_id ON service BEGIN DELETE FROM service_search WHERE rowid = OLD.id; INSERT INTO service_search (rowid, name_key) SELECT NEW.id, NEW.name_key WHERE NEW.active AND (SELECT active FROM agency WHERE id = NEW.agency_id); END"),
    ("service_search_service_delete",
     "CREATE TRIGGER service_search_service_delete AFTER DELETE ON service BEGIN DELETE FROM service_search WHERE rowid = OLD.id; END"),
    ("service_search_agency_update",
     "CREATE TRIGGER service_search_agency_update AFTER UPDATE OF id, active ON agency WHEN OLD.active IS NOT NEW.active OR OLD.id IS NOT NEW.id BEGIN DELETE FROM service_search WHERE rowid IN (SELECT id FROM service WHERE agency_id IN (OLD.id, NEW.id)); INSERT INTO service_search (rowid, name_key) SELECT id, name_key FROM service WHERE agency_id = NEW.id AND active AND NEW.active; END"),
)


def _drop_search_triggers() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_search_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'service_search'").first():
        for name, statement in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(statement)
