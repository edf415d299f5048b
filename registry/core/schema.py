"""Create or upgrade the database schema with the Alembic migrations in migrations/."""

import logging

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from registry.core.paths import resource

MIGRATIONS_DIR = resource("migrations")


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


# A data migration names what an administrator must check after it (what it could not decide
# from the data) as warnings of this logger's children, "registry.migrations.<revision>".
MIGRATION_NOTES = "registry.migrations"


class _Notes(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.notes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        revision = record.name[len(MIGRATION_NOTES) + 1:]
        self.notes.append(f"{revision}: {record.getMessage()}" if revision else record.getMessage())


def upgrade(engine: Engine, revision: str = "head") -> list[str]:
    """Migrate to ``revision``; returns the migrations' notes for the administrator, as they wrote
    them (Alembic's own logger would swallow them), each after its revision."""
    logger, notes = logging.getLogger(MIGRATION_NOTES), _Notes()
    logger.addHandler(notes)
    try:
        with engine.connect() as connection:
            with foreign_keys_off(connection):
                with connection.begin():
                    command.upgrade(alembic_config(connection), revision)
                    check_foreign_keys(connection)
    finally:
        logger.removeHandler(notes)
    return notes.notes


class foreign_keys_off:
    """On SQLite, foreign keys off while migrating: a batch migration that rebuilds a
    table others refer to ("move and copy": create, copy, drop, rename) would
    otherwise fail on the drop. SQLite only changes the setting outside a
    transaction, so it is set on the driver's connection before the migration's
    transaction begins (SQLite's own procedure for ALTER TABLE, step 1), checked
    before the commit (check_foreign_keys), and set back after."""

    def __init__(self, connection):
        self.dbapi = connection.connection.dbapi_connection if connection.dialect.name == "sqlite" else None

    def __enter__(self):
        if self.dbapi is not None:
            self.dbapi.execute("PRAGMA foreign_keys = OFF")

    def __exit__(self, *_exc):
        if self.dbapi is not None:
            self.dbapi.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(connection) -> None:
    """Refuse (roll back) a migration that left a reference dangling, on SQLite."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} broken references, e.g. {tuple(broken[0])}")


def heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
