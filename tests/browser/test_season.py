"""A whole reporting season in the browser: the focal point submits, the auditor returns
and verifies, and the public figures change."""

import re

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def season(make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp", tier="province", kind="department")
    make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    make.service(agency, code="1.002", name="Chứng thực bản sao từ bản chính")
    make.period(2015)
    return {"focal": make.user("focal", agency, email="focal@so-tp.example"),
            "auditor": make.user("auditor", email="auditor@dic.example")}


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def level1_row(page, base):
    page.goto(base + "/?period=2015")
    return page.locator("#target-services_level1_pct")


REPORT = {"Có mạng nội bộ (LAN)": "có", "Kết nối mạng diện rộng (WAN) của tỉnh": "có",
          "Có Internet tốc độ cao (băng thông rộng)": "có", "Có kết nối Internet (mọi loại đường truyền)": "có",
          "Cơ quan có hộp thư điện tử chính thức": "có",
          "Trao đổi thông tin qua mạng với Trung tâm tích hợp dữ liệu của tỉnh": "có",
          "Tra cứu, cập nhật văn bản quy phạm pháp luật qua mạng": "có",
          "Có cơ sở dữ liệu quản lý chuyên ngành": "không"}
COUNTS = {"Tổng số cán bộ, công chức, viên chức": "40", "Số người làm việc trên máy tính": "38",
          "Số người có hộp thư điện tử công vụ": "41",  # more than the staff: refused
          "Số người làm việc trên máy tính có hộp thư điện tử công vụ": "30",
          "Tổng số văn bản đi và đến trong kỳ": "1200", "Số văn bản được quản lý, xử lý trên mạng": "1100"}


def test_whole_season(new_page, live_server, season, artifacts):
    public = new_page()
    before = level1_row(public, live_server).inner_text()
    # nothing verified: every service counts at level 0, and the coverage says why
    assert "0,0\u00a0%" in before and "chưa đạt" in before and "Tử số 0 trên mẫu số 2" in before
    assert "0 trên 2 thủ tục hành chính" in before

    focal = new_page()
    sign_in(focal, live_server, "focal@so-tp.example")
    focal.get_by_role("link", name="Cập nhật báo cáo 2015").click()
    for label, value in REPORT.items():
        focal.get_by_label(label, exact=True).select_option(label=value)
    for label, value in COUNTS.items():
        focal.get_by_label(label, exact=True).fill(value)
    for code in ("1.001", "1.002"):
        service = focal.locator("fieldset.service").filter(has_text=code)
        service.get_by_label("Mức độ").select_option("1")
        service.get_by_label("Minh chứng: trang thông tin thủ tục").fill(f"https://dvc.example/{code}")
    focal.get_by_role("button", name="Lưu và gửi xác minh").click()

    # the mistake is pointed out next to its field, and what was typed is still there
    error = focal.locator("#f-staff_with_email-error")
    assert "không được lớn hơn" in error.inner_text()
    assert focal.get_by_label("Số người có hộp thư điện tử công vụ").input_value() == "41"
    focal.screenshot(path=str(artifacts / "season-validation.png"), full_page=True)
    focal.get_by_label("Số người có hộp thư điện tử công vụ").fill("30")
    focal.get_by_role("button", name="Lưu và gửi xác minh").click()
    # saved, then asked: the page sums up what will be sent
    assert "Gửi báo cáo kỳ 2015 để xác minh?" in focal.locator("h1").inner_text()
    assert "https://dvc.example/1.002" in focal.content()
    focal.get_by_role("button", name="Xác nhận gửi báo cáo").click()
    assert "Đã gửi báo cáo" in focal.locator(".flashes").inner_text()
    assert "đã gửi" in focal.locator(".badge").first.inner_text()

    auditor = new_page()
    sign_in(auditor, live_server, "auditor@dic.example")
    auditor.get_by_role("link", name=re.compile("Sở Tư pháp|2015")).first.click()
    auditor.locator("#f-return-comment").fill("Đường dẫn minh chứng 1.002 không mở được.")
    auditor.get_by_role("button", name="Trả lại báo cáo").click()
    assert "bị trả lại" in auditor.content()

    focal.goto(live_server + "/workspace/so-tp/2015")
    assert "Đường dẫn minh chứng 1.002 không mở được." in focal.locator(".comments").inner_text()
    service = focal.locator("fieldset.service").filter(has_text="1.002")
    service.get_by_label("Minh chứng: trang thông tin thủ tục").fill("https://dvc.example/thu-tuc/1.002")
    focal.get_by_role("button", name="Lưu và gửi xác minh").click()
    focal.get_by_role("button", name="Xác nhận gửi báo cáo").click()
    assert "Đã gửi báo cáo" in focal.locator(".flashes").inner_text()
    assert "đang chờ chuyên viên thẩm định xác minh" in focal.locator("#read-only-reason").inner_text()

    auditor.goto(live_server + "/review/so-tp/2015")
    auditor.get_by_role("button", name="Xác minh báo cáo").click()
    assert "Xác minh báo cáo kỳ 2015 của Sở Tư pháp?" in auditor.locator("h1").inner_text()
    auditor.get_by_label("Ý kiến (không bắt buộc)").fill("Đầy đủ minh chứng.")
    auditor.get_by_role("button", name="Xác nhận xác minh").click()
    assert "đã xác minh" in auditor.content()

    after = level1_row(public, live_server)
    text = after.inner_text()
    assert "100,0\u00a0%" in text and "Tử số 2 trên mẫu số 2" in text and "chưa đạt" not in text
    public.screenshot(path=str(artifacts / "season-public.png"), full_page=True)
    for page in (public, focal, auditor):
        assert page.outside_requests == []
    assert public.console_errors == [] and auditor.console_errors == []
    # the refused save answered 422, which Chromium reports; nothing else went wrong
    assert [e for e in focal.console_errors if "422" not in e] == []


def test_the_reminder_letter_prints_to_pdf_without_the_sites_chrome(new_page, live_server, season, artifacts):
    """Issue #15 item 6: the list a DIC attaches to its reminder, a PDF through the print style."""
    auditor = new_page()
    sign_in(auditor, live_server, "auditor@dic.example")
    auditor.goto(live_server + "/review/late/2015/letter")
    letter = auditor.locator("table.letter")
    assert "Sở Tư pháp" in letter.inner_text()
    navigation = auditor.locator("header.site nav.main-nav.wide-only")
    assert navigation.is_visible() and auditor.locator(".no-print").is_visible()
    auditor.emulate_media(media="print")
    # printed: the list and its heading, not the site's navigation, footer or the page's own links
    assert letter.is_visible() and auditor.get_by_role("heading", level=1).is_visible()
    assert not navigation.is_visible() and auditor.locator("header.site nav:visible").count() == 0
    assert not auditor.locator(".no-print").is_visible() and not auditor.locator("footer.site").is_visible()
    pdf = auditor.pdf(format="A4")
    (artifacts / "reminder-letter.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-") and b"/Type /Page" in pdf
