"""`registry synth`: a deterministic synthetic registry that the rest of the
registry reads as it reads real data (SPEC §5)."""

from datetime import timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, SQLModel

from registry.catalogue.levels import check_evidence
from registry.catalogue.services import service_page
from registry.core.db import make_engine
from registry.core.errors import Conflict, ValidationFailed
from registry.core.search import fold
from registry.core.validation import parse_url
from registry.models import (
    REPORT_FIELDS,
    Agency,
    AuditEvent,
    ReportingPeriod,
    Service,
    ServiceStatus,
    Submission,
    VerifiedCopy,
    VerifiedServiceStatus,
)
from registry.sample import shows_sample_data, synth
from registry.submissions import workflow
from registry.submissions.rules import check_report
from registry.targets.engine import compute_targets
from registry.targets.seed import ensure_targets
from registry.web.db import get_engine
from tests.factories import TEST_ACTOR

from .reference_targets import reference_targets

SMALL = dict(services=200, agencies=30, periods=3)
YEARS = [2010, 2011, 2012]
DATA_TABLES = (Agency, Service, ReportingPeriod, Submission, ServiceStatus, VerifiedCopy, VerifiedServiceStatus)


@pytest.fixture
def engine(app):
    with app.app_context():
        return get_engine()


@pytest.fixture
def small(engine, db):
    """The small registry every test below reads (seed 7)."""
    summary = synth.synthesize(engine, seed=7, **SMALL)
    db.expire_all()
    return summary


def fresh_sqlite(path):
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        ensure_targets(session)
        session.commit()
    return engine


def dump(engine) -> dict:
    """Every row of the data tables in primary-key order, timestamps as UTC instants
    (PostgreSQL returns them aware, SQLite naive), and the audit trail without its times."""
    def plain(value):
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return (value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc))
        return value

    tables = {}
    with engine.connect() as connection:
        for model in DATA_TABLES:
            table = model.__table__
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [tuple(plain(v) for v in row) for row in rows]
        events = connection.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_key,
                                           AuditEvent.after, AuditEvent.comment, AuditEvent.source)
                                    .where(AuditEvent.action == "synth.load")).all()
        tables["audit_event"] = [tuple(e) for e in events]
    return tables


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()[0]


# --- size and shape --------------------------------------------------------------------

def test_row_counts_are_the_sizes_asked_and_the_summary_tells_the_truth(db, small):
    assert count(db, Agency) == 30
    assert count(db, Service) == 200
    periods = db.exec(select(ReportingPeriod).order_by(ReportingPeriod.year)).scalars().all()
    assert [(p.year, p.status) for p in periods] == [(2010, "closed"), (2011, "closed"), (2012, "open")]
    assert small.years == tuple(YEARS)
    for model in DATA_TABLES:
        assert small.rows[model.__tablename__] == count(db, model), model.__tablename__
    text = str(small)
    assert "30 cơ quan" in text and "200 dịch vụ" in text and "2010–2012" in text


@pytest.mark.parametrize("services, agencies, periods", [(0, 1, 1), (5, 1, 1), (1, 2, 2), (50, 3, 2), (1000, 77, 4)])
def test_any_consistent_size_gives_exactly_that_size(engine, db, services, agencies, periods):
    summary = synth.synthesize(engine, services=services, agencies=agencies, periods=periods, seed=1)
    assert (count(db, Agency), count(db, Service), count(db, ReportingPeriod)) == (agencies, services, periods)
    assert summary.rows["agency"] == agencies and summary.rows["service"] == services
    codes = db.exec(select(Agency.code)).scalars().all() + db.exec(select(Service.code)).scalars().all()
    assert len(set(codes)) == len(codes)


def test_agencies_form_a_hierarchy_of_every_tier(db, small):
    agencies = {a.id: a for a in db.exec(select(Agency)).scalars()}
    tiers = {a.tier for a in agencies.values()}
    assert tiers == {"province", "district", "commune"}
    kinds = {a.kind for a in agencies.values()}
    assert {"department", "people_committee", "political_org", "school", "health_facility"} <= kinds
    rank = {"province": 0, "district": 1, "commune": 2}
    for agency in agencies.values():
        if agency.parent_id is None:
            continue
        parent = agencies[agency.parent_id]
        assert rank[parent.tier] <= rank[agency.tier], (agency.code, parent.code)
        if agency.kind == "people_committee" and agency.tier == "district":
            assert (parent.tier, parent.kind) == ("province", "people_committee")
        if agency.kind == "people_committee" and agency.tier == "commune":
            assert (parent.tier, parent.kind) == ("district", "people_committee")
    province_pc = [a for a in agencies.values() if (a.tier, a.kind) == ("province", "people_committee")]
    assert len(province_pc) == 1 and province_pc[0].parent_id is None


def test_names_are_vietnamese_with_english_beside_them_and_sectors_from_the_catalogue(db, small):
    from registry.sample.demo_data import SECTORS

    for model in (Agency, Service):
        rows = db.exec(select(model)).scalars().all()
        assert all(r.name_en for r in rows)
        with_marks = [r for r in rows if fold(r.name) != r.name.lower()]
        assert len(with_marks) > 0.8 * len(rows), model.__tablename__
    sectors = set(db.exec(select(Service.sector)).scalars())
    assert sectors <= {name for _, name, _ in SECTORS} and len(sectors) > 5


def test_a_search_word_finds_some_services_not_all_and_not_none(db, small):
    total = service_page(db, 2012).total
    assert total == db.exec(select(func.count()).select_from(Service).join(Agency).where(
        Service.active, Agency.active)).one()[0]
    for word in ("cấp", "đăng ký", "giấy", "chứng thực", "ho tich"):
        found = service_page(db, 2012, q=word).total
        assert 0 < found < total * 0.6, (word, found, total)


def test_name_keys_are_those_the_orm_events_compute(db, small):
    for model in (Agency, Service):
        stored = {r.id: (r.name_key, r.name_sort) for r in db.exec(select(model)).scalars()}
        for record in db.exec(select(model)).scalars():
            flag_modified(record, "name")  # the before_update event computes the keys again
        db.flush()
        recomputed = {r.id: (r.name_key, r.name_sort) for r in db.exec(select(model)).scalars()}
        assert recomputed == stored, model.__tablename__
        db.rollback()


# --- entries and the workflow --------------------------------------------------------------

def test_every_report_and_level_passes_the_rules_entries_must_pass(db, small):
    for model in (Submission, VerifiedCopy):
        for row in db.exec(select(model)).scalars():
            assert check_report({f: getattr(row, f) for f in REPORT_FIELDS}) == {}, (model.__tablename__, row.id)
    for model in (ServiceStatus, VerifiedServiceStatus):
        rows = db.exec(select(model)).scalars().all()
        assert rows
        for row in rows:
            assert check_evidence(row.level, workflow.status_values(row)) == {}, (model.__tablename__, row.id)
            for url in (row.info_url, row.form_url, row.submission_url):
                assert url is None or parse_url(url) == url


def test_submissions_hold_a_status_for_each_of_their_agencys_services(db, small):
    services_of = {}
    for service in db.exec(select(Service)).scalars():
        services_of.setdefault(service.agency_id, set()).add(service.id)
    for submission in db.exec(select(Submission)).scalars():
        expected = services_of.get(submission.agency_id, set())
        assert set(workflow.statuses_of(db, submission)) == expected
        copies = db.exec(select(VerifiedCopy).where(VerifiedCopy.submission_id == submission.id)).scalars().all()
        for copy in copies:
            rows = db.exec(select(VerifiedServiceStatus.service_id)
                           .where(VerifiedServiceStatus.copy_id == copy.id)).scalars().all()
            assert set(rows) == expected


def test_verified_copies_are_what_verify_would_have_left(db, small):
    for submission in db.exec(select(Submission)).scalars():
        copies = db.exec(select(VerifiedCopy).where(VerifiedCopy.submission_id == submission.id)
                         .order_by(VerifiedCopy.sequence)).scalars().all()
        assert [c.sequence for c in copies] == list(range(1, len(copies) + 1))
        assert submission.verified_sequence == (len(copies) or None)
        assert [c.verified_at for c in copies] == sorted(c.verified_at for c in copies)
        if submission.state in ("submitted", "returned", "verified"):
            assert submission.submitted_at is not None and submission.submitted_at <= submission.updated_at
        if submission.state == "verified":
            # a verified submission is exactly its last verified copy (workflow._copy_verified)
            assert not workflow._differs_from_verified(db, submission), submission.id
            assert copies[-1].verified_at == submission.updated_at
        # every write and transition bumps the version (created at 1): write, submit, verify, reopen…
        shown = workflow.display_state(submission.state, submission.verified_sequence)
        least = {"draft": 2, "submitted": 3, "returned": 4, "verified": 4, "reopened": 5}[shown]
        assert submission.version >= least + 4 * (len(copies) - 1) if copies else submission.version >= least


def test_closed_periods_are_mostly_verified_and_the_open_one_has_every_state(db, small):
    for year in YEARS[:-1]:
        states = db.exec(select(Submission.state).where(Submission.period_year == year)).scalars().all()
        assert states.count("verified") >= 0.8 * len(states)
        assert "draft" not in states
    latest = db.exec(select(Submission).where(Submission.period_year == YEARS[-1])).scalars().all()
    shown = {workflow.display_state(s.state, s.verified_sequence) for s in latest}
    assert shown == {"draft", "reopened", "submitted", "returned", "verified"}
    assert {k: v for k, v in small.latest_states.items() if k != "none"} == {
        state: sum(1 for s in latest if workflow.display_state(s.state, s.verified_sequence) == state
                   and db.get(Agency, s.agency_id).active)
        for state in ("draft", "reopened", "submitted", "returned", "verified")}
    active = db.exec(select(func.count()).select_from(Agency).where(Agency.active)).one()[0]
    assert small.latest_states["none"] == active - sum(1 for s in latest if db.get(Agency, s.agency_id).active)
    assert small.latest_states["none"] > 0


def test_levels_grow_over_the_years(db, small):
    def level_one_share(year):
        result = {r.target.code: r for r in compute_targets(db, year, "reported")}["services_level1_pct"]
        return result.numerator / result.coverage.covered

    shares = [level_one_share(year) for year in YEARS]
    assert shares[0] < shares[-1]


def test_the_target_engine_reads_every_period_as_the_reference_does(db, small):
    for year in YEARS:
        for basis in ("verified", "reported"):
            results = compute_targets(db, year, basis)
            engine_rows = [(r.target.code, r.numerator, r.denominator, r.value, r.met, r.coverage.covered,
                            r.coverage.total) for r in results]
            assert engine_rows == reference_targets(db, year, basis), (year, basis)
            services = {r.target.code: r for r in results}["services_level1_pct"]
            assert services.value is not None and 0 < services.coverage.covered <= services.coverage.total
            agencies = {r.target.code: r for r in results}["agencies_email_pct"]
            assert agencies.value is not None and agencies.coverage.covered > 0


def test_the_public_pages_show_the_synthetic_registry(client, small):
    page = client.get("/")
    assert page.status_code == 200
    catalogue_page = client.get("/services?q=cap")
    assert catalogue_page.status_code == 200
    assert "Cấp" in catalogue_page.get_data(as_text=True)


# --- determinism -------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(engine, tmp_path):
    synth.synthesize(engine, seed=11, **SMALL)
    again = fresh_sqlite(tmp_path / "again.db")
    other = fresh_sqlite(tmp_path / "other.db")
    try:
        synth.synthesize(again, seed=11, **SMALL)
        synth.synthesize(other, seed=12, **SMALL)
        first, second, third = dump(engine), dump(again), dump(other)
    finally:
        again.dispose()
        other.dispose()
    assert first == second
    for table in ("agency", "service", "submission", "service_status"):
        assert first[table] != third[table], table


# --- refusals --------------------------------------------------------------------------------

def test_refuses_a_database_that_already_holds_a_registry(engine, db, make_agency):
    make_agency(code="so-tttt")
    with pytest.raises(Conflict) as refused:
        synth.synthesize(engine, seed=1, **SMALL)
    assert "đã có dữ liệu" in str(refused.value.message)
    assert count(db, Agency) == 1 and count(db, Service) == 0 and count(db, ReportingPeriod) == 0


def test_refuses_to_run_twice(engine, db, small):
    with pytest.raises(Conflict):
        synth.synthesize(engine, seed=8, **SMALL)
    assert count(db, Agency) == 30


@pytest.mark.parametrize("sizes", [dict(services=10, agencies=0, periods=1), dict(services=-1, agencies=3, periods=1),
                                   dict(services=10, agencies=3, periods=0),
                                   dict(services=10, agencies=3, periods=synth.MAX_PERIODS + 1)])
def test_refuses_sizes_that_make_no_registry(engine, db, sizes):
    with pytest.raises(ValidationFailed):
        synth.synthesize(engine, seed=1, **sizes)
    assert count(db, Agency) == 0 and count(db, ReportingPeriod) == 0


# --- after the synthesis ---------------------------------------------------------------------

def test_the_registry_goes_on_working_after_the_bulk_insert(db, small):
    """New rows get ids after the synthetic ones (PostgreSQL's sequences were moved on)."""
    agency = Agency(code="moi", name="Cơ quan mới", tier="province", kind="department")
    db.add(agency)
    db.flush()
    assert agency.id == 31
    submission = workflow.ensure_submission(db, agency, 2012, TEST_ACTOR)
    assert submission.id == count(db, Submission)
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "synth.load")).scalars().all()
    assert len(events) == 1 and events[0].after["seed"] == 7 and events[0].after["rows"]["service"] == 200
    assert synth.is_synthetic(db)
    db.rollback()


def test_cli_synth_prints_the_summary_and_refuses_a_second_run(runner, db):
    result = runner.invoke(args=["synth", "--services", "60", "--agencies", "12", "--periods", "2", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "12 cơ quan, 60 dịch vụ, 2 kỳ báo cáo" in result.output
    assert "kỳ 2011:" in result.output  # progress lines on standard error (mixed into output here)
    assert count(db, Service) == 60
    again = runner.invoke(args=["synth", "--services", "60", "--agencies", "12", "--periods", "2"])
    assert again.exit_code != 0 and "đã có dữ liệu" in again.output


@pytest.mark.postgres
def test_postgresql_gets_the_same_rows_as_sqlite(postgres_server, tmp_path):
    url = postgres_server.create_database()
    postgres = make_engine(url)
    sqlite = fresh_sqlite(tmp_path / "same.db")
    try:
        SQLModel.metadata.create_all(postgres)
        with Session(postgres) as session:
            ensure_targets(session)
            session.commit()
        synth.synthesize(postgres, seed=3, **SMALL)
        synth.synthesize(sqlite, seed=3, **SMALL)
        assert dump(postgres) == dump(sqlite)
        with Session(postgres) as session:  # the sequences were moved past the given ids
            session.add(Agency(code="moi", name="Cơ quan mới", tier="province", kind="department"))
            session.commit()
    finally:
        postgres.dispose()
        sqlite.dispose()


def test_demo_data_is_not_mixed_into_a_synthetic_registry_and_the_banner_shows(app, db, client):
    from registry.sample import demo

    with app.app_context():
        synth.synthesize(get_engine(), services=20, agencies=5, periods=2, seed=3)
    assert shows_sample_data(db)
    with pytest.raises(Conflict):
        demo.load(db)
    assert 'class="demo-banner"' in client.get("/").get_data(as_text=True)
