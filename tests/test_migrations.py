"""The migrations build exactly the schema the models describe, on every engine."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from registry.core import generations, schema
from registry.core.db import make_engine
from registry.models import compared_schema_name


def _drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": compared_schema_name})
        return compare_metadata(context, SQLModel.metadata)


def _check_upgrade_matches_models(url: str) -> None:
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
        assert _drift(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        schema.upgrade(engine)  # upgrading an up-to-date database changes nothing
        assert _drift(engine) == []
    finally:
        engine.dispose()


def test_one_head():
    assert len(schema.heads()) == 1


def test_sqlite_upgrade_matches_models(tmp_path):
    _check_upgrade_matches_models(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_postgres_upgrade_matches_models(postgres_server):
    _check_upgrade_matches_models(postgres_server.create_database())


def test_drift_is_detected(tmp_path):
    """The comparison above can fail: a schema missing a column is reported."""
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_audit_event_action")
    assert any(d[0] == "add_index" for d in _drift(engine))
    engine.dispose()


def test_search_keys_are_filled_for_existing_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    schema.upgrade(engine, "0001")
    with engine.begin() as conn:
        generations.untracked(conn)  # a row an older registry wrote, before the generation table existed
        conn.exec_driver_sql("INSERT INTO agency (code, name, tier, kind, active) "
                             "VALUES ('so-tp', 'Sở Tư pháp', 'province', 'department', 1)")
    schema.upgrade(engine)
    with engine.connect() as conn:
        key, sort = conn.exec_driver_sql("SELECT name_key, name_sort FROM agency").one()
    assert key == "so-tp so tu phap" and sort
    engine.dispose()
