"""The catalogue at national scale: what a search finds, the search index kept in
step by every writer, the same results on SQLite and PostgreSQL, and pages
whose number of queries does not grow with the data.

Timing goals belong to the benchmark (make bench); these tests check what the
speed rests on: each page's statements are a fixed set, answered from indexes
the migrations build exactly as the models do.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, insert, select, text, update
from sqlmodel import Session, SQLModel

from registry import create_app
from registry.catalogue import agencies, records, services
from registry.catalogue.parameters import parse_agency_cursor, parse_service_cursor
from registry.core import generations, schema
from registry.core.db import make_engine
from registry.core.search import fold, search_terms, sort_key, spellings
from registry.dataio import importing
from registry.models import (
    SERVICE_SEARCH,
    SERVICE_SEARCH_TRIGGERS,
    Agency,
    Service,
    compared_schema_name,
)
from registry.sample.synth import synthesize
from registry.web.db import get_engine
from tests.factories import TEST_ACTOR

# Queries that probe what a word is: diacritics, case, punctuation inside words,
# LIKE and FTS5 wildcards and quotes taken literally, one-letter words, codes.
QUERIES = ["đăng ký", "dang ky", "DANG", "ky", "k", "y", "khai dang", "1.00", "1.001", "%", "100%", "_", "p_",
           "p-", "'a'", '"giấy"', "“giấy”", "\\", "a\\b", "birth", "regis", "xac nhan", "chung thuc", "c", "ß", "*", "đ",
           "nothing at all", ""]


def corpus(session: Session) -> None:
    """Names that put search to the test, ties of the same name, and services that must not be found."""
    a = Agency(code="so-tp", name="Sở Tư pháp", tier="province", kind="department")
    b = Agency(code="ubnd-a", name="UBND huyện Ăng", tier="district", kind="people_committee")
    gone = Agency(code="cu", name="Cơ quan cũ", tier="commune", kind="other", active=False)
    session.add_all([a, b, gone])
    session.flush()
    rows = [
        ("1.001", "Đăng ký khai sinh", "Birth registration", a), ("1.002", "Đăng ký kết hôn", None, a),
        ("p-1", "Cấp 100% trực tuyến", None, a), ("p-2", "Cấp phép", None, b), ("p_3", "Gia hạn", None, b),
        ("q-1", "Cấp “giấy” phép 'A'", None, b), ("bs-1", "Thủ tục A\\B", None, b),
        ("t-1", "ĐĂNG KÝ tạm trú", None, b), ("x-1", "Xác\tnhận  tình trạng", None, a),
        ("y-1", "Y tế học đường", None, b), ("s-1", "Straße ß", None, b), ("k-1", "Kỳ họp", None, a),
        ("c-10", "Chứng thực bản sao", None, a), ("c-2", "Chứng thực bản sao", None, b),
        ("C-3", "Chứng thực bản sao", None, a), ("c_1", "Chứng thực bản sao", None, b),
        ("c.5", "Chứng thực bản sao", None, a),
        ("gone-1", "Đăng ký của cơ quan cũ", None, gone),
    ]
    for code, name, name_en, agency in rows:
        session.add(Service(code=code, name=name, name_en=name_en, agency_id=agency.id, sector="Hộ tịch"))
    session.add(Service(code="off-1", name="Đăng ký đã bỏ", agency_id=a.id, sector="Hộ tịch", active=False))
    session.commit()


def relevance(terms: list[str], code: str, name: str, name_en: str | None) -> int:
    """The relevance group of a search's result (catalogue.services), from its names."""
    said, named = " ".join(terms), fold(" ".join(filter(None, (name, name_en))))
    if fold(name) == said:
        return 0  # the name is the query
    if named == said or named.startswith(said + " "):
        return 1  # the name begins with the words as typed
    if f" {said} " in " %s %s " % (fold(code), named):
        return 2  # they are together elsewhere (or are the code)
    return 3


def reference(session: Session, q: str) -> list[str]:
    """What a search must find (search.py), computed in Python from every row: the listed
    services, each query word (or its other spelling) beginning a word of the folded key;
    a search's in order of relevance, then in Vietnamese order."""
    terms = search_terms(q)
    rows = session.execute(select(Service.code, Service.name, Service.name_en)
                           .join(Agency, Agency.id == Service.agency_id).where(Service.active, Agency.active)).all()
    found = []
    for code, name, name_en in rows:
        words = fold(" ".join(filter(None, (code, name, name_en)))).split(" ")
        if all(any(word.startswith(s) for word in words for s in spellings(term)) for term in terms):
            found.append((relevance(terms, code, name, name_en) if terms else 0, sort_key(name), code))
    return [code for *_, code in sorted(found)]


def listed(session: Session, q: str = "", limit: int = 3, **filters) -> tuple[list[str], int]:
    """Every page of the catalogue for ``q``: the codes in order, and the total each page gave."""
    codes, after, totals = [], None, set()
    for _ in range(1000):
        page = services.service_page(session, None, q=q, after=after, limit=limit, **filters)
        codes += [row.code for row in page.rows]
        totals.add(page.total)
        if page.next is None:
            break
        after = parse_service_cursor(page.next)
    assert len(totals) == 1, totals
    return codes, totals.pop()


def searchable_rows(session: Session) -> set[tuple[int, str]]:
    """(id, key) of what SQLite's search index holds."""
    return set(session.execute(text(f"SELECT rowid, name_key FROM {SERVICE_SEARCH}")).all())


def listed_rows(session: Session) -> set[tuple[int, str]]:
    return set(session.execute(select(Service.id, Service.name_key).join(Agency, Agency.id == Service.agency_id)
                               .where(Service.active, Agency.active)).all())


def check_search(session: Session, queries=QUERIES) -> None:
    """Every query finds what the rows say, page after page, with the right total."""
    session.expire_all()
    if session.get_bind().dialect.name == "sqlite":
        assert searchable_rows(session) == listed_rows(session)
    for q in queries:
        expected = reference(session, q)
        assert listed(session, q) == (expected, len(expected)), q


# --- what a search finds ---------------------------------------------------------------------

def test_a_search_finds_word_beginnings(db):
    corpus(db)

    def found(q):
        return listed(db, q, limit=50)[0]

    assert found("dang ky") == found("Đăng   KÝ") == ["1.002", "1.001", "t-1"]  # kết hôn < khai sinh < tạm trú
    assert found("khai dang") == ["1.001"]  # any order
    assert found("1.00") == ["1.002", "1.001"] and found("1.001") == ["1.001"]  # codes are words
    assert found("birth") == found("regis") == ["1.001"]  # English names are searched too
    assert found("xac nhan") == ["x-1"]  # a tab in a name separates words
    assert found("100%") == found("100") == ["p-1"]
    # LIKE and FTS wildcards are literal characters that begin no word here
    assert found("%") == found("_") == found("*") == found("\\") == []
    assert found("p_") == ["p_3"] and found("p-") == ["p-2", "p-1"]  # Cấp phép < Cấp 100%: letters first
    assert found("“giấy”") == ["q-1"] and found('"giấy"') == []  # quotes are characters like any other
    assert found("'a'") == ["q-1"] and found("a\\b") == ["bs-1"]
    # the name that begins with the word first, then the names holding it elsewhere
    assert found("y") == ["y-1"] and found("ky") == ["k-1", "1.002", "1.001", "t-1"]
    assert found("ang") == []  # inside a word: not a beginning
    assert found("dang") == ["1.002", "1.001", "t-1"]  # neither the inactive service nor the inactive agency's
    # ties of the same name are in byte order of their code, on every page
    assert found("chung thuc") == listed(db, "chung thuc", limit=2)[0] == ["C-3", "c-10", "c-2", "c.5", "c_1"]


def test_the_index_agrees_with_the_test_of_every_row(db, monkeypatch):
    """A search answered by the index, read either way round, equals the reference."""
    corpus(db)
    check_search(db)
    monkeypatch.setattr(services, "SORT_MATCHES_UP_TO", 0)  # every search read in catalogue order
    check_search(db)


def test_agency_search_and_order(db):
    corpus(db)
    page, counts = agencies.agency_page(db, q="ang")
    assert [row.code for row in page.rows] == ["ubnd-a"] and counts == {"district": 1}
    page, counts = agencies.agency_page(db, q="so tu")
    assert [row.code for row in page.rows] == ["so-tp"]
    assert agencies.agency_page(db, q="ng")[0].rows == []  # inside "ăng", not a beginning
    everyone, after = [], None
    while True:
        page, _ = agencies.agency_page(db, after=after, limit=1)
        everyone += [row.code for row in page.rows]
        if page.next is None:
            break
        after = parse_agency_cursor(page.next)
    assert everyone == ["so-tp", "ubnd-a"]  # province before district; the inactive agency not at all


# --- the index follows every writer --------------------------------------------------------------

SERVICES_CSV = """code,name,name_en,agency_code,sector,active
im-1,Đăng ký thường trú,,so-tp,Hộ tịch,
im-2,Cấp bản sao trích lục,,ubnd-a,Hộ tịch,
1.002,Đăng ký lại kết hôn,,ubnd-a,Hộ tịch,
1.001,Đăng ký khai sinh,Birth registration,so-tp,Hộ tịch,0
"""


def test_the_search_index_follows_every_writer(db):
    corpus(db)
    check_search(db)
    a, b = (db.execute(select(Agency).where(Agency.code == c)).scalar_one() for c in ("so-tp", "ubnd-a"))

    # the administrator's operations (ORM)
    service = records.create_service(db, TEST_ACTOR, {"code": "ad-1", "name": "Đăng ký giám hộ",
                                                      "agency_code": "so-tp", "sector": "Hộ tịch"})
    db.commit()
    check_search(db)
    records.update_service(db, TEST_ACTOR, service, {"name": "Chấm dứt giám hộ"})
    db.commit()
    check_search(db, ["dang ky", "cham giam", "giam"])
    records.update_service(db, TEST_ACTOR, service, {"active": False})
    db.commit()
    check_search(db, ["cham", "giam"])
    records.update_service(db, TEST_ACTOR, service, {"active": True, "agency_code": "ubnd-a"})
    db.commit()
    check_search(db, ["cham", "giam"])
    records.update_agency(db, TEST_ACTOR, b, {"active": False})
    db.commit()
    check_search(db)
    records.update_agency(db, TEST_ACTOR, b, {"active": True})
    db.commit()
    check_search(db)

    # the importer: new rows, a renamed one moved to another agency, one switched off
    result = importing.import_file(db, TEST_ACTOR, "services", "services.csv", SERVICES_CSV.encode())
    assert not result.errors and result.created == 2 and result.updated == 2
    db.commit()
    check_search(db)

    # SQLAlchemy Core, as registry synth writes: no ORM event runs (the commit still moves
    # the generation tokens, so nothing counted under the old ones is served)
    names = {"core-1": "Đăng ký nuôi con nuôi", "core-2": "Kỳ thi tuyển"}
    db.execute(insert(Service.__table__), [
        {"code": code, "name": name, "agency_id": a.id, "sector": "Hộ tịch", "active": True,
         "name_key": fold(f"{code} {name}"), "name_sort": sort_key(name)} for code, name in names.items()])
    db.commit()
    check_search(db, ["nuoi", "ky", "dang ky"])
    renamed = "Thôi nuôi con nuôi"
    db.execute(update(Service.__table__).where(Service.code == "core-1")
               .values(name=renamed, name_key=fold(f"core-1 {renamed}"), name_sort=sort_key(renamed)))
    db.execute(delete(Service.__table__).where(Service.code == "core-2"))
    db.execute(update(Agency.__table__).where(Agency.code == "so-tp").values(active=False))
    db.commit()
    check_search(db, ["nuoi", "thoi", "ky", "dang ky", "birth"])
    db.execute(update(Agency.__table__).where(Agency.code == "so-tp").values(active=True))
    db.commit()
    check_search(db)


# --- the same results on both engines ------------------------------------------------------------

def _results(url: str) -> dict:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    out = {}
    with Session(engine) as session:
        corpus(session)
        for q in QUERIES:
            out[q] = listed(session, q, limit=2)
            assert out[q] == (reference(session, q), len(out[q][0])), q
        page, counts = agencies.agency_page(session, q="c")
        out["agencies"] = ([row.code for row in page.rows], counts)
    engine.dispose()
    return out


@pytest.mark.postgres
def test_search_gives_the_same_results_on_both_engines(tmp_path, postgres_server):
    on_sqlite = _results(f"sqlite:///{tmp_path / 'search.db'}")
    on_postgres = _results(postgres_server.create_database())
    assert on_sqlite["dang ky"][0] == ["1.002", "1.001", "t-1"]
    assert on_sqlite == on_postgres


# --- queries per page do not grow with the data ------------------------------------------------

SMALL = {"services": 40, "agencies": 12}
LARGE = {"services": 2500, "agencies": 240}


@contextmanager
def counted_statements(engine):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _synthetic_app(url: str, size: dict, monkeypatch, tmp_path):
    engine = make_engine(url)
    schema.upgrade(engine)  # as `registry init` does: the migrations build the search index
    synthesize(engine, periods=2, seed=7, **size)
    engine.dispose()
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                       "WTF_CSRF_ENABLED": False})


def _statements_per_page(app) -> dict[str, int]:
    client = app.test_client()
    agency = client.get("/api/v1/agencies?limit=1").get_json()["agencies"][0]["code"]
    cursor = client.get("/api/v1/services?limit=20").get_json()["next"]
    with app.app_context():
        engine = get_engine()
    with Session(engine) as session:
        sector = services.sectors(session)[0]
    pages = ["/services", "/services?q=đăng+ký", "/services?q=dang+ky", "/services?q=ky&level=0",
             "/services?q=zzzz", f"/services?sector={sector}", f"/services?agency={agency}&q=d",
             f"/services?after={cursor}", "/agencies", "/agencies?q=ubnd&tier=district", f"/agencies/{agency}",
             f"/agencies/{agency}?after={cursor}", "/api/v1/services", f"/api/v1/services?after={cursor}",
             "/api/v1/services?q=dang+ky&limit=200", f"/api/v1/services?agency={agency}&level=1",
             "/api/v1/agencies?limit=200", f"/api/v1/agencies/{agency}"]
    counts = {}
    for page in pages:
        with counted_statements(engine) as statements:
            response = client.get(page)
        assert response.status_code == 200, page
        counts[page.replace(agency, "A").replace(cursor, "C").replace(sector, "S")] = len(statements)
    return counts


def _check_statements_do_not_grow(small_url: str, large_url: str, monkeypatch, tmp_path) -> None:
    counts = []
    for url, size in ((small_url, SMALL), (large_url, LARGE)):
        app = _synthetic_app(url, size, monkeypatch, tmp_path)
        with app.app_context():
            engine = get_engine()
        try:
            counts.append(_statements_per_page(app))
            with Session(engine) as session:
                matches = services.service_page(session, None, q="dang ky").total
        finally:
            engine.dispose()
    small, large = counts
    # the large catalogue's common search is read in catalogue order, the small one's sorted
    assert matches > services.SORT_MATCHES_UP_TO
    assert large == small
    # the agency page also shows its scorecard and its reports over the years (SPEC v2): as
    # test_catalogue.test_queries_do_not_grow_with_the_data, at most 12
    assert max(large.values()) <= 12, large


def test_statements_per_page_do_not_grow_with_the_catalogue(tmp_path, monkeypatch):
    # a small threshold, so that the large catalogue's common searches are read in catalogue order
    monkeypatch.setattr(services, "SORT_MATCHES_UP_TO", 200)
    _check_statements_do_not_grow(f"sqlite:///{tmp_path / 'small.db'}", f"sqlite:///{tmp_path / 'large.db'}",
                                  monkeypatch, tmp_path)


@pytest.mark.postgres
def test_statements_per_page_do_not_grow_on_postgres(tmp_path, monkeypatch, postgres_server):
    monkeypatch.setattr(services, "SORT_MATCHES_UP_TO", 200)
    _check_statements_do_not_grow(postgres_server.create_database(), postgres_server.create_database(),
                                  monkeypatch, tmp_path)


# --- the migrations build the search index as the models do ------------------------------------

def _search_objects(engine) -> dict[str, str]:
    """The search index's objects and the list indexes, by name, with their definitions."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return dict(conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE name = :table OR type = 'trigger' "
                "OR name LIKE 'ix_service%' OR name LIKE 'ix_agency%'"), {"table": SERVICE_SEARCH}).all())
        objects = dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('service', 'agency')")).all())
        objects.update(conn.execute(text("SELECT stxname, pg_get_statisticsobjdef(oid) FROM pg_statistic_ext")).all())
        return objects


def _check_migrated_like_models(migrated_url: str, created_url: str) -> None:
    migrated, created = make_engine(migrated_url), make_engine(created_url)
    try:
        schema.upgrade(migrated)
        SQLModel.metadata.create_all(created)
        objects = _search_objects(migrated)
        assert objects == _search_objects(created)
        if migrated.dialect.name == "sqlite":
            assert {SERVICE_SEARCH, *SERVICE_SEARCH_TRIGGERS} <= set(objects)
        else:
            assert {"ix_service_name_words", "st_service_name_words"} <= set(objects)
    finally:
        migrated.dispose()
        created.dispose()


def test_migrations_build_the_search_index_as_the_models_do(tmp_path):
    _check_migrated_like_models(f"sqlite:///{tmp_path / 'migrated.db'}", f"sqlite:///{tmp_path / 'created.db'}")


@pytest.mark.postgres
def test_migrations_build_the_search_index_as_the_models_do_on_postgres(postgres_server):
    _check_migrated_like_models(postgres_server.create_database(), postgres_server.create_database())


def test_the_migration_indexes_the_existing_services(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, "0003")
    with engine.begin() as conn:
        generations.untracked(conn)  # rows an older registry wrote, before the generation table existed
        for n, (code, name, active, agency_active) in enumerate(
                [("s-1", "Đăng ký khai sinh", 1, 1), ("s-2", "Đăng ký cũ", 0, 1), ("s-3", "Đăng ký ẩn", 1, 0)], 1):
            conn.execute(text("INSERT INTO agency (id, code, name, tier, kind, active, name_key, name_sort) "
                              "VALUES (:n, :code, 'Sở', 'province', 'department', :active, 'so', '')"),
                         {"n": n, "code": f"a-{n}", "active": agency_active})
            conn.execute(text("INSERT INTO service (code, name, agency_id, sector, active, name_key, name_sort) "
                              "VALUES (:code, :name, :n, 'Hộ tịch', :active, :key, :sort)"),
                         {"code": code, "name": name, "n": n, "active": active, "key": fold(f"{code} {name}"),
                          "sort": sort_key(name)})
    schema.upgrade(engine)
    with Session(engine) as session:
        assert listed(session, "dang ky") == (["s-1"], 1)
        assert searchable_rows(session) == listed_rows(session)
    engine.dispose()


def test_schema_comparison_leaves_out_only_the_search_index_tables():
    assert not compared_schema_name(SERVICE_SEARCH, "table", {})
    assert not compared_schema_name(f"{SERVICE_SEARCH}_data", "table", {})
    for name in ("service", "agency", "service_searches"):
        assert compared_schema_name(name, "table", {})
    assert compared_schema_name(SERVICE_SEARCH, "index", {})
