"""Alembic environment: the registry's models are the target schema."""

import os
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

from registry import models
from registry.config import database_url
from registry.core import generations, schema
from registry.core.db import make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url(os.path.join(os.getcwd(), "instance"))


def _configure(**kwargs) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True,
                      include_name=models.compared_schema_name, **kwargs)


def run_offline() -> None:
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection, schema.foreign_keys_off(connection):
        _run(connection)
        schema.check_foreign_keys(connection)
        connection.commit()
    engine.dispose()


def _run(connection) -> None:
    generations.untracked(connection)  # the tables it writes may not be there yet
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
