"""Numbers and dates as each language writes them, counts typed with thousands separators,
and the organisation's names from one setting (issues 13.5 and 17)."""

from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlmodel import select

from registry.core.numbers import number, percent
from registry.core.validation import FormReader, parse_count, use_thousands_separator
from registry.models import Submission
from tests.factories import full_report


@pytest.mark.parametrize("value, vi, en", [
    (10467, "10.467", "10,467"), (0, "0", "0"), (1234567, "1.234.567", "1,234,567"),
    (Fraction(7, 2), "3,5", "3.5"), (Decimal("2.25"), "2,25", "2.25"), (None, "—", "—"),
])
def test_numbers_in_each_language(value, vi, en):
    assert number(value, "vi") == vi and number(value, "en") == en


def test_percentages_in_each_language():
    assert percent(44.123, "vi") == "44,1\u00a0%" and percent(44.123, "en") == "44.1%"
    assert percent(Fraction(1, 3) * 100, "vi") == "33,3\u00a0%"
    assert percent(95, "vi", 0) == "95\u00a0%" and percent(None, "vi") == "—"


@pytest.mark.parametrize("value", [Fraction(249 * 100, 400), Decimal("62.25"), 62.25])
def test_a_half_is_shown_rounded_up_as_rule_7_says(value):
    """249 of 400 is 62.25 %: shown 62,3 %, not Babel's own half-to-even 62,2 %."""
    assert percent(value, "vi") == "62,3\u00a0%" and number(value, "en", 1) == "62.3"
    assert number(Decimal("0.0625"), "vi") == "0,063" and number(Decimal("2.5"), "vi", 0) == "3"


@pytest.mark.parametrize("typed", ["3813", "3.813", "3 813", "3\u00a0813", " 3.813 "])
def test_a_vietnamese_count_may_group_thousands_with_dots(typed):
    assert parse_count(typed) == 3813


@pytest.mark.parametrize("typed", ["3,813", "3.81", "38.13", "3.8130", "-1", "3,5", "ba nghìn"])
def test_a_count_that_is_not_whole_is_refused_with_an_example(typed):
    with pytest.raises(ValueError) as refused:
        parse_count(typed)
    assert "ví dụ 3813 hoặc 3.813" in refused.value.args[0]


def test_english_groups_thousands_with_commas():
    token = use_thousands_separator("en")
    try:
        assert parse_count("3,813") == 3813
        with pytest.raises(ValueError):
            parse_count("3.813")  # 3.813 is a decimal in English, not a count
    finally:
        from registry.core.validation import THOUSANDS
        THOUSANDS.reset(token)
    assert parse_count("3.813") == 3813


def test_form_integers_read_grouped_thousands():
    reader = FormReader({"threshold": "10.467", "bad": "10,5"})
    assert reader.integer("threshold", 0, 100_000) == 10467
    assert reader.integer("bad", 0, 100_000) is None
    assert "3.813" in reader.errors["bad"]


# --- the pages -------------------------------------------------------------------------------

@pytest.fixture
def focal(auth, make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp", name_en="Judicial record certificate")
    make.period(2015)
    user = make.user("focal", agency)
    auth.login(user.email)
    return agency


def _save(client, staff, lang="vi"):
    return client.post(f"/workspace/so-tp/2015?lang={lang}",
                       data={"version": "0", "action": "save", "report-staff_total": staff})


def test_the_report_form_accepts_3_813_in_vietnamese(client, db, focal):
    assert _save(client, "3.813").status_code == 302
    db.rollback()
    assert db.exec(select(Submission)).one().staff_total == 3813
    page = client.get("/workspace/so-tp/2015").get_data(as_text=True)
    assert 'inputmode="numeric"' in page and 'type="number"' not in page  # a dot can be typed


def test_the_report_form_explains_a_refused_count(client, db, focal):
    response = _save(client, "3,5")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "phải là số nguyên không âm, ví dụ 3813 hoặc 3.813" in page
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in page  # the summary takes focus
    db.rollback()
    assert db.exec(select(Submission)).first() is None


def test_error_summary_names_services(client, focal):
    response = client.post("/workspace/so-tp/2015", data={
        "version": "0", "action": "save", "service": "1.001", "svc-1.001-level": "2",
        "svc-1.001-info_url": "https://dvc.example/1", "svc-1.001-form_url": "",
        "svc-1.001-submission_url": "", "svc-1.001-note": ""})
    assert response.status_code == 422
    assert "Cấp Phiếu lý lịch tư pháp (1.001) — " in response.get_data(as_text=True)


def test_public_pages_write_numbers_in_the_page_language(client, make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    make.period(2015)
    make.submission(agency, 2015, "verified", report=full_report(staff_total=10467, staff_with_computer=4000))
    vi = client.get("/agencies/so-tp?period=2015").get_data(as_text=True)
    en = client.get("/agencies/so-tp?period=2015&lang=en").get_data(as_text=True)
    assert "10.467" in vi and "10,467" in en


def test_dates_follow_the_language(app):
    from registry.web.templating import when

    moment = datetime(2026, 3, 12, 9, 6, tzinfo=timezone.utc)  # 16:06 in Điện Biên
    with app.test_request_context("/?lang=vi"):
        vi = when(moment)
    with app.test_request_context("/?lang=en"):
        en = when(moment)
    assert "16:06" in vi and "2026" in vi
    assert "4:06" in en and "PM" in en and "Mar" in en


# --- the organisation's names ----------------------------------------------------------------

def test_the_department_defaults_to_science_and_technology(client):
    page = client.get("/").get_data(as_text=True)
    assert "Sở Khoa học và Công nghệ" in page and "Sở Thông tin và Truyền thông" not in page
    assert "tỉnh Điện Biên" in page


def test_organisation_names_come_from_one_setting(monkeypatch, tmp_path):
    from registry import config

    monkeypatch.setenv("REGISTRY_PROVINCE", "Lai Châu")
    monkeypatch.setenv("REGISTRY_DEPARTMENT", "Sở Thông tin và Truyền thông")
    monkeypatch.setenv("REGISTRY_DEPARTMENT_EN", "Department of Information and Communications")
    names = config.settings(str(tmp_path))
    assert names["REGISTRY_PROVINCE"] == "Lai Châu"
    assert names["REGISTRY_DEPARTMENT"] == "Sở Thông tin và Truyền thông"
    assert names["REGISTRY_DEPARTMENT_EN"] == "Department of Information and Communications"


def test_only_the_setting_names_the_department_and_the_verifier_is_not_an_inspector():
    """The department that verifies changed its name (1 March 2025): no page, message or e-mail
    names it but through REGISTRY_DEPARTMENT; "kiểm tra viên" is a rank of the Party's inspection."""
    root = Path(__file__).resolve().parent.parent
    words = [*(root / "templates").rglob("*.html"),
             *(p for p in (root / "registry").rglob("*.py") if "sample" not in p.parts and p.name != "config.py")]
    assert len(words) > 100
    for path in words:
        text = path.read_text(encoding="utf-8")
        assert "Sở Thông tin và Truyền thông" not in text and "kiểm tra viên" not in text, path


def test_pages_use_the_configured_names(app, client):
    app.config.update(REGISTRY_PROVINCE="Lai Châu", REGISTRY_DEPARTMENT="Sở Khoa học và Công nghệ tỉnh",
                      REGISTRY_DEPARTMENT_EN="Provincial Department of Science and Technology")
    vi = client.get("/open-data").get_data(as_text=True)
    assert "tỉnh Lai Châu" in vi and "Điện Biên" not in vi.replace("Dữ liệu minh họa Điện Biên", "")
    assert "Sở Khoa học và Công nghệ tỉnh" in vi
    login = client.get("/login").get_data(as_text=True)
    assert "chuyên viên thẩm định" in login and "kiểm tra viên" not in login
    assert 'type="email"' in login


def test_words_of_the_political_system():
    from registry.core.vocabulary import label

    assert label("kind", "political_org") == "cơ quan Đảng, Mặt trận và các tổ chức chính trị - xã hội"
    assert label("role", "auditor") == "chuyên viên thẩm định"


# --- English beside the Vietnamese original ----------------------------------------------------

def test_a_citation_in_english_keeps_the_vietnamese_original(app):
    from registry.web.templating import citation

    text = "Quyết định 1529/QĐ-UBND ngày 25/8/2009 của UBND tỉnh Điện Biên, mục 3.b"
    with app.test_request_context("/?lang=en"):
        shown = str(citation(text))
    assert shown.startswith("Decision 1529/QĐ-UBND of 25 August 2009 of the People&#39;s Committee of "
                            "Điện Biên Province, section 3.b (")
    assert f'<span lang="vi">{text}</span>' in shown
    with app.test_request_context("/?lang=vi"):
        assert citation(text) == text
    with app.test_request_context("/?lang=en"):  # nothing half-translated: the original alone
        assert str(citation("Kế hoạch số 12 của Sở")) == '<span lang="vi">Kế hoạch số 12 của Sở</span>'


def test_sectors_in_english(client, make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    make.service(agency, code="1.001", sector="Hộ tịch")
    make.service(agency, code="1.002", sector="Lĩnh vực mới chưa dịch")
    make.period(2015)
    en = client.get("/services?lang=en").get_data(as_text=True)
    assert "<td>Civil status registration</td>" in en and "<td>Lĩnh vực mới chưa dịch</td>" in en
    assert '<option value="Hộ tịch">Civil status registration</option>' in en  # the filter keeps the data's value
    assert "<td>Hộ tịch</td>" in client.get("/services?lang=vi").get_data(as_text=True)


def test_a_service_falling_from_level_2_to_0_is_flagged(client, make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    make.period(2014)
    make.submission(agency, 2014, levels={service.id: 2}, auditor=make.user("auditor"))
    make.period(2015)
    focal = make.user("focal", agency)
    client.post("/login", data={"email": focal.email, "password": "correct horse battery"})
    client.post("/workspace/so-tp/2015", data={
        "version": "0", "action": "save", "service": "1.001", "svc-1.001-level": "0", "svc-1.001-info_url": "",
        "svc-1.001-form_url": "", "svc-1.001-submission_url": "", "svc-1.001-note": ""})
    page = client.get("/workspace/so-tp/2015").get_data(as_text=True)
    assert "mức độ thấp hơn kỳ 2014 (mức 2) — hãy kiểm tra lại" in page
