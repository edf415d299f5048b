"""What a visitor relies on when searching the catalogue: the closest names first, and
the same results whichever of two common spellings they type. On SQLite and on
PostgreSQL (TEST_DATABASE_URL), and on a database upgraded from an earlier version."""

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from registry.catalogue import services
from registry.catalogue.parameters import parse_service_cursor
from registry.core import generations, schema
from registry.core.db import make_engine
from registry.core.errors import ValidationFailed
from registry.core.search import sort_key


def every_page(session, q: str, limit: int = 1, **filters) -> list[str]:
    """The codes a search lists, following its cursor page after page."""
    codes, after = [], None
    for _ in range(100):
        page = services.service_page(session, None, q=q, after=after, limit=limit, **filters)
        codes += [row.code for row in page.rows]
        if page.next is None:
            return codes
        after = parse_service_cursor(page.next)
    raise AssertionError("the pages never end")


@pytest.fixture
def catalogue(db, make):
    so = make.agency(code="so-tp", name="Sở Tư pháp")
    ubnd = make.agency(code="ubnd", name="UBND huyện Mường Ảng", tier="district", kind="people_committee")
    for code, name, agency in [
        ("hk-1", "Thủ tục đăng ký thường trú", ubnd),  # the phrase, not at the start
        ("dk-2", "Đăng ký khai tử", so),  # the name begins with the phrase
        ("dk-1", "Đăng ký khai sinh", so),
        ("dk-3", "Đăng kí kết hôn", so),  # the other spelling of ký
        ("xe-1", "Đăng kiểm xe cơ giới", ubnd),  # "ki" begins "kiểm": a weaker match
        ("kt-1", "Kê khai đăng ký thuế", ubnd),
        ("ld-1", "Khai báo lao động, đăng ký nội quy", ubnd),
        ("hg-1", "Hoà giải ở cơ sở", ubnd),  # the old placement of the tone mark
        ("hg-2", "Công nhận hòa giải viên", so),
        ("tl-1", "Cấp phép công trình thủy lợi", ubnd),
        ("tl-2", "Thuỷ sản: cấp giấy phép khai thác", so),
        ("qd-1", "Quy định về lý lịch tư pháp", so),
        ("qd-2", "Quyết định hành chính", so),
        ("ll-1", "Cấp phiếu lí lịch tư pháp", so),
    ]:
        make.service(agency, code=code, name=name)
    return db


def test_names_beginning_with_the_phrase_come_first_then_the_phrase_then_the_words(catalogue):
    # the names that begin with "đăng ký" in Vietnamese order (kí < ký; khai sinh < khai tử),
    # then "đăng ký" elsewhere, then "đăng kiểm", where the words only begin words
    expected = ["dk-3", "dk-1", "dk-2", "kt-1", "ld-1", "hk-1", "xe-1"]
    assert every_page(catalogue, "đăng ký", limit=50) == expected
    assert every_page(catalogue, "dang ky", limit=50) == expected
    # one page at a time: the cursor carries the group, every result once and in the same order
    assert every_page(catalogue, "đăng ký", limit=1) == expected
    assert every_page(catalogue, "đăng ký", limit=2) == expected
    page = services.service_page(catalogue, None, q="đăng ký")
    assert page.total == len(expected) and page.next is None


def test_the_exact_name_and_the_code_come_first(catalogue, make):
    make.service(code="dk-9", name="Đăng ký")
    assert every_page(catalogue, "đăng ký", limit=50)[0] == "dk-9"
    assert every_page(catalogue, "qd-2", limit=50) == ["qd-2"]
    # words in another order are found, after the names that hold them as typed
    assert every_page(catalogue, "khai đăng", limit=50) == ["kt-1", "dk-1", "dk-2", "ld-1"]


def test_a_name_that_begins_with_a_typed_word_comes_before_one_holding_it(catalogue):
    assert every_page(catalogue, "thủy", limit=50) == ["tl-2", "tl-1"]
    assert every_page(catalogue, "cấp", limit=50) == ["tl-1", "ll-1", "tl-2"]


@pytest.mark.parametrize("typed, found", [
    ("đăng kí", ["dk-3", "dk-1", "dk-2", "kt-1", "ld-1", "hk-1", "xe-1"]),
    ("Đăng Kí Kết Hôn", ["dk-3"]),
    ("đăng ký kết hôn", ["dk-3"]),
    ("lý lịch", ["ll-1", "qd-1"]),
    ("lí lịch", ["ll-1", "qd-1"]),
    ("hòa giải", ["hg-1", "hg-2"]),
    ("hoà giải", ["hg-1", "hg-2"]),
    ("thuỷ lợi", ["tl-1"]),
    ("thủy lợi", ["tl-1"]),
    ("qui định", ["qd-1", "qd-2"]),  # "qui" as typed so far may begin "quyết" too: found last
    ("quy", ["qd-1", "ld-1", "qd-2"]),
    ("qui", ["qd-1", "ld-1", "qd-2"]),
])
def test_common_spelling_variants_find_the_same_services(catalogue, typed, found):
    assert every_page(catalogue, typed, limit=50) == found


def test_i_and_y_stay_apart_where_they_are_different_words(db, make):
    agency = make.agency()
    make.service(agency, code="t-1", name="Tai nạn lao động")
    make.service(agency, code="t-2", name="Tay nghề")
    make.service(agency, code="y-1", name="Y tế dự phòng")
    assert every_page(db, "tay", limit=50) == ["t-2"]
    assert every_page(db, "tai", limit=50) == ["t-1"]
    assert every_page(db, "y", limit=50) == ["y-1"]


def test_filters_and_relevance_together(catalogue):
    so = services.service_filter_agency(catalogue, "so-tp")
    assert every_page(catalogue, "đăng ký", agency=so) == ["dk-3", "dk-1", "dk-2"]


def test_a_cursor_of_the_other_kind_is_refused_not_a_500(catalogue):
    page = services.service_page(catalogue, None, q="đăng ký", limit=1)
    with pytest.raises(ValidationFailed):
        services.service_page(catalogue, None, after=parse_service_cursor(page.next))
    plain = services.service_page(catalogue, None, limit=1)
    with pytest.raises(ValidationFailed):
        services.service_page(catalogue, None, q="đăng ký", after=parse_service_cursor(plain.next))


def test_search_pages_and_api_in_relevance_order(client, catalogue):
    body = client.get("/services?q=dang+ki").get_data(as_text=True)
    positions = [body.index(name) for name in ("Đăng kí kết hôn", "Đăng ký khai sinh", "Kê khai đăng ký thuế",
                                               "Thủ tục đăng ký thường trú", "Đăng kiểm xe cơ giới")]
    assert positions == sorted(positions)
    listed = client.get("/api/v1/services?q=đăng kí&limit=3").get_json()
    assert [s["code"] for s in listed["services"]] == ["dk-3", "dk-1", "dk-2"] and listed["total"] == 7
    following = client.get("/api/v1/services", query_string={"q": "đăng kí", "limit": 3, "after": listed["next"]})
    assert [s["code"] for s in following.get_json()["services"]] == ["kt-1", "ld-1", "hk-1"]
    for garbled in ("9|zz|x", "b00|x", "1|b00"):  # a link of another list, or made up: explained, never a 500
        refused = client.get("/services", query_string={"q": "dang ki", "after": garbled})
        assert refused.status_code in (400, 422) and "Liên kết trang không hợp lệ" in refused.get_data(as_text=True)


def test_the_filters_choices_follow_the_catalogue(client, db, make):
    agency = make.agency(code="so-a", name="Sở A")
    make.service(agency, sector="Hộ tịch")
    assert "Tư pháp" not in client.get("/services").get_data(as_text=True)
    make.service(agency, sector="Tư pháp")
    make.agency(code="so-b", name="Sở Bê")
    body = client.get("/services").get_data(as_text=True)
    assert '<option value="Tư pháp">Tư pháp</option>' in body and "Sở Bê" in body


# --- a registry upgraded from an earlier version --------------------------------------------------

OLD_KEYS = [("s-1", "Đăng ký khai sinh", "s-1 dang ky khai sinh"), ("s-2", "Quy định", "s-2 quy dinh"),
            ("s-3", "Y tế", "s-3 y te")]


def _upgraded_registry(url: str):
    """A database at revision 0006 whose keys the earlier rule made, upgraded to the head."""
    engine = make_engine(url)
    schema.upgrade(engine, "0006")
    with engine.begin() as conn:
        generations.untracked(conn)
        conn.execute(text("INSERT INTO agency (id, code, name, tier, kind, active, name_key, name_sort) "
                          "VALUES (1, 'so-ky', 'Sở Kỹ thuật', 'province', 'department', true, "
                          "'so-ky so ky thuat', '')"))
        for code, name, key in OLD_KEYS:
            conn.execute(text("INSERT INTO service (code, name, agency_id, sector, active, name_key, name_sort) "
                              "VALUES (:code, :name, 1, 'Hộ tịch', true, :key, :sort)"),
                         {"code": code, "name": name, "key": key, "sort": sort_key(name)})
    schema.upgrade(engine)
    return engine


def _check_upgraded(engine) -> None:
    with Session(engine) as session:
        assert every_page(session, "đăng kí", limit=50) == ["s-1"]
        assert every_page(session, "dang ky", limit=50) == ["s-1"]
        assert every_page(session, "qui", limit=50) == ["s-2"]
        assert every_page(session, "y te", limit=50) == ["s-3"]
        keys = dict(session.execute(text("SELECT code, name_key FROM service")).all())
        assert keys == {"s-1": "s-1 dang ki khai sinh", "s-2": "s-2 qui dinh", "s-3": "s-3 y te"}
        assert session.execute(text("SELECT name_key FROM agency")).scalar_one() == "so-ki so ki thuat"
        if engine.dialect.name == "sqlite":  # the search index holds the new keys
            assert set(session.execute(text("SELECT name_key FROM service_search")).scalars()) == set(keys.values())
    # and back: the keys as the earlier rule made them (SQLite rebuilds tables: foreign keys checked at the end)
    with engine.connect() as conn, schema.foreign_keys_off(conn), conn.begin():
        command.downgrade(schema.alembic_config(conn), "0006")
        schema.check_foreign_keys(conn)
    with engine.connect() as conn:
        assert {r[0] for r in conn.execute(text("SELECT name_key FROM service"))} == {k for *_, k in OLD_KEYS}
    engine.dispose()


def test_the_migration_rewrites_the_keys_of_existing_services(tmp_path):
    _check_upgraded(_upgraded_registry(f"sqlite:///{tmp_path / 'old.db'}"))


@pytest.mark.postgres
def test_the_migration_rewrites_the_keys_of_existing_services_on_postgres(postgres_server):
    _check_upgraded(_upgraded_registry(postgres_server.create_database()))
