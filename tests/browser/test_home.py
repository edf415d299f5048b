"""The home page in a real browser."""


def test_home_renders_in_vietnamese_and_english(page, live_server, artifacts, demo_data):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Chỉ tiêu ứng dụng công nghệ thông tin"
    assert page.locator(".target-card").count() == 16  # SPEC v2: 16 targets
    page.screenshot(path=str(artifacts / "home-vi.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="95% of public services provided online at level 1 or above", exact=True).is_visible()
    page.screenshot(path=str(artifacts / "home-en.png"), full_page=True)

    assert page.console_errors == []
    assert page.outside_requests == []
