"""The database engine and sessions, and engine-specific settings (no Flask here).

One session per request or command; operations flush, and the boundary (the
request, the command) commits once.

On SQLite a session is either a *reader* or a *writer*. A writer's
transactions start with ``BEGIN IMMEDIATE``: SQLite takes the single write
lock at the start and, if another worker holds it, waits up to the busy
timeout. A plain (deferred) ``BEGIN`` takes the write lock only at the first
write; a transaction that has already read cannot wait for it then (SQLite
does not call the busy handler to upgrade a read lock, and in WAL mode a
snapshot that another connection has committed past can never be upgraded),
so it fails at once with "database is locked". Readers keep the deferred
``BEGIN``: in WAL mode they never block, nor wait for, anyone. PostgreSQL
locks rows, not the database, and is left as it is.
"""

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from registry import models  # noqa: F401  (registers the tables on the metadata)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# How long sharing a computed value may wait for SQLite's write lock; past it the value is
# simply not shared (the next reader stores it). Never the full busy timeout: the caller's
# own session may be the one holding the lock.
SHARE_WAIT_MS = 200
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
# The execution option that makes a connection's transactions writers.
WRITER = {"registry_writer": True}


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), whose transactions start as writers."""
    return engine.execution_options(**WRITER)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling does not begin a transaction before
    # SELECT and breaks SAVEPOINT; SQLAlchemy's documented recipe hands
    # BEGIN to us instead (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # the default 2 MB page cache is small for a national registry's few hundred MB:
            # mapping the file lets every worker share the operating system's cache
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # See the module docstring: a writer waits for the write lock up front.
        if connection.get_execution_options().get("registry_writer"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def open_session(engine: Engine, writes: bool = True) -> Session:
    """A session for one request or command: a writer unless it only reads."""
    return Session(writer(engine) if writes else engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """End ``session``'s current transaction and start one that may write.

    For the few writes a reading request makes (sign-in bookkeeping, a refusal
    in the audit log): on SQLite the new transaction is a writer, so it waits
    for the write lock instead of failing on a read snapshot. The caller must
    have nothing pending: the current transaction is committed as it is.
    """
    session.commit()
    session.connection(execution_options=WRITER)


# --- values computed by a reader and kept for every process (caches) ---------------------------

def share_rows(session: Session, table, keys: list, rows: list[dict]) -> None:
    """Insert ``rows`` into ``table``, replacing those with the same ``keys``, on a connection
    of their own: the caller's session only reads. Sharing is an optimisation; if the
    database is busy (or lacks the table), nothing is stored and the next reader stores it."""
    if not rows:
        return
    insert = _dialect_insert(session)(table)
    replaced = [c.name for c in table.__table__.columns if c.name not in {k.key for k in keys}]
    statement = insert.on_conflict_do_update(index_elements=keys,
                                             set_={name: insert.excluded[name] for name in replaced})
    try:
        with session.get_bind().connect() as connection:
            with _short_lock_wait(connection):
                connection.execute(statement, rows)
                connection.commit()
    except DBAPIError:
        pass


def _dialect_insert(session: Session):
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert
    raise NotImplementedError(name)  # the registry runs on SQLite and PostgreSQL


class _short_lock_wait:
    """On SQLite, wait at most SHARE_WAIT_MS for the write lock on this connection."""

    def __init__(self, connection):
        self.dbapi = connection.connection.dbapi_connection if connection.dialect.name == "sqlite" else None
        self.previous = None

    def __enter__(self):
        if self.dbapi is not None:
            self.previous = self.dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
            self.dbapi.execute(f"PRAGMA busy_timeout = {SHARE_WAIT_MS}")

    def __exit__(self, *_exc):
        if self.dbapi is not None:
            self.dbapi.execute(f"PRAGMA busy_timeout = {int(self.previous)}")
