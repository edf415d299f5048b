"""A connection through the database's own driver (sqlite3, psycopg), for the commands
that answer from what the registry shares without importing SQLAlchemy, SQLModel or
the tables (targets/shared.py, rankings/shared.py): most of a command's start-up.

Such a reader only reads, and only what it can check is current; anything it cannot
open or understand makes it answer None, and the command takes the full way.

No Flask, no SQLAlchemy here.
"""

from urllib.parse import quote, urlsplit

SQLITE_WAIT_SECONDS = 10.0


def open_connection(url: str):
    """(connection, parameter mark, the driver's error class) for a database URL as the
    settings give it, or None for one this cannot open (then take the full way)."""
    parts = urlsplit(url)
    engine = parts.scheme.partition("+")[0]
    if engine == "sqlite":
        import sqlite3

        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path or path == ":memory:" or parts.query:
            return None
        try:
            # read-only: this never writes, and never creates a database that is not there
            connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=SQLITE_WAIT_SECONDS)
        except sqlite3.Error:
            return None
        return connection, "?", sqlite3.Error
    if engine in ("postgresql", "postgres"):
        try:
            import psycopg
        except ImportError:
            return None
        try:
            connection = psycopg.connect(parts._replace(scheme="postgresql").geturl(), autocommit=True)
        except psycopg.Error:
            return None
        return connection, "%s", psycopg.Error
    return None


def read_rows(url: str, *queries: tuple[str, tuple]) -> list[list[tuple]] | None:
    """Each query's rows, in order, on one connection (marks written ``{mark}``), or None
    when the database cannot be read: a schema older than this release, or busy. Read
    the tokens a value must carry first and the value after: a value stored since is
    then either under newer tokens (refused) or was current when the tokens were read."""
    opened = open_connection(url)
    if opened is None:
        return None
    connection, mark, errors = opened
    try:
        return [connection.execute(sql.format(mark=mark), parameters).fetchall() for sql, parameters in queries]
    except errors:
        return None
    finally:
        connection.close()
