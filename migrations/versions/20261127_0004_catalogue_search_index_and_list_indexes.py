"""catalogue search index and the indexes of the catalogue's lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:30:00.000000

* Each list of the catalogue (all services, an agency's, a sector's; agencies
  by tier) is read in order from an index ending with (name_sort, code), from
  the cursor on: the single-column indexes they replace left a sort of every
  matching row to each page.
* The search index (see registry/models.py, "the catalogue's search index"):
  on SQLite an FTS5 table of the searchable services' keys kept by triggers,
  filled here from the existing rows; on PostgreSQL a GIN index of the words
  of name_key (registry.models.name_words) and statistics on ' ' || name_key,
  gathered at once (ANALYZE) for the planner to use them.

The SQL is frozen here as it was when this revision was written; a test checks
that a migrated database and one created from the models have the same search
objects. A later revision that rebuilds the service or agency table on SQLite
(batch "move and copy") drops the triggers with the table and must create
them again.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SQLITE_SEARCH_INDEX = (
    """CREATE VIRTUAL TABLE service_search USING fts5(name_key, tokenize = 'ascii tokenchars ''!"#$%&''''()*+,-./:;<=>?@[\\]^_`{|}~''', prefix = '1 2 3 4', detail = none, columnsize = 0)""",
    "CREATE TRIGGER service_search_service_insert AFTER INSERT ON service WHEN NEW.active AND (SELECT active FROM agency WHERE id = NEW.agency_id) BEGIN INSERT INTO service_search (rowid, name_key) VALUES (NEW.id, NEW.name_key); END",
    "CREATE TRIGGER service_search_service_update AFTER UPDATE OF id, name_key, active, agency_id ON service BEGIN DELETE FROM service_search WHERE rowid = OLD.id; INSERT INTO service_search (rowid, name_key) SELECT NEW.id, NEW.name_key WHERE NEW.active AND (SELECT active FROM agency WHERE id = NEW.agency_id); END",
    "CREATE TRIGGER service_search_service_delete AFTER DELETE ON service BEGIN DELETE FROM service_search WHERE rowid = OLD.id; END",
    "CREATE TRIGGER service_search_agency_update AFTER UPDATE OF id, active ON agency WHEN OLD.active IS NOT NEW.active OR OLD.id IS NOT NEW.id BEGIN DELETE FROM service_search WHERE rowid IN (SELECT id FROM service WHERE agency_id IN (OLD.id, NEW.id)); INSERT INTO service_search (rowid, name_key) SELECT id, name_key FROM service WHERE agency_id = NEW.id AND active AND NEW.active; END",
)
SQLITE_SEARCH_FILL = (
    "INSERT INTO service_search (rowid, name_key) SELECT service.id, service.name_key FROM service "
    "JOIN agency ON agency.id = service.agency_id WHERE service.active AND agency.active",
    "INSERT INTO service_search (service_search) VALUES ('optimize')",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS service_search_agency_update",
    "DROP TABLE IF EXISTS service_search",  # and the triggers on service with it
)
POSTGRES_SEARCH_INDEX = (
    "CREATE INDEX ix_service_name_words ON service USING gin "
    "(array_to_tsvector(array_remove(string_to_array(name_key, ' '), '')))",
    "CREATE STATISTICS st_service_name_words ON ((' ' || name_key)) FROM service",
    "ANALYZE service",
)

# (table, index replaced, new index, its columns)
LIST_INDEXES = (
    ("service", "ix_service_name_sort", "ix_service_name_sort_code", ["name_sort", "code"]),
    ("service", "ix_service_agency_id", "ix_service_agency_id_name_sort", ["agency_id", "name_sort", "code"]),
    ("service", "ix_service_sector", "ix_service_sector_name_sort", ["sector", "name_sort", "code"]),
    ("agency", "ix_agency_name_sort", "ix_agency_name_sort_code", ["name_sort", "code"]),
    ("agency", "ix_agency_tier", "ix_agency_tier_name_sort", ["tier", "name_sort", "code"]),
)


def upgrade() -> None:
    for table, old, new, columns in LIST_INDEXES:
        op.create_index(new, table, columns, unique=False)
        op.drop_index(old, table_name=table)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_INDEX + SQLITE_SEARCH_FILL:
            op.execute(statement)
        # a database analysed before (registry synth does) gets statistics for the new indexes too
        if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            op.execute("ANALYZE service")
            op.execute("ANALYZE agency")
    elif bind.dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH_INDEX:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_service_name_words")
        op.execute("DROP INDEX IF EXISTS ix_service_name_words")
    for table, old, new, columns in reversed(LIST_INDEXES):
        op.create_index(old, table, columns[:1], unique=False)
        op.drop_index(new, table_name=table)
