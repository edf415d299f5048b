"""Agencies and their services (SPEC §2), with the keys search and sorting read, and
the catalogue's search index that each engine keeps for itself."""

from typing import Optional

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, column, event, func, literal_column, table
from sqlmodel import Field, SQLModel

from registry.core.search import WORD_PUNCTUATION, fold, sort_key
from registry.core.vocabulary import Kind, Tier
from registry.models.base import BINARY_SORT, sql_in


def name_words(key):
    """The words of a folded key as a PostgreSQL tsvector, taken as they are (no parser,
    no dictionary): the catalogue's search index on PostgreSQL (see the end of this module)."""
    words = func.string_to_array(key, literal_column("' '"))
    return func.array_to_tsvector(func.array_remove(words, literal_column("''")))


class Agency(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(sql_in("tier", [t.value for t in Tier]), name="tier"),
        CheckConstraint(sql_in("kind", [k.value for k in Kind]), name="kind"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # Vietnamese order, and within each tier (the agency list): see Service.
        Index("ix_agency_name_sort_code", "name_sort", "code"),
        Index("ix_agency_tier_name_sort", "tier", "name_sort", "code"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True)
    name: str = Field(sa_type=String(255))
    name_en: Optional[str] = Field(default=None, sa_type=String(255))
    tier: str = Field(sa_type=String(16))
    kind: str = Field(sa_type=String(32), index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    active: bool = Field(default=True)
    # The first and last reporting period in which the agency exists (SPEC §2, rule 2);
    # None: no bound. ``active`` is kept as "valid in the open period".
    valid_from: Optional[int] = None
    valid_to: Optional[int] = None
    # Kept by _set_name_keys on every write: see search.py.
    name_key: str = Field(default="", sa_type=Text)
    name_sort: str = Field(default="", sa_type=BINARY_SORT)


class Service(SQLModel, table=True):
    # Lists are in Vietnamese order, ties broken by code, and paged by that key:
    # each filter's index ends with (name_sort, code), so that a page is read in
    # order from the index, from the cursor on (catalogue.py).
    __table_args__ = (
        Index("ix_service_name_sort_code", "name_sort", "code"),
        Index("ix_service_agency_id_name_sort", "agency_id", "name_sort", "code"),
        Index("ix_service_sector_name_sort", "sector", "name_sort", "code"),
        # the search on PostgreSQL (see the end of this module)
        Index("ix_service_name_words", name_words(literal_column("name_key")), postgresql_using="gin")
        .ddl_if(dialect="postgresql"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True)
    name: str = Field(sa_type=String(500))
    name_en: Optional[str] = Field(default=None, sa_type=String(500))
    agency_id: int = Field(foreign_key="agency.id")
    # The national procedure (thủ tục hành chính) this service is an offering of
    # (SPEC §2): the same code for every agency that carries it out. Service
    # targets count procedures; a service written without one is its own
    # procedure (_set_procedure_code).
    procedure_code: str = Field(default="", sa_type=String(64), index=True)
    sector: str = Field(sa_type=String(128))
    active: bool = Field(default=True)
    valid_from: Optional[int] = None  # as Agency's
    valid_to: Optional[int] = None
    name_key: str = Field(default="", sa_type=Text)
    name_sort: str = Field(default="", sa_type=BINARY_SORT)


def name_keys(code: str, name: str, name_en: str | None) -> tuple[str, str]:
    """(name_key, name_sort): the search key (code and names, folded) and the Vietnamese
    sort key of the name, as stored with every agency and service."""
    return fold(" ".join(filter(None, (code, name, name_en)))), sort_key(name)


def _set_name_keys(_mapper, _connection, record) -> None:
    record.name_key, record.name_sort = name_keys(record.code, record.name, record.name_en)


for _model in (Agency, Service):
    event.listen(_model, "before_insert", _set_name_keys)
    event.listen(_model, "before_update", _set_name_keys)


def _set_procedure_code(_mapper, _connection, record) -> None:
    if not (record.procedure_code or "").strip():
        record.procedure_code = record.code


event.listen(Service, "before_insert", _set_procedure_code)
event.listen(Service, "before_update", _set_procedure_code)


# --- the catalogue's search index ------------------------------------------------------
#
# What a search matches is said in search.py: every word of the query begins a
# word of the folded key, words being what spaces delimit. Each engine answers
# that from an index of those words, kept by the database itself, so that every
# writer (the ORM, the importer, a Core bulk insert such as registry synth)
# keeps it right:
#
# * SQLite: an FTS5 table of the keys of the *searchable* services (active, of
#   an active agency), kept by triggers. Its "ascii" tokenizer takes punctuation
#   as part of a word, so its words are exactly the space-separated words of the
#   key; prefix indexes of 1 to 4 characters answer the short words of
#   Vietnamese at once. A search is counted in the index alone, without reading
#   a service row, and the catalogue's size is its number of rows.
# * PostgreSQL: a GIN index of name_words(name_key), the key's words as a
#   tsvector taken as they are (no text-search parser, which would split
#   "1.001" or "p_3" differently from SQLite), searched with prefix queries
#   ('dang':* & 'ky':*). Not pg_trgm: a trigram index cannot find a word of
#   one or two letters ("ky", "y") by itself, and it rechecks every candidate
#   row; a word index needs no extension and no recheck. Statistics on
#   ' ' || name_key let the planner see how many services the same test as a
#   LIKE (search.word_prefix_pattern) finds, for a search that finds so many
#   that its page is read in catalogue order (catalogue.py).
#
# Migration 0004 creates the same objects on an existing database.

SERVICE_SEARCH = "service_search"
# The tables SQLite keeps for the FTS5 index: not models, so schema comparisons leave them out.
SERVICE_SEARCH_TABLES = frozenset({SERVICE_SEARCH} | {f"{SERVICE_SEARCH}_{part}" for part in
                                                      ("data", "idx", "content", "config")})
_FTS5_TOKENIZER = "ascii tokenchars '%s'" % WORD_PUNCTUATION.replace("'", "''")
# A service is searchable while it and its agency are active.
_SEARCHABLE = "NEW.active AND (SELECT active FROM agency WHERE id = NEW.agency_id)"
SQLITE_SEARCH_INDEX = (
    f"CREATE VIRTUAL TABLE {SERVICE_SEARCH} USING fts5(name_key, tokenize = '%s', prefix = '1 2 3 4', "
    "detail = none, columnsize = 0)" % _FTS5_TOKENIZER.replace("'", "''"),
    # nosec: SQL assembled from constants of this module, never from input
    f"CREATE TRIGGER {SERVICE_SEARCH}_service_insert "  # nosec B608
    f"AFTER INSERT ON service WHEN {_SEARCHABLE} BEGIN "
    f"INSERT INTO {SERVICE_SEARCH} (rowid, name_key) VALUES (NEW.id, NEW.name_key); END",
    f"CREATE TRIGGER {SERVICE_SEARCH}_service_update "  # nosec B608
    "AFTER UPDATE OF id, name_key, active, agency_id ON service "
    f"BEGIN DELETE FROM {SERVICE_SEARCH} WHERE rowid = OLD.id; "
    f"INSERT INTO {SERVICE_SEARCH} (rowid, name_key) SELECT NEW.id, NEW.name_key WHERE {_SEARCHABLE}; END",
    f"CREATE TRIGGER {SERVICE_SEARCH}_service_delete "  # nosec B608
    "AFTER DELETE ON service BEGIN "
    f"DELETE FROM {SERVICE_SEARCH} WHERE rowid = OLD.id; END",
    f"CREATE TRIGGER {SERVICE_SEARCH}_agency_update "  # nosec B608
    "AFTER UPDATE OF id, active ON agency "
    "WHEN OLD.active IS NOT NEW.active OR OLD.id IS NOT NEW.id BEGIN "
    f"DELETE FROM {SERVICE_SEARCH} WHERE rowid IN (SELECT id FROM service WHERE agency_id IN (OLD.id, NEW.id)); "
    f"INSERT INTO {SERVICE_SEARCH} (rowid, name_key) SELECT id, name_key FROM service "
    "WHERE agency_id = NEW.id AND active AND NEW.active; END",
)
SERVICE_SEARCH_TRIGGERS = tuple(f"{SERVICE_SEARCH}_{event}" for event in
                                ("service_insert", "service_update", "service_delete", "agency_update"))


def compared_schema_name(name, type_, _parent_names) -> bool:
    """Alembic's ``include_name`` for comparing the database with the models: the
    tables SQLite keeps for the search index are not models, and are left out."""
    return not (type_ == "table" and name in SERVICE_SEARCH_TABLES)


POSTGRES_SEARCH_STATISTICS = "CREATE STATISTICS st_service_name_words ON ((' ' || name_key)) FROM service"
# For queries: the FTS5 table (its rowid is the service's id) and the table of its rows.
service_search = table(SERVICE_SEARCH, column("rowid", Integer))
service_search_rows = table(f"{SERVICE_SEARCH}_content")


@event.listens_for(Service.__table__, "after_create")
def _create_search_index(_table, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_INDEX:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(POSTGRES_SEARCH_STATISTICS)


@event.listens_for(Service.__table__, "before_drop")
def _drop_search_index(_table, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {SERVICE_SEARCH_TRIGGERS[-1]}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SERVICE_SEARCH}")
