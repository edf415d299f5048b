"""The service catalogue and agency pages in a real browser."""

import re


def test_search_without_diacritics_finds_the_service(page, live_server, artifacts, demo_data):
    page.goto(live_server + "/services")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Danh mục dịch vụ công"

    page.get_by_label("Tìm dịch vụ").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url(re.compile(r"/services\?.*q=dang"))
    names = page.locator("table.catalogue tbody th[scope=row]").all_inner_texts()
    assert "Đăng ký khai sinh" in names
    assert all("khai sinh" in name.lower() for name in names)
    assert page.get_by_role("searchbox").input_value() == "dang ky khai sinh"  # the form keeps the search
    page.screenshot(path=str(artifacts / "catalogue-search.png"), full_page=True)

    # follow a service's agency to its page
    page.locator("table.catalogue tbody tr").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/agencies/[^/?]+"))
    assert page.get_by_role("heading", name="Dịch vụ công của cơ quan").is_visible()
    assert page.locator("table.agency-reports tbody tr").count() == 6  # 2010–2015

    assert page.console_errors == []
    assert page.outside_requests == []


def test_filters_and_next_page_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/services")
        page.get_by_label("Mức độ đã xác minh").select_option("2")
        page.get_by_role("button", name="Tìm").click()
        page.wait_for_url(re.compile(r"level=2"))
        cells = page.locator("table.catalogue tbody td.level").all_inner_texts()
        assert cells and all(text.strip().startswith("Mức độ 2") for text in cells)
        first_page = page.locator("table.catalogue tbody td.code").all_inner_texts()
        next_link = page.get_by_role("link", name="Trang sau")
        if next_link.count():
            next_link.click()
            page.wait_for_url(re.compile(r"page=2"))
            second_page = page.locator("table.catalogue tbody td.code").all_inner_texts()
            assert not set(first_page) & set(second_page)
            assert "level=2" in page.url

        page.goto(live_server + "/agencies")
        page.get_by_label("Tìm cơ quan").fill("tuan giao")
        page.get_by_role("button", name="Tìm").click()
        assert page.get_by_role("link", name="Ủy ban nhân dân huyện Tuần Giáo").count() >= 1
    finally:
        context.close()
