"""The database of the application: one engine, and one session per request.

The session is created on first use and closed at teardown; a request that
only reads (GET, HEAD, OPTIONS) gets a reader, every other a writer (see
registry/core/db.py for why that matters on SQLite).
"""

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from registry.core.db import make_engine, open_session, writer

# Requests with these methods only read (HTTP's safe methods); every other
# request, and every CLI command, may write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["registry.engine"] = engine
    app.extensions["registry.writer_engine"] = writer(engine)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["registry.engine"]


def may_write() -> bool:
    """Whether this request may write: everything but a safe-method request."""
    return not (has_request_context() and request.method in READ_METHODS)


def get_session(read_only: bool = False) -> Session:
    """This request's session: a writer unless the request only reads."""
    if "db_session" not in g:
        g.db_session = open_session(get_engine(), writes=may_write() and not read_only)
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed
