"""Vietnamese search keys and sort order."""

from sqlmodel import select

from registry.models import Agency
from registry.search import fold, search_terms, sort_key


def test_fold_ignores_diacritics_case_and_spacing():
    assert fold("Đăng ký  khai sinh") == "dang ky khai sinh"
    assert fold("ĐIỆN BIÊN PHỦ") == "dien bien phu"
    assert fold(None) == ""
    assert search_terms("  Đăng   KÝ ") == ["dang", "ky"]


def test_vietnamese_alphabetical_order():
    words = ["bá", "ba", "bă", "bà", "bâ", "bb", "đa", "da", "dz", "ơ", "o", "ô", "Uy", "Ủy ban", "ư", "Ăn", "an", "Ân"]
    assert sorted(words, key=sort_key) == ["an", "Ăn", "Ân", "ba", "bà", "bá", "bă", "bâ", "bb", "da", "dz", "đa",
                                           "o", "ô", "ơ", "Uy", "Ủy ban", "ư"]


def test_keys_are_kept_on_every_write(db, make_agency, make_service):
    agency = make_agency(code="so-tp", name="Sở Tư pháp")
    service = make_service(agency, code="1.001", name="Đăng ký khai sinh")
    assert agency.name_key == "so-tp so tu phap" and service.name_key == "1.001 dang ky khai sinh"
    service.name = "Đăng ký kết hôn"
    db.commit()
    db.refresh(service)
    assert service.name_key == "1.001 dang ky ket hon" and service.name_sort == sort_key("Đăng ký kết hôn")


def test_database_orders_by_the_sort_key(db, make_agency):
    for name in ("Sở Y tế", "Sở Tư pháp", "Ủy ban nhân dân tỉnh", "Sở Tài chính", "Ban Dân tộc"):
        make_agency(name=name)
    names = db.exec(select(Agency.name).order_by(Agency.name_sort)).all()
    assert names == ["Ban Dân tộc", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế", "Ủy ban nhân dân tỉnh"]


def test_the_longest_allowed_name_has_a_sort_key_that_fits_its_column(db, make_agency, make_service):
    from registry.models import BINARY_SORT, Service

    longest = "Đăng ký " + "x" * 492  # 500 characters, the most a service name may have
    assert len(sort_key(longest)) <= BINARY_SORT.length
    assert sort_key("ba") < sort_key("bà") < sort_key(longest[:250] + "a") <= sort_key(longest)
    service = make_service(make_agency(), code="dv-long", name=longest)  # refused by PostgreSQL before
    db.expire_all()
    assert db.get(Service, service.id).name_sort == sort_key(longest)
