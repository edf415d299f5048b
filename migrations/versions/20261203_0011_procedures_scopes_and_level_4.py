"""procedures, the decision's scopes and level 4

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:30:00.000000

What changes (SPEC version 2, §2 and §3):

* ``service.procedure_code``: the national procedure a service is an offering
  of. Every existing service becomes its own procedure (``procedure_code =
  code``), so every target keeps its figures until procedures are named.
* ``agency.kind`` accepts ``preschool`` (trường mầm non), which is never in
  ``schools_network_pct``.
* The adoption report gains ``internet_connected`` (any Internet connection),
  carried over from ``broadband_internet`` in every submission and verified
  copy, and ``computer_staff_with_email``, left unknown (an agency whose figure
  is unknown is left out of ``computer_staff_email_pct`` until it reports it).
* Service statuses gain ``payment_url`` (level 4's evidence); levels 0–4 are
  accepted; ``reporting_period.level_scale`` names the scale of each period
  (every existing period: ``nd64-tt26``).
* The shipped targets whose definition is still exactly the one shipped before
  are given the decision's scopes (state agencies, the political system, the
  province-tier departments, schools/hospitals/health facilities with "kết nối
  Internet"); each change is recorded in the audit log (source ``migration``).
  The 16th target ``computer_staff_email_pct`` is added by ``registry init``.
  Kept target results (``target_cache``) are emptied: they were counted over
  services, and are counted again over procedures when next read.

What an administrator must check afterwards (nothing is guessed silently).
Each check that applies to the database is a warning of the logger
``registry.migrations.0011``, which ``registry init`` prints after the upgrade:

1. Kindergartens: an agency of kind ``school`` named "Mầm non …" / "Trường
   mầm non …" is listed; re-kind it to
   ``preschool`` (agency page or an agencies file) if it is one. The migration
   changes no kind itself.
2. The province's people's committee: when both an agency of tier province
   and kind ``people_committee`` and its office (Văn phòng UBND tỉnh, often
   kept as a ``department``) are in the catalogue, the migration lists them;
   keep ONE of them (the office, of kind ``people_committee``) and deactivate
   the other, or its figures count twice.
3. ``internet_connected`` copies ``broadband_internet``: an agency recorded
   without broadband may still have had another Internet connection; correct
   its report (a correction of a closed period, rule 12) if it did. The
   agencies with such a report are listed.
4. Targets an administrator had edited keep their definition; they are
   listed, to be compared with SPEC §3 by hand.
5. Procedures: services that are offerings of one national procedure (the same
   procedure carried out by every commune, say) must be given its code
   (``procedure_code`` column of a services file, or the service page); until
   then each counts as a procedure of its own.

``registry init`` publishes the closed periods again right after this
migration (counting rules 2), with the catalogue as it then is: a closed
period's published figures do not follow a later re-kinding, deactivation or
report correction until that period is re-opened and closed again (a public
correction, rule 12; ``registry period reopen YEAR --reason …``, then
``registry period close YEAR``).
"""
import logging
from datetime import datetime, timezone
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# what an administrator must check: `registry init` prints the warnings of "registry.migrations" (core/schema.py)
log = logging.getLogger("registry.migrations.0011")

OLD_KINDS = ('department', 'people_committee', 'political_org', 'school', 'hospital', 'health_facility', 'other')
NEW_KINDS = ('department', 'people_committee', 'political_org', 'school', 'preschool', 'hospital',
             'health_facility', 'other')
REPORT_TABLES = ('submission', 'verified_copy')
STATUS_TABLES = ('service_status', 'verified_service_status')
SCALE = 'nd64-tt26'

# The search index triggers of revision 0004, frozen: SQLite's batch "move and
# copy" of the agency and service tables drops them with the old tables.
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

OLD_STATE = "*:department,people_committee,political_org"
OLD_STATE_KINDS = "department,people_committee,political_org"
STATE = "*:department,people_committee"
POLITICAL = "*:department,people_committee,political_org"
POLITICAL_KINDS = "department,people_committee,political_org"
# code → ((flags, scope) as shipped before, (flags, scope) as the decision words it)
TARGET_CHANGES = {
    "agencies_network_pct": (("has_lan,wan_connected,broadband_internet", OLD_STATE),
                             ("has_lan,wan_connected,broadband_internet", POLITICAL)),
    "documents_online_pct": ((None, f"district:{OLD_STATE_KINDS};province:people_committee"),
                             (None, "district:department,people_committee;province:people_committee")),
    "agencies_legal_docs_pct": (("legal_docs_online", OLD_STATE), ("legal_docs_online", STATE)),
    "agencies_exchange_pct": (("exchanges_online", OLD_STATE), ("exchanges_online", STATE)),
    "staff_email_pct": ((None, OLD_STATE), (None, POLITICAL)),
    "agencies_email_pct": (("official_email", OLD_STATE), ("official_email", STATE)),
    "agencies_database_pct": (("specialised_database", OLD_STATE), ("specialised_database", "province:department")),
    "broadband_district_up_pct": (("broadband_internet", f"province:{OLD_STATE_KINDS};district:{OLD_STATE_KINDS}"),
                                  ("broadband_internet", f"province:{POLITICAL_KINDS};district:{POLITICAL_KINDS}")),
    "schools_network_pct": (("has_lan,broadband_internet", "*:school"), ("has_lan,internet_connected", "*:school")),
    "hospitals_network_pct": (("has_lan,broadband_internet", "*:hospital"),
                              ("has_lan,internet_connected", "province:hospital;district:hospital")),
    "health_facilities_network_pct": (("has_lan,broadband_internet", "*:health_facility"),
                                      ("has_lan,internet_connected", "*:health_facility")),
    "commune_staff_computer_pct": ((None, f"commune:{OLD_STATE_KINDS}"), (None, f"commune:{POLITICAL_KINDS}")),
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _sql_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _drop_search_triggers() -> None:
    if _sqlite():
        for name, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_search_triggers() -> None:
    bind = op.get_bind()
    if _sqlite() and bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'service_search'").first():
        for name, statement in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(statement)


def upgrade() -> None:
    _drop_search_triggers()
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_agency_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_agency_kind'), _sql_in('kind', NEW_KINDS))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_code', sa.String(length=64), nullable=True))
    op.execute("UPDATE service SET procedure_code = code")
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.alter_column('procedure_code', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_service_procedure_code'), ['procedure_code'], unique=False)
    _create_search_triggers()

    for table in REPORT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('internet_connected', sa.Boolean(), nullable=True))
            batch_op.add_column(sa.Column('computer_staff_with_email', sa.Integer(), nullable=True))
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_computer_staff_with_email_non_negative'),
                'computer_staff_with_email IS NULL OR computer_staff_with_email >= 0')
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_computer_staff_email_within_computer'),
                'computer_staff_with_email IS NULL OR staff_with_computer IS NULL '
                'OR computer_staff_with_email <= staff_with_computer')
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_computer_staff_email_within_email'),
                'computer_staff_with_email IS NULL OR staff_with_email IS NULL '
                'OR computer_staff_with_email <= staff_with_email')
        op.execute(f"UPDATE {table} SET internet_connected = broadband_internet")  # nosec B608: constants

    for table in STATUS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('payment_url', sa.String(length=2048), nullable=True))
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_level_range'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_level_range'), 'level BETWEEN 0 AND 4')

    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_target_min_level'), type_='check')
        batch_op.create_check_constraint(op.f('ck_target_min_level'), 'min_level IS NULL OR min_level BETWEEN 0 AND 4')

    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level_scale', sa.String(length=32), nullable=False, server_default=SCALE))
        batch_op.create_check_constraint(op.f('ck_reporting_period_level_scale'), _sql_in('level_scale', (SCALE,)))
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.alter_column('level_scale', existing_type=sa.String(length=32), server_default=None)

    _update_shipped_targets()
    # results kept under the old counting (services, not procedures) must not be served again
    op.execute("DELETE FROM target_cache")
    _report_what_to_check()


def _update_shipped_targets() -> None:
    bind = op.get_bind()
    target = sa.table('target', sa.column('id', sa.Integer), sa.column('code', sa.String),
                      sa.column('flags', sa.String), sa.column('scope', sa.String))
    audit = sa.table('audit_event', sa.column('at', sa.DateTime(timezone=True)), sa.column('action', sa.String),
                     sa.column('entity', sa.String), sa.column('entity_key', sa.String),
                     sa.column('before', sa.JSON), sa.column('after', sa.JSON), sa.column('comment', sa.Text),
                     sa.column('source', sa.String))
    rows = bind.execute(sa.select(target.c.id, target.c.code, target.c.flags, target.c.scope)
                        .where(target.c.code.in_(sorted(TARGET_CHANGES)))).all()
    now = datetime.now(timezone.utc)
    for row in rows:
        (old_flags, old_scope), (new_flags, new_scope) = TARGET_CHANGES[row.code]
        if (row.flags, row.scope) != (old_flags, old_scope):
            log.warning("target %s was edited by an administrator: its flags and scope are kept; "
                        "compare them with SPEC §3", row.code)
            continue
        bind.execute(target.update().where(target.c.id == row.id).values(flags=new_flags, scope=new_scope))
        bind.execute(audit.insert().values(
            at=now, action="target.update", entity="target", entity_key=row.code,
            before={"flags": old_flags, "scope": old_scope}, after={"flags": new_flags, "scope": new_scope},
            comment="Phạm vi theo đúng lời văn Quyết định 1529 (đặc tả phiên bản 2, §3)", source="migration"))


def _report_what_to_check() -> None:
    bind = op.get_bind()
    schools = bind.execute(sa.text("SELECT code, name FROM agency WHERE kind = 'school'")).all()
    for code, name in schools:
        words = " ".join(name.lower().split())
        if words.startswith(("mầm non", "trường mầm non", "mẫu giáo", "trường mẫu giáo", "mn ")):
            log.warning("agency %s (%s) is a school named like a kindergarten: re-kind it to preschool "
                        "if it is one", code, name)
    committees = [row for row in bind.execute(sa.text(
        "SELECT code, name, kind FROM agency WHERE tier = 'province' AND active")).all()
        if row.kind == 'people_committee' or " ".join(row.name.lower().split()).startswith(
            ("văn phòng ủy ban nhân dân tỉnh", "văn phòng ubnd tỉnh"))]
    if len(committees) > 1:
        log.warning("the province's people's committee is in the catalogue more than once (%s): keep one "
                    "(its office, of kind people_committee) and deactivate the other",
                    ", ".join(f"{c.code} [{c.kind}]" for c in committees))
    without_broadband = bind.execute(sa.text(
        "SELECT DISTINCT agency.code, submission.period_year FROM submission JOIN agency "
        "ON agency.id = submission.agency_id WHERE submission.broadband_internet = FALSE "
        "ORDER BY submission.period_year, agency.code")).all()
    if without_broadband:
        log.warning("internet_connected was copied from broadband_internet: %s report(s) without broadband now "
                    "say no Internet connection at all (%s); correct a report whose agency had another connection",
                    len(without_broadband), _some(f"{code} {year}" for code, year in without_broadband))
    services = bind.execute(sa.text("SELECT count(*) FROM service")).scalar_one()
    if services:
        log.warning("each of the %s services is its own procedure (procedure_code = code) until the services "
                    "that are offerings of one national procedure are given its code", services)


def _some(items, shown: int = 10) -> str:
    items = list(items)
    return ", ".join(items[:shown]) + (f", … ({len(items) - shown} more)" if len(items) > shown else "")


def downgrade() -> None:
    bind = op.get_bind()
    target = sa.table('target', sa.column('code', sa.String), sa.column('flags', sa.String),
                      sa.column('scope', sa.String))
    for code, ((old_flags, old_scope), (new_flags, new_scope)) in TARGET_CHANGES.items():
        bind.execute(target.update().where(target.c.code == code, target.c.scope == new_scope,
                                           target.c.flags.is_not_distinct_from(new_flags))
                     .values(flags=old_flags, scope=old_scope))
    op.execute("DELETE FROM target WHERE code = 'computer_staff_email_pct' OR min_level = 4")
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reporting_period_level_scale'), type_='check')
        batch_op.drop_column('level_scale')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_target_min_level'), type_='check')
        batch_op.create_check_constraint(op.f('ck_target_min_level'), 'min_level IS NULL OR min_level BETWEEN 0 AND 3')
    for table in STATUS_TABLES:
        op.execute(f"UPDATE {table} SET level = 3 WHERE level = 4")  # nosec B608: constants
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_level_range'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_level_range'), 'level BETWEEN 0 AND 3')
            batch_op.drop_column('payment_url')
    for table in REPORT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ('computer_staff_email_within_email', 'computer_staff_email_within_computer',
                         'computer_staff_with_email_non_negative'):
                batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.drop_column('computer_staff_with_email')
            batch_op.drop_column('internet_connected')
    _drop_search_triggers()
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_procedure_code'))
        batch_op.drop_column('procedure_code')
    op.execute("UPDATE agency SET kind = 'school' WHERE kind = 'preschool'")
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_agency_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_agency_kind'), _sql_in('kind', OLD_KINDS))
    _create_search_triggers()
