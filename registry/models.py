"""The registry's tables (SPEC §2) and the fixed vocabularies they use.

No Flask here, and no ``from __future__ import annotations``: SQLModel reads
the annotations at class creation. Table models do not validate their input;
validation lives in the forms, the importer and the workflow operations, and
the database's own constraints are the last line.
"""

import enum
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, CheckConstraint, DateTime, Index, Integer, String, Text, UniqueConstraint, column,
                        event, func, literal_column, table)
from sqlmodel import Field, SQLModel

from .levels import MAX_LEVEL, MIN_LEVEL
from .search import WORD_PUNCTUATION, fold, sort_key

# Deterministic constraint names, so that migrations can name what they alter
# on every engine (SQLite batch mode needs names to drop constraints).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Sort keys compare byte by byte; PostgreSQL's locale collations would reorder them.
BINARY_SORT = String(1200).with_variant(String(1200, collation="C"), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Tier(str, enum.Enum):
    province = "province"
    district = "district"
    commune = "commune"


class Kind(str, enum.Enum):
    department = "department"
    people_committee = "people_committee"
    political_org = "political_org"
    school = "school"
    hospital = "hospital"
    health_facility = "health_facility"
    other = "other"


STATE_AGENCY_KINDS = (Kind.department, Kind.people_committee, Kind.political_org)


class Role(str, enum.Enum):
    focal = "focal"
    auditor = "auditor"
    admin = "admin"


class PeriodStatus(str, enum.Enum):
    open = "open"
    closed = "closed"


class State(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    verified = "verified"


class Unit(str, enum.Enum):
    percent = "percent"
    count = "count"


class Comparator(str, enum.Enum):
    at_least = ">="
    more_than = ">"


class Formula(str, enum.Enum):
    """The kinds of target an administrator can define without code."""

    service_level_share = "service_level_share"  # services at level ≥ k ÷ active services
    service_level_count = "service_level_count"  # count of services at level ≥ k
    agency_flag_share = "agency_flag_share"  # in-scope agencies with all flags ÷ in-scope agencies
    report_sum_ratio = "report_sum_ratio"  # Σ numerator field ÷ Σ denominator field over in-scope agencies


# The adoption report (SPEC §2), in form order. Booleans and counts are kept
# apart because targets may only combine flags, or sum counts.
REPORT_FLAGS = (
    "has_lan", "wan_connected", "broadband_internet", "official_email",
    "exchanges_online", "legal_docs_online", "specialised_database",
)
REPORT_COUNTS = (
    "staff_total", "staff_with_computer", "staff_with_email", "documents_total", "documents_online",
)
REPORT_FIELDS = (
    "has_lan", "wan_connected", "broadband_internet", "official_email",
    "staff_total", "staff_with_computer", "staff_with_email", "documents_total", "documents_online",
    "exchanges_online", "legal_docs_online", "specialised_database",
)
# part ≤ whole, for every count that is a part of another.
COUNT_BOUNDS = (
    ("staff_with_computer", "staff_total"),
    ("staff_with_email", "staff_total"),
    ("documents_online", "documents_total"),
)


def _report_constraints() -> list:
    checks = [CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"{c}_non_negative") for c in REPORT_COUNTS]
    checks += [
        CheckConstraint(f"{part} IS NULL OR {whole} IS NULL OR {part} <= {whole}", name=f"{part}_within_total")
        for part, whole in COUNT_BOUNDS
    ]
    return checks


class AdoptionReport(SQLModel):
    """The adoption report fields, shared by a submission and its verified copies.

    All are optional while a submission is a draft; submitting requires them.
    """

    has_lan: Optional[bool] = None
    wan_connected: Optional[bool] = None
    broadband_internet: Optional[bool] = None
    official_email: Optional[bool] = None
    staff_total: Optional[int] = None
    staff_with_computer: Optional[int] = None
    staff_with_email: Optional[int] = None
    documents_total: Optional[int] = None
    documents_online: Optional[int] = None
    exchanges_online: Optional[bool] = None
    legal_docs_online: Optional[bool] = None
    specialised_database: Optional[bool] = None


def name_words(key):
    """The words of a folded key as a PostgreSQL tsvector, taken as they are (no parser,
    no dictionary): the catalogue's search index on PostgreSQL (see the end of this module)."""
    words = func.string_to_array(key, literal_column("' '"))
    return func.array_to_tsvector(func.array_remove(words, literal_column("''")))


class Agency(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("tier", [t.value for t in Tier]), name="tier"),
        CheckConstraint(_in("kind", [k.value for k in Kind]), name="kind"),
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
    sector: str = Field(sa_type=String(128))
    active: bool = Field(default=True)
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


class ReportingPeriod(SQLModel, table=True):
    __tablename__ = "reporting_period"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(_in("status", [s.value for s in PeriodStatus]), name="status"),
    )

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(default=PeriodStatus.open.value, sa_type=String(16))


class Submission(AdoptionReport, table=True):
    """One agency's entries for one period, and where they are in the workflow."""

    __table_args__ = (
        UniqueConstraint("agency_id", "period_year", name="uq_submission_agency_period"),
        CheckConstraint(_in("state", [s.value for s in State]), name="state"),
        CheckConstraint("version >= 1", name="version_positive"),
        *_report_constraints(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    period_year: int = Field(foreign_key="reporting_period.year", index=True)
    state: str = Field(default=State.draft.value, sa_type=String(16), index=True)
    # Bumped by every write; a save must name the version it was read at.
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    submitted_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    # The sequence of the verified copy that counts in the "verified" basis,
    # even while this submission is reopened; None before the first verification.
    # A number, not a foreign key, to keep submission ↔ copy free of a cycle.
    verified_sequence: Optional[int] = None


class ServiceStatus(SQLModel, table=True):
    """A service's online level and evidence, as entered in a submission."""

    __tablename__ = "service_status"
    __table_args__ = (
        UniqueConstraint("submission_id", "service_id", name="uq_service_status_submission_service"),
        CheckConstraint(f"level BETWEEN {MIN_LEVEL} AND {MAX_LEVEL}", name="level_range"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    level: int = Field(default=0)
    info_url: Optional[str] = Field(default=None, sa_type=String(2048))
    form_url: Optional[str] = Field(default=None, sa_type=String(2048))
    submission_url: Optional[str] = Field(default=None, sa_type=String(2048))
    note: Optional[str] = Field(default=None, sa_type=Text)


class VerifiedCopy(AdoptionReport, table=True):
    """An immutable copy of a submission as it was verified. Never updated."""

    __tablename__ = "verified_copy"
    __table_args__ = (
        UniqueConstraint("submission_id", "sequence", name="uq_verified_copy_submission_sequence"),
        *_report_constraints(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    # 1 for the first verification of the submission, 2 after a correction, …
    sequence: int
    verified_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    verified_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")


class VerifiedServiceStatus(SQLModel, table=True):
    __tablename__ = "verified_service_status"
    __table_args__ = (
        UniqueConstraint("copy_id", "service_id", name="uq_verified_service_status_copy_service"),
        CheckConstraint(f"level BETWEEN {MIN_LEVEL} AND {MAX_LEVEL}", name="level_range"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    copy_id: int = Field(foreign_key="verified_copy.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    level: int = Field(default=0)
    info_url: Optional[str] = Field(default=None, sa_type=String(2048))
    form_url: Optional[str] = Field(default=None, sa_type=String(2048))
    submission_url: Optional[str] = Field(default=None, sa_type=String(2048))
    note: Optional[str] = Field(default=None, sa_type=Text)


class User(SQLModel, table=True):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", [r.value for r in Role]), name="role"),
        CheckConstraint("role <> 'focal' OR agency_id IS NOT NULL", name="focal_has_agency"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), unique=True)
    password_hash: str = Field(sa_type=String(255))
    role: str = Field(sa_type=String(16))
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class LoginSession(SQLModel, table=True):
    """One sign-in. The cookie carries a random token; only its hash is stored,
    so that logout, a password change or deactivation ends it server-side and
    a copied cookie stops working."""

    __tablename__ = "login_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    ended_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A personal API token, sent as ``Authorization: Bearer …``; only its hash is stored."""

    __tablename__ = "api_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(sa_type=String(100))
    token_hash: str = Field(sa_type=String(64), unique=True)
    # The first characters, so that a user can tell their tokens apart.
    prefix: str = Field(sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_used_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))


class Target(SQLModel, table=True):
    """A target of a plan (SPEC §3). Rows, so that a new plan needs no code."""

    __table_args__ = (
        CheckConstraint(_in("unit", [u.value for u in Unit]), name="unit"),
        CheckConstraint(_in("comparator", [c.value for c in Comparator]), name="comparator"),
        CheckConstraint(_in("formula", [f.value for f in Formula]), name="formula"),
        CheckConstraint("threshold >= 0", name="threshold_non_negative"),
        CheckConstraint(f"min_level IS NULL OR min_level BETWEEN {MIN_LEVEL} AND {MAX_LEVEL}", name="min_level"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True)
    title_vi: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    citation: str = Field(sa_type=Text)
    unit: str = Field(sa_type=String(16))
    comparator: str = Field(sa_type=String(2))
    threshold: int
    deadline: int
    formula: str = Field(sa_type=String(32))
    # service formulas: the level a service must reach
    min_level: Optional[int] = None
    # agency_flag_share: report flags that must all be true, comma-separated
    flags: Optional[str] = Field(default=None, sa_type=String(255))
    # report_sum_ratio: the summed count fields
    numerator_field: Optional[str] = Field(default=None, sa_type=String(64))
    denominator_field: Optional[str] = Field(default=None, sa_type=String(64))
    # agency formulas: which agencies are in scope, as "tier:kind,kind;tier:kind"
    # clauses joined by ";" ("*" for any tier or kind); see targets.parse_scope.
    scope: Optional[str] = Field(default=None, sa_type=String(255))
    position: int = Field(default=0)
    active: bool = Field(default=True)


class AuditEvent(SQLModel, table=True):
    """Who did what to which entry, and what it was before and after. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_key", "entity", "entity_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    # Kept beside the id: the record must still say who even if the account goes.
    actor: Optional[str] = Field(default=None, sa_type=String(254))
    action: str = Field(sa_type=String(64), index=True)
    entity: str = Field(sa_type=String(64))
    entity_key: Optional[str] = Field(default=None, sa_type=String(255))
    before: Optional[Any] = Field(default=None, sa_type=JSON)
    after: Optional[Any] = Field(default=None, sa_type=JSON)
    comment: Optional[str] = Field(default=None, sa_type=Text)
    source: Optional[str] = Field(default=None, sa_type=String(64))
    # The client's address, for sign-in events: failed attempts are counted per address too.
    address: Optional[str] = Field(default=None, sa_type=String(64), index=True)


# --- the target results cache (target_cache.py) --------------------------------------


class TargetGeneration(SQLModel, table=True):
    """Tokens of the figures behind target results, one per basis: the row of period 0,
    which every period's results depend on, and a row per period that has changed.
    Given new tokens in the same transaction as every change that can alter results."""

    __tablename__ = "target_generation"

    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    verified: str = Field(sa_type=String(32))
    reported: str = Field(sa_type=String(32))


class TargetCache(SQLModel, table=True):
    """The target results of a period and basis, and the tokens they were computed under."""

    __tablename__ = "target_cache"

    # No foreign key to the period: a cache row must never stand in the way of the data it copies.
    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    basis: str = Field(primary_key=True, sa_type=String(16))
    token: str = Field(sa_type=String(65))  # target_cache.stamp: two tokens
    results: Any = Field(sa_type=JSON)
    computed_at: datetime = Field(sa_type=DateTime(timezone=True))
