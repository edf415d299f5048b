"""Vietnamese search keys and sort order."""

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from registry.core import search
from registry.core.search import fold, search_terms, sort_key
from registry.core.validation import clean_text
from registry.models import Agency


def test_fold_ignores_diacritics_case_and_spacing():
    assert fold("Đăng kí  khai sinh") == "dang ki khai sinh"
    assert fold("ĐIỆN BIÊN PHỦ") == "dien bien phu"
    assert fold(None) == ""
    assert search_terms("  Đăng   KÍ ") == ["dang", "ki"]


def test_fold_treats_spelling_variants_alike():
    # i and y ending a syllable after a consonant, written both ways
    assert fold("Đăng ký") == fold("đăng kí") == "dang ki"
    assert fold("Lý lịch tư pháp") == fold("lí lịch tư pháp")
    assert fold("Quy định") == fold("qui định") == "qui dinh"
    assert fold("Mỹ thuật") == fold("mĩ thuật")
    # the old and the new placement of the tone mark
    assert fold("Hoà giải") == fold("hòa giải") == "hoa giai"
    assert fold("Thuỷ lợi") == fold("thủy lợi") == "thuy loi"
    assert fold("Uỷ ban") == fold("Ủy ban") == "uy ban"
    # but not where i and y are different words, nor y alone, nor y inside a word
    assert fold("tay") != fold("tai") and fold("Y tế") == "y te"
    assert fold("quyết định") == "quyet dinh" and fold("kỹ-thuật") == "ki-thuat"
    # what a typed word may begin: "qui" stands for "quyết" too
    assert search.spellings("qui") == ["qui", "quy"] and search.spellings("tai") == ["tai"]


def test_vietnamese_alphabetical_order():
    words = ["bá", "ba", "bă", "bà", "bâ", "bb", "đa", "da", "dz", "ơ", "o", "ô", "Uy", "Ủy ban", "ư", "Ăn", "an", "Ân"]
    assert sorted(words, key=sort_key) == ["an", "Ăn", "Ân", "ba", "bà", "bá", "bă", "bâ", "bb", "da", "dz", "đa",
                                           "o", "ô", "ơ", "Uy", "Ủy ban", "ư"]


def test_keys_are_kept_on_every_write(db, make_agency, make_service):
    agency = make_agency(code="so-tp", name="Sở Tư pháp")
    service = make_service(agency, code="1.001", name="Đăng ký khai sinh")
    assert agency.name_key == "so-tp so tu phap" and service.name_key == "1.001 dang ki khai sinh"
    service.name = "Đăng ký kết hôn"
    db.commit()
    db.refresh(service)
    assert service.name_key == "1.001 dang ki ket hon" and service.name_sort == sort_key("Đăng ký kết hôn")


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


# Vietnamese letters, tone and letter marks standing alone, Hangul (one character, several
# clusters), and whatever else hypothesis draws.
_KEY_TEXT = st.text(st.one_of(st.sampled_from("aăâdđeêoôơuưyAĂĐƠƯ \t.-%\u0300\u0301\u0303\u0309\u0323\u0302\u0306"
                                              "\u031bİﬁ가ǅ"), st.characters()), max_size=40)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_KEY_TEXT)
@example("%\u0301")  # a mark no precomposed character takes: it stays a character of its own
@example("\u0301đ\u0301 x\u0323\u0302")
@example("Hàn Quốc 한국")  # a Hangul syllable decomposes into several letters
@example("İ")  # whose lower case is i and a combining dot
def test_sort_keys_taken_character_by_character_are_those_of_the_clusters(text):
    lowered = unicodedata.normalize("NFC", text)[:search.SORT_KEY_LETTERS].lower()
    assert sort_key(text) == (search._sort_key_of_clusters(lowered) if text else "")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_KEY_TEXT)
def test_fold_is_the_text_decomposed_without_its_marks(text):
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    words = re.sub(r"[\s\x00-\x1f\x7f]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c)))
    assert fold(text) == search._FINAL_Y.sub(r"\1i", words.strip())


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_KEY_TEXT)
def test_clean_text_keeps_tabs_and_drops_only_control_and_other_invisible_characters(text):
    kept = unicodedata.normalize("NFC", text).strip()
    assert clean_text(text) == "".join(c for c in kept if c == "\t" or unicodedata.category(c)[0] != "C")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_KEY_TEXT, st.integers(min_value=0, max_value=40))
@example("Đăng ký khai sinh", 7)
@example("Kỹ thuật", 2)
def test_no_name_sorts_before_the_least_key_of_what_its_search_key_begins_with(name, length):
    # what lets a search read the catalogue in order from where names beginning alike can begin
    name = clean_text(name).strip()  # as names are stored
    assert sort_key(name) >= search.least_sort_key(fold(name)[:length])
