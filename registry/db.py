"""The database engine, the per-request session and engine-specific settings.

One engine per app; one session per request or CLI command, created on first
use and closed at teardown. Operations flush; the boundary (view, API call,
CLI command) commits once.

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

from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import models  # noqa: F401  (registers the tables on the metadata)

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
# Requests with these methods only read (HTTP's safe methods); every other
# request, and every CLI command, may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["registry.engine"] = engine
    app.extensions["registry.writer_engine"] = writer(engine)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["registry.engine"]


def may_write() -> bool:
    """Whether this request or command may write: everything but a safe-method request."""
    return not (has_request_context() and request.method in READ_METHODS)


def get_session(read_only: bool = False) -> Session:
    """This request's or command's session: a writer unless the request only reads.

    A command that only reads (a report, an export) passes ``read_only`` on its first
    call, so that it never holds the write lock while it reads a large database.
    """
    if "db_session" not in g:
        writes = may_write() and not read_only
        bind = current_app.extensions["registry.writer_engine"] if writes else get_engine()
        g.db_session = Session(bind, expire_on_commit=False)
    return g.db_session


def begin_write(session: Session) -> None:
    """End ``session``'s current transaction and start one that may write.

    For the few writes a reading request makes (sign-in bookkeeping, a refusal
    in the audit log): on SQLite the new transaction is a writer, so it waits
    for the write lock instead of failing on a read snapshot. The caller must
    have nothing pending: the current transaction is committed as it is.
    """
    session.commit()
    session.connection(execution_options=WRITER)


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed


@contextmanager
def session_scope(engine: Engine):
    """A writer session that commits on success, for scripts outside a request."""
    with Session(writer(engine), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
