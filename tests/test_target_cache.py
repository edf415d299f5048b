"""Cached target results (registry/targets/cache.py): never stale, cheap to read.

Every committed change that can alter a result replaces the generation tokens
in its own transaction (registry/core/generations.py); these tests make each
kind of change and look at what the pages, the API and the cache say right
after, including through a second app instance on the same database (another
worker) and after this process forgets its copies (a fresh worker reading the
shared table).
"""

import re

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select

from registry import create_app
from registry.accounts.tokens import create_api_token
from registry.catalogue import records
from registry.core import generations
from registry.dataio.importing import import_file
from registry.models import Agency, Service, Target, TargetCache
from registry.submissions import periods, workflow
from registry.targets import cache as target_cache
from registry.targets import definitions
from registry.targets.engine import compute_targets
from registry.targets.seed import ensure_targets
from registry.web.db import get_engine
from tests.factories import PASSWORD, TEST_ACTOR, Factory, status

YEAR = 2015


# --- helpers ----------------------------------------------------------------------------

def file_report(make: Factory, agency, at_level_1, year=YEAR, verify=True):
    """``agency``'s submission for ``year`` with the services ``at_level_1`` at level 1,
    submitted (and verified); a verified one is reopened and corrected first."""
    state = "verified" if verify else "submitted"
    levels = {s.id: 1 for s in at_level_1}
    submission = workflow.find_submission(make.session, agency, year)
    if submission is not None and submission.state == "verified":
        return make.revise(submission, state, levels=levels, reason="sửa số liệu")
    return make.submission(agency, year, state, levels=levels)


@pytest.fixture
def world(make):
    """One department with four services, one of them at level 1, verified for 2015."""
    agency = make.agency(code="so-tttt", tier="province", kind="department")
    services = [make.service(agency, code=f"1.00{n}") for n in range(4)]
    submission = file_report(make, agency, [services[0]])
    return {"agency": agency, "services": services, "submission": submission}


def level1(body_or_results) -> int:
    """services_level1_pct's numerator, from an API body or a list of results."""
    if isinstance(body_or_results, dict):
        return next(t["numerator"] for t in body_or_results["targets"] if t["code"] == "services_level1_pct")
    return next(r.numerator for r in body_or_results if r.target.code == "services_level1_pct")


def home_value(client, code="services_level1_pct", query="") -> str:
    """The big figure of a target's card on the home page."""
    page = client.get("/" + query).get_data(as_text=True)
    card = page[page.index(f'id="target-{code}"'):]
    # Vietnamese writes "50,0 %"; compared here in the English style the expectations use.
    # A figure of a period still open carries a "tạm tính" (provisional) tag after it.
    shown = re.search(r'<dd class="big">([^<]*?)\s*(?:<span class="provisional-tag">[^<]*</span>)?</dd>', card).group(1)
    return shown.replace(".", "").replace(",", ".").replace("\u00a0%", "%")


def api_level1(client) -> int:
    return level1(client.get(f"/api/v1/targets?period={YEAR}").get_json())


class Statements:
    """The SQL statements an engine runs (BEGIN, PRAGMA and the like left out): through
    SQLAlchemy, and the generation tokens' peek, which runs on the pool's DBAPI connection."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []
        self.peek = generations.peek

    def _record(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"):
            self.seen.append(statement)

    def _peek(self, engine, basis):
        if engine.url == self.engine.url:
            self.seen.append(f"SELECT period_year, {basis} FROM generation  -- peek")
        return self.peek(engine, basis)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        generations.peek = self._peek
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._record)
        generations.peek = self.peek

    @property
    def count(self) -> int:
        return len(self.seen)


def engine_of(app):
    with app.app_context():
        return get_engine()


@pytest.fixture
def other_worker(app):
    """A second app instance on the same database: another gunicorn worker."""
    second = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
                         "WTF_CSRF_ENABLED": False})
    yield second
    engine_of(second).dispose()


# --- never stale ------------------------------------------------------------------------

def test_a_verification_shows_at_once_on_the_home_page_and_the_api_of_every_worker(
        app, client, db, make, world, other_worker, make_user):
    second = other_worker.test_client()
    for c in (client, second):  # both workers have the results cached
        assert home_value(c) == "25.0%" and api_level1(c) == 1

    services = world["services"]
    submission = file_report(make, world["agency"], [services[0], services[1]], verify=False)
    auditor = make_user("auditor")
    _token, secret = create_api_token(db, TEST_ACTOR, auditor, "test")
    db.commit()
    response = client.post(f"/api/v1/agencies/so-tttt/submissions/{YEAR}/verify",
                           headers={"Authorization": f"Bearer {secret}"}, json={"version": submission.version})
    assert response.status_code == 200, response.get_json()

    for c in (second, client):
        assert home_value(c) == "50.0%" and api_level1(c) == 2
    target_cache.clear_memo()  # a worker started after the change reads the same
    assert home_value(second) == "50.0%"


@pytest.mark.parametrize("change", ["reopen_and_correct", "import_levels_as_verified", "import_services"])
def test_reopening_and_importing_show_at_once(client, db, make, world, change):
    assert home_value(client) == "25.0%"
    services = world["services"]
    if change == "reopen_and_correct":
        file_report(make, world["agency"], [services[0], services[1]])
        expected = "50.0%"
    elif change == "import_levels_as_verified":
        rows = "".join(f"{s.code},{YEAR},1,https://dvc.example.vn/{s.code}\n" for s in services)
        result = import_file(db, TEST_ACTOR, "levels", "levels.csv",
                             f"service_code,period,level,info_url\n{rows}".encode(), as_verified=True)
        assert result.ok, result.errors
        db.commit()
        expected = "100.0%"
    else:  # a new active service of the agency: one more in the denominator
        result = import_file(db, TEST_ACTOR, "services", "services.csv",
                             "code,name,agency_code,sector\n1.009,Thủ tục mới,so-tttt,Hộ tịch\n".encode())
        assert result.ok, result.errors
        db.commit()
        expected = "20.0%"
    assert home_value(client) == expected


@pytest.mark.parametrize("change, code, expected", [
    ("deactivate_service", "services_level1_pct", "33.3%"),  # 1 of the 3 still active
    ("deactivate_agency", "services_level1_pct", "—"),  # no active service left
    ("new_agency", "agencies_network_pct", "50.0%"),  # 1 of 2 state agencies networked
    ("new_service", "services_level1_pct", "20.0%"),
    ("target_definition", "services_level3_count", "1"),  # counted from level 1 now: the one service at level 1
])
def test_an_administrators_change_shows_at_once(client, db, world, change, code, expected):
    before = home_value(client, code)
    services = world["services"]
    if change == "deactivate_service":
        records.update_service(db, TEST_ACTOR, services[3], {"active": False})
    elif change == "deactivate_agency":
        records.update_agency(db, TEST_ACTOR, world["agency"], {"active": False})
    elif change == "new_agency":
        records.create_agency(db, TEST_ACTOR, {"code": "so-noi-vu", "name": "Sở Nội vụ", "tier": "province",
                                                "kind": "department"})
    elif change == "new_service":
        records.create_service(db, TEST_ACTOR, {"code": "1.009", "name": "Thủ tục mới", "agency_code": "so-tttt",
                                                 "sector": "Hộ tịch"})
    else:
        target = db.exec(select(Target).where(Target.code == code)).one()
        definitions.update_target(db, TEST_ACTOR, target, {"title_vi": "Chỉ tiêu đổi tên", "min_level": 1})
    db.commit()
    after = home_value(client, code)
    assert after == expected and after != before
    if change == "target_definition":
        assert "Chỉ tiêu đổi tên" in client.get("/").get_data(as_text=True)


def test_a_new_period_shows_at_once(client, db, world):
    assert '<option value="2016"' not in client.get("/").get_data(as_text=True)
    periods.create_period(db, TEST_ACTOR, 2016)
    db.commit()
    assert '<option value="2016"' in client.get("/").get_data(as_text=True)


def test_the_reported_basis_follows_submit_and_return(db, make, world):
    services = world["services"]
    assert level1(target_cache.target_results(db, YEAR, "reported")) == 1
    submission = file_report(make, world["agency"], services, verify=False)
    assert level1(target_cache.target_results(db, YEAR, "reported")) == 4  # submitted entries count as reported
    assert level1(target_cache.target_results(db, YEAR, "verified")) == 1
    workflow.return_(db, submission, TEST_ACTOR, "thiếu minh chứng")
    db.commit()
    assert level1(target_cache.target_results(db, YEAR, "reported")) == 1  # back to the last verified copy


def test_what_a_writing_transaction_computes_is_not_kept(db, world, make):
    """The tokens move when a write commits; what a transaction reads after it has
    written is never kept, since it is not what the others see under the old tokens
    nor all of what they will see under the new ones."""
    other = make.agency(code="so-y-te")
    extra = make.service(other, code="2.001")
    services = world["services"]
    first = file_report(make, world["agency"], [services[0], services[1]], verify=False)
    second = file_report(make, other, [extra], verify=False)
    workflow.verify(db, first, TEST_ACTOR)
    assert level1(target_cache.target_results(db, YEAR)) == 2  # read inside the transaction
    workflow.verify(db, second, TEST_ACTOR)  # the same transaction
    db.commit()
    assert level1(target_cache.target_results(db, YEAR)) == 3 == level1(compute_targets(db, YEAR))


def test_a_rolled_back_change_leaves_the_committed_figures(db, world):
    services = world["services"]
    submission = workflow.find_submission(db, world["agency"], YEAR)
    workflow.reopen(db, submission, TEST_ACTOR, "sửa")
    workflow.write_entries(db, submission, TEST_ACTOR, None, {s.id: status(1, s.code) for s in services})
    workflow.submit(db, submission, TEST_ACTOR)
    workflow.verify(db, submission, TEST_ACTOR)
    assert level1(target_cache.target_results(db, YEAR)) == 4  # this transaction's own view
    db.rollback()
    assert level1(target_cache.target_results(db, YEAR)) == 1


def test_results_shared_under_an_old_token_are_not_served(db, world, make):
    current = generations.stamp(generations.tokens(db, "verified"), YEAR)
    db.commit()  # on SQLite a transaction that read before another connection's commit could not write after it
    with Session(db.get_bind()) as reader:
        generations.only_reads(reader)
        assert level1(target_cache.target_results(reader, YEAR)) == 1  # computed and shared
    stored = db.exec(select(TargetCache).where(TargetCache.period_year == YEAR)).one()
    assert stored.token == current
    make.service(world["agency"], code="1.009")  # a change made without the registry's operations, committed
    target_cache.clear_memo()
    results = target_cache.target_results(db, YEAR)
    assert next(r.denominator for r in results if r.target.code == "services_level1_pct") == 5


def test_a_verification_recomputes_its_own_period_only(db, world, make):
    services = world["services"]
    file_report(make, world["agency"], [services[0]], year=2014)
    before = target_cache.results_by_period(db, [2014, YEAR])
    file_report(make, world["agency"], [services[0], services[1]])  # 2015 again
    after = target_cache.results_by_period(db, [2014, YEAR])
    assert all(a is b for a, b in zip(after[2014], before[2014]))  # 2014's results kept as they were
    assert level1(after[YEAR]) == 2 and level1(before[YEAR]) == 1
    records.update_service(db, TEST_ACTOR, services[3], {"active": False})  # counts in every period
    db.commit()
    changed = target_cache.results_by_period(db, [2014, YEAR])
    assert [next(r.denominator for r in changed[y] if r.target.code == "services_level1_pct")
            for y in (2014, YEAR)] == [3, 3]


def test_without_a_generation_row_nothing_is_kept(db, make):
    """A database made without the migrations: results are computed on each read."""
    agency = make.agency()
    service = make.service(agency)
    db.execute(SQLModel.metadata.tables["generation"].delete())  # seeding the targets made one
    db.commit()
    assert generations.tokens(db, "verified") is None
    file_report(make, agency, [service])
    db.execute(SQLModel.metadata.tables["generation"].delete())
    db.commit()
    assert level1(target_cache.target_results(db, YEAR)) == 1
    with Statements(db.get_bind()) as statements:
        assert level1(target_cache.target_results(db, YEAR)) == 1
    assert statements.count > 1  # computed again: the token, the targets, the figures
    db.commit()
    workflow.reopen(db, workflow.find_submission(db, agency, YEAR), TEST_ACTOR, "sửa")
    db.commit()  # the reopening moves its period's tokens; the verified figures have not changed
    assert level1(target_cache.target_results(db, YEAR)) == 1


def test_targets_seeded_into_a_running_registry_are_in_the_next_results(db, world):
    """`registry init` on a newer version adds targets while the workers keep their cached results."""
    missing = db.exec(select(Target).where(Target.code == "services_level3_count")).one()
    db.delete(missing)
    db.commit()
    before = {r.target.code for r in target_cache.target_results(db, YEAR)}
    assert "services_level3_count" not in before
    assert ensure_targets(db) == 1
    db.commit()
    assert {r.target.code for r in target_cache.target_results(db, YEAR)} == before | {"services_level3_count"}


# --- cheap to read -------------------------------------------------------------------------

def grow(make, agencies=6, per_agency=10, years=(2013, 2014)):
    """More of everything: agencies, services, periods with verified reports."""
    for n in range(agencies):
        agency = make.agency(code=f"grown-{n}", tier="district", kind="people_committee")
        services = [make.service(agency, code=f"g{n}.{k}") for k in range(per_agency)]
        for year in (*years, YEAR):
            file_report(make, agency, [s for s in services[: n + 1]], year=year)


def cached_read_statements(db, years) -> int:
    target_cache.results_by_period(db, years)  # warm
    db.rollback()
    with Statements(db.get_bind()) as statements:
        target_cache.results_by_period(db, years)
    return statements.count


def test_a_cached_read_is_one_query_whatever_the_size(db, world, make):
    small = cached_read_statements(db, [YEAR])
    grow(make)
    years = [2013, 2014, YEAR]
    assert small == 1 and cached_read_statements(db, years) == 1


def test_a_fresh_worker_reads_the_shared_table_and_computes_nothing(db, world, make):
    grow(make)
    years = [2013, 2014, YEAR]
    with Session(db.get_bind()) as reader:  # a reading request of some worker computes and shares
        expected = target_cache.results_by_period(generations.only_reads(reader), years)
    target_cache.clear_memo()  # another worker: nothing in its memory
    with Statements(db.get_bind()) as statements:
        found = target_cache.results_by_period(db, years)
    assert statements.count == 2  # the token, then the three periods' rows at once
    assert {y: [r.as_dict() for r in rs] for y, rs in found.items()} == \
        {y: [r.as_dict() for r in rs] for y, rs in expected.items()}
    assert {y: [r.as_dict() for r in rs] for y, rs in found.items()} == \
        {y: [r.as_dict() for r in compute_targets(db, y)] for y in years}


def home_statements(app, client) -> int:
    client.get("/")  # warm
    with Statements(engine_of(app)) as statements:
        assert client.get("/").status_code == 200
    return statements.count


def test_the_home_page_costs_the_same_few_queries_whatever_the_size(app, client, make, world):
    small = home_statements(app, client)
    grow(make)
    assert home_statements(app, client) == small <= 2


# --- HTTP caching ------------------------------------------------------------------------------

def test_a_browser_revalidates_the_home_page_and_gets_304_until_a_change(client, make, world):
    first = client.get("/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.get_data()
    services = world["services"]
    file_report(make, world["agency"], [services[0], services[1]])
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "50,0\u00a0%" in changed.get_data(as_text=True)


def test_each_language_and_period_has_its_own_validator(client, world):
    vi = client.get("/").headers["ETag"]
    en = client.get("/?lang=en")
    assert en.headers["ETag"] != vi and "private" in en.headers["Cache-Control"]  # it sets the language cookie
    assert client.get("/", headers={"If-None-Match": vi}).status_code == 200  # the cookie now says English
    assert client.get(f"/?period={YEAR}").headers["ETag"] != client.get("/").headers["ETag"]


def test_signed_in_pages_are_never_revalidated_from_a_public_copy(client, auth, world, make_user):
    etag = client.get("/").headers["ETag"]
    auditor = make_user("auditor")
    assert auth.login(auditor.email, PASSWORD).status_code == 302
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert auditor.email in response.get_data(as_text=True)


def download(client, url, etag=None):
    """(status, ETag) of a download, read to its end (a streamed response holds its request open until then)."""
    response = client.get(url, headers={"If-None-Match": etag} if etag else {})
    response.get_data()
    response.close()
    return response.status_code, response.headers.get("ETag")


def test_open_data_downloads_revalidate(client, make, world):
    status, etag = download(client, f"/open-data/{YEAR}/targets.csv")
    assert status == 200 and etag
    assert download(client, f"/open-data/{YEAR}/targets.csv", etag)[0] == 304
    assert download(client, f"/open-data/{YEAR}/targets.json", etag)[0] == 200
    file_report(make, world["agency"], world["services"])
    assert download(client, f"/open-data/{YEAR}/targets.csv", etag)[0] == 200


# --- PostgreSQL ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_two_workers_on_postgresql_never_disagree(postgres_server, monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path))
    url = postgres_server.create_database()
    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "k", "WTF_CSRF_ENABLED": False}
    first, second = create_app(config), create_app(config)
    engine = engine_of(first)
    SQLModel.metadata.create_all(engine)
    try:
        with Session(engine, expire_on_commit=False) as db:
            ensure_targets(db)
            agency = Agency(code="so-tttt", name="Sở TT&TT", tier="province", kind="department")
            db.add(agency)
            db.commit()
            services = [Service(code=f"1.00{n}", name=f"Thủ tục {n}", agency_id=agency.id, sector="Hộ tịch")
                        for n in range(4)]
            db.add_all(services)
            db.commit()
            make = Factory(db)
            file_report(make, agency, [services[0]])
            clients = [first.test_client(), second.test_client()]
            assert [home_value(c) for c in clients] == ["25.0%", "25.0%"]
            file_report(make, agency, [services[0], services[1]])
            assert [home_value(c) for c in reversed(clients)] == ["50.0%", "50.0%"]
            assert [api_level1(c) for c in clients] == [2, 2]
    finally:
        for app in (first, second):
            engine_of(app).dispose()


def test_the_tokens_are_read_once_per_transaction_and_again_after_a_commit(db, make, world):
    engine = db.get_bind()
    db.commit()
    with Statements(engine) as statements:
        first = generations.tokens(db, "verified")
        assert generations.tokens(db, "verified") == first and statements.count == 1
    workflow.reopen(db, world["submission"], TEST_ACTOR, "sửa")  # this transaction's own change …
    with Statements(engine) as statements:
        assert generations.tokens(db, "verified") == first  # … moves nothing before it commits
    assert statements.count == 0 and generations.written(db)
    db.rollback()
    with Statements(engine) as statements:
        assert generations.tokens(db, "verified") == first  # nor after it rolled back
    assert statements.count == 1
    file_report(make, world["agency"], [world["services"][1]])  # another transaction, committed
    with Statements(engine) as statements:
        assert generations.stamp(generations.tokens(db, "verified"), YEAR) != generations.stamp(first, YEAR)
    assert statements.count == 1
