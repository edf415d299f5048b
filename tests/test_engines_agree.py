"""SQLite and PostgreSQL give the same numbers for the demo data (SPEC §3 rule 9)."""

import pytest
from sqlmodel import Session, SQLModel

from registry.core.db import make_engine
from registry.sample import demo
from registry.targets.basis import BASES
from registry.targets.engine import compute_targets
from registry.targets.seed import ensure_targets
from registry.targets.trend import periods


def figures(url: str) -> dict:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        ensure_targets(session)
        demo.load(session)
        session.commit()
        out = {(year, basis, r.target.code): (r.numerator, r.denominator, r.value, r.met, r.coverage)
               for year in periods(session) for basis in BASES
               for r in compute_targets(session, year, basis)}
    engine.dispose()
    return out


@pytest.mark.postgres
def test_demo_figures_are_the_same_on_both_engines(tmp_path, postgres_server):
    on_sqlite = figures(f"sqlite:///{tmp_path / 'demo.db'}")
    on_postgres = figures(postgres_server.create_database())
    assert len(on_sqlite) == 6 * 2 * 16  # six periods, two bases, the 16 targets of SPEC v2
    assert on_sqlite == on_postgres
