"""Generation tokens: what every cached figure, listing total, shared page and ETag
is kept under, moved by the unit of work itself.

``generation`` holds random tokens, one per basis (``verified``, ``reported``)
in each row: the row of EVERY_PERIOD, which everything depends on, and a row
per period whose own figures have changed. A reader stamps what it computes
with the tokens it read before computing; a cached value counts while its
stamp is current. A token is never reused, so a value computed inside a
transaction that later rolled back can never pass for current.

Nobody calls anything to move them. Every statement that writes one of the
WATCHED tables is seen as it goes to the database (an engine event on the
SQL text: the ORM, Core, a bulk insert or plain SQL alike), and an ORM flush
says more precisely what it changed (a submission's period, and whether the
verified basis can change at all). When the transaction commits, the tokens of
what it touched are replaced on the same connection, just before the COMMIT:
in the same transaction as the change, so that they move if and only if the
change lands. A write the ORM did not explain (a Core or bulk statement)
replaces EVERY_PERIOD's tokens: more recomputation, never a stale figure.

A table that holds none of the figures the public or the auditors read is
listed in UNWATCHED; a test fails while a table is in neither list, so a new
table cannot be forgotten either.

No Flask here.
"""

import hashlib
import re
import secrets

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from registry.core.stamps import BASES, EVERY_PERIOD, stamp  # noqa: F401  (the caches call generations.stamp)
from registry.models import (
    Agency,
    Correction,
    Generation,
    Indicator,
    IndicatorValue,
    IndicatorVersion,
    PublishedPart,
    RankingMethod,
    ReportingPeriod,
    Service,
    ServiceStatus,
    Submission,
    Target,
    TargetVersion,
    VerifiedCopy,
    VerifiedServiceStatus,
)

# Tables the figures are made of: a committed write to one moves the tokens.
WATCHED = frozenset({
    "agency", "service", "target", "reporting_period",
    "submission", "service_status", "verified_copy", "verified_service_status",
    "indicator", "indicator_value", "ranking_method",
    "target_version", "indicator_version", "published_part", "correction",
})
# Tables no figure, listing or public page is made of.
UNWATCHED = frozenset({
    "generation", "target_cache", "ranking_cache", "audit_event", "user_account", "login_session", "api_token",
    "alembic_version",
    "outbox_message",
    "submission_change",
    "attempt_counter",
    "import_stash",
})

# conn.info keys: the watched tables written outside an ORM flush, the (basis, period)
# pairs the ORM's flushes touched, and whether a flush is running on the connection.
WRITTEN = "generations.written"
TOUCHED = "generations.touched"
FLUSHING = "generations.flushing"
# An execution option of a connection whose writes must not move tokens (the schema
# migrations, which may run before the generation table exists).
UNTRACKED = "registry_untracked"
# session.info keys: the tokens this transaction has read, by basis (read once per
# transaction: everything after the first read is stamped with what it saw), and
# whether the session only reads (see only_reads).
READ = "generations.read"
READ_ONLY = "read_only"

_DML = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def new_token() -> str:
    return secrets.token_hex(16)


# --- what a transaction touched ----------------------------------------------------------

@event.listens_for(Engine, "begin")
def _transaction_began(connection) -> None:
    for key in (WRITTEN, TOUCHED, FLUSHING):
        connection.info.pop(key, None)


@event.listens_for(Engine, "before_cursor_execute")
def _statement(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    if connection.info.get(FLUSHING):
        return  # the flush said what it changed (_flushing)
    match = _DML.match(statement)
    if match is not None and match.group(1).lower() in WATCHED:
        connection.info.setdefault(WRITTEN, set()).add(match.group(1).lower())


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_rolled_back(connection, _name, _context) -> None:
    connection.info.pop(FLUSHING, None)  # a flush that failed inside a savepoint


def _submission_period(session, submission_id) -> int | None:
    with session.no_autoflush:
        submission = session.get(Submission, submission_id) if submission_id is not None else None
    return submission.period_year if submission is not None else None


def _touched_by(session, obj) -> tuple[int | None, tuple[str, ...]]:
    """(period, bases) a changed ORM object can alter; period None: every period."""
    if isinstance(obj, Submission):
        state = inspect(obj)
        changes_verified = (state.pending or state.deleted or obj in session.deleted
                            or state.attrs.verified_sequence.history.has_changes())
        return obj.period_year, BASES if changes_verified else ("reported",)
    if isinstance(obj, ServiceStatus):
        return _submission_period(session, obj.submission_id), ("reported",)
    if isinstance(obj, VerifiedCopy):
        return _submission_period(session, obj.submission_id), BASES
    if isinstance(obj, VerifiedServiceStatus):
        with session.no_autoflush:
            copy = session.get(VerifiedCopy, obj.copy_id)
        return (_submission_period(session, copy.submission_id) if copy else None), BASES
    if isinstance(obj, IndicatorValue):
        return obj.period_year, BASES
    if isinstance(obj, (Agency, Service, Target, ReportingPeriod, Indicator, IndicatorVersion, RankingMethod,
                        TargetVersion, PublishedPart, Correction)):
        return None, BASES
    return None, ()  # not a watched table


@event.listens_for(OrmSession, "before_flush")
def _flushing(session, _context, _instances) -> None:
    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        period, bases = _touched_by(session, obj)
        for basis in bases:
            touched.add((basis, EVERY_PERIOD if period is None else period))
    connection = session.connection()
    connection.info.setdefault(TOUCHED, set()).update(touched)
    connection.info[FLUSHING] = True


@event.listens_for(OrmSession, "after_flush_postexec")
def _flushed(session, _context) -> None:
    session.connection().info.pop(FLUSHING, None)


def written(session: Session) -> bool:
    """Whether this session's transaction has changed anything the tokens guard
    (values read in such a transaction must not be kept for others)."""
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        return True
    if not session.in_transaction():
        return False
    info = session.connection().info
    return bool(info.get(WRITTEN) or info.get(TOUCHED))


# --- replacing the tokens at commit ----------------------------------------------------

@event.listens_for(Engine, "commit")
def _committing(connection) -> None:
    """Just before the COMMIT: replace the tokens of what the transaction touched."""
    info = connection.info
    touched = set(info.pop(TOUCHED, ()))
    if info.pop(WRITTEN, None):
        touched |= {(basis, EVERY_PERIOD) for basis in BASES}
    info.pop(FLUSHING, None)
    if not touched or connection.get_execution_options().get(UNTRACKED):
        return
    every = {basis for basis, period in touched if period == EVERY_PERIOD}
    scopes: dict[int, set[str]] = {}
    for basis, period in touched:
        if period == EVERY_PERIOD or basis not in every:  # EVERY_PERIOD's new token covers every period's
            scopes.setdefault(period, set()).add(basis)
    # In one order, EVERY_PERIOD first, so that two writers never wait for each other in a circle.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for period in sorted(scopes):
            _replace(cursor, connection.dialect.paramstyle, period, sorted(scopes[period]))
    finally:
        cursor.close()


def _replace(cursor, paramstyle: str, period: int, bases: list[str]) -> None:
    # On the DBAPI cursor: the connection is committing, and SQLAlchemy's own
    # execution would try to begin again. Constants and our own column names only.
    mark = "?" if paramstyle == "qmark" else "%s"
    updates = ", ".join(f"{basis} = excluded.{basis}" for basis in bases)
    cursor.execute(f"INSERT INTO generation (period_year, verified, reported) VALUES ({mark}, {mark}, {mark}) "  # nosec B608
                   f"ON CONFLICT (period_year) DO UPDATE SET {updates}", (period, new_token(), new_token()))


def untracked(connection) -> None:
    """Writes on ``connection`` move no token (the schema migrations)."""
    connection.execution_options(**{UNTRACKED: True})


# --- reading the tokens ----------------------------------------------------------------------

@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: the next transaction reads afresh
        session.info.pop(READ, None)


def only_reads(session: Session) -> Session:
    """Mark ``session`` as one that never writes (a GET request's, a report's): what it
    computes may be shared with every worker through tables of its own."""
    session.info[READ_ONLY] = True
    return session


def tokens(session: Session, basis: str) -> dict[int, str] | None:
    """The basis's tokens by period (EVERY_PERIOD's among them), or None before
    EVERY_PERIOD's row exists: one query, the first time in a transaction."""
    if basis not in BASES:
        raise ValueError(basis)
    read = session.info.setdefault(READ, {})
    if basis not in read:
        # on the session's connection without the ORM: this query is most of a cached page's work
        rows = session.connection().execute(select(Generation.period_year, getattr(Generation, basis)))
        found = dict(rows.all())
        read[basis] = found if EVERY_PERIOD in found else None
    return read[basis]


def peek(engine, basis: str) -> dict[int, str] | None:
    """The basis's tokens as ``tokens`` reads them, but on a connection of the pool outside
    any session: what a request that may be answered from a copy asks first, without the
    cost of a session's transaction. What is then computed must be stamped with ``tokens``
    read in the computing session, never with these."""
    if basis not in BASES:
        raise ValueError(basis)
    # on the pool's DBAPI connection: SQLAlchemy's transaction and result machinery would cost
    # more than the query itself, and this is all a kept page's request does
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(f"SELECT period_year, {basis} FROM generation")  # nosec B608: a column of BASES
            found = dict(cursor.fetchall())
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, which ends the read (rollback on return)
    return found if EVERY_PERIOD in found else None



def fingerprint(found: dict[int, str]) -> str:
    """One string for every token: what a page showing every period depends on."""
    return hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest()[:32]
