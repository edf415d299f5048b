"""Generation tokens move by themselves (registry/core/generations.py): whatever writes a
table the figures are made of, and however it writes, the next reader sees the change.

Nobody calls anything: a write through the ORM, through Core or as plain SQL
replaces the tokens of what it can change when its transaction commits, and
only then.
"""

import pytest
from sqlalchemy import text, update
from sqlmodel import SQLModel, select

from registry.core import generations
from registry.core.generations import BASES, EVERY_PERIOD, UNWATCHED, WATCHED
from registry.models import Agency, Generation, ReportingPeriod
from registry.submissions import workflow
from registry.targets import cache as results_cache
from registry.web import shared
from tests.factories import TEST_ACTOR, status


def tokens(db) -> dict[int, tuple[str, str]]:
    db.rollback()  # a fresh snapshot
    return {row.period_year: (row.verified, row.reported) for row in db.exec(select(Generation))}


@pytest.fixture
def registry(db, make):
    """An agency with one service and a verified 2014 and submitted 2015 submission."""
    agency = make.agency(code="so-tttt", name="Sở Thông tin và Truyền thông")
    service = make.service(agency, code="1.000001")
    for year, state, level in ((2014, "verified", 1), (2015, "submitted", 2)):
        submission = make.submission(agency, year, "draft")
        workflow.write_entries(db, submission, TEST_ACTOR, None, {service.id: status(level, service.code)})
        workflow.submit(db, submission, TEST_ACTOR)
        if state == "verified":
            workflow.verify(db, submission, TEST_ACTOR)
        db.commit()
    shared.clear()
    results_cache.clear_memo()
    return agency, service


def test_every_table_is_watched_or_known_not_to_matter():
    """A new table must be put in one list or the other: else a write to it could leave
    public figures stale, and nothing would say so."""
    tables = set(SQLModel.metadata.tables)
    assert tables - WATCHED - UNWATCHED == set()
    assert WATCHED & UNWATCHED == set()


def test_a_plain_orm_change_shows_on_the_public_page_at_once(client, db, registry):
    """No operation knows this write: it is an attribute set on a loaded record."""
    agency, _ = registry
    first = client.get("/agencies/so-tttt")
    assert first.status_code == 200 and "Sở Thông tin và Truyền thông" in first.text
    assert client.get("/agencies/so-tttt").data == first.data  # kept for the next visitor

    db.get(Agency, agency.id).name = "Sở Khoa học, Công nghệ và Truyền thông"
    db.commit()

    again = client.get("/agencies/so-tttt")
    assert "Sở Khoa học, Công nghệ và Truyền thông" in again.text and "Sở Thông tin và Truyền thông" not in again.text


def test_plain_sql_moves_every_token(client, db, registry):
    before = tokens(db)
    client.get("/agencies/so-tttt")
    db.execute(text("UPDATE agency SET name = 'Sở Nội vụ' WHERE code = 'so-tttt'"))
    db.commit()
    after = tokens(db)
    assert after[EVERY_PERIOD] != before[EVERY_PERIOD]
    assert all(a != b for a, b in zip(after[EVERY_PERIOD], before[EVERY_PERIOD]))
    assert "Sở Nội vụ" in client.get("/agencies/so-tttt").text


def test_a_core_update_counts_like_any_other_write(db, registry):
    agency, _ = registry
    before = tokens(db)
    db.execute(update(Agency).where(Agency.id == agency.id).values(name_en="Department of Home Affairs"))
    db.commit()
    assert tokens(db)[EVERY_PERIOD] != before[EVERY_PERIOD]


def test_a_write_rolled_back_moves_nothing(db, registry):
    agency, _ = registry
    before = tokens(db)
    db.get(Agency, agency.id).name = "Không lưu"
    db.flush()
    db.execute(text("UPDATE agency SET name_en = 'not kept'"))
    db.rollback()
    assert tokens(db) == before


def test_a_verification_moves_its_own_period_only(db, make, registry):
    agency, _ = registry
    before = tokens(db)
    submission = workflow.find_submission(db, agency, 2015)
    workflow.verify(db, submission, TEST_ACTOR)
    db.commit()
    after = tokens(db)
    assert after[EVERY_PERIOD] == before[EVERY_PERIOD]
    assert after.get(2014) == before.get(2014)
    assert after[2015][0] != before[2015][0] and after[2015][1] != before[2015][1]


def test_a_draft_save_cannot_change_verified_figures(db, make, registry):
    """The public reads the verified basis: a focal point's draft must not make every
    public page render again."""
    agency, service = registry
    draft = make.submission(make.agency(), 2015, "draft")
    before = tokens(db)
    workflow.write_entries(db, draft, TEST_ACTOR, {"staff_total": 41}, None)
    db.commit()
    after = tokens(db)
    assert after[EVERY_PERIOD] == before[EVERY_PERIOD]
    assert after[2015][0] == before[2015][0]  # verified
    assert after[2015][1] != before[2015][1]  # reported


def test_a_new_period_and_a_closed_one_move_every_token(db, registry):
    before = tokens(db)
    db.get(ReportingPeriod, 2014).status = "closed"
    db.commit()
    assert tokens(db)[EVERY_PERIOD] != before[EVERY_PERIOD]


def test_what_a_writing_transaction_reads_is_not_kept_for_others(db, registry):
    agency, service = registry
    results_cache.target_results(db, 2015)  # kept under the current tokens
    submission = workflow.find_submission(db, agency, 2015)
    workflow.write_entries(db, submission, TEST_ACTOR, None, {service.id: status(3, service.code)})
    assert generations.written(db)
    inside = {r.target.code: r for r in results_cache.target_results(db, 2015, "reported")}
    assert inside["services_level3_count"].numerator == 1  # this transaction's own figures…
    db.rollback()
    outside = {r.target.code: r for r in results_cache.target_results(db, 2015, "reported")}
    assert outside["services_level3_count"].numerator == 0  # …were never kept for anyone else


def test_tokens_are_read_once_per_transaction(db, registry):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "generation" in statement:
            statements.append(statement)

    from sqlalchemy import event

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        db.rollback()
        first = generations.tokens(db, "verified")
        assert generations.tokens(db, "verified") is first
        assert len(statements) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("basis", BASES)
def test_a_stamp_names_both_tokens_it_depends_on(db, registry, basis):
    found = generations.tokens(db, basis)
    stamp = generations.stamp(found, 2015)
    assert stamp.startswith(found[EVERY_PERIOD]) and stamp.endswith(found[2015])
