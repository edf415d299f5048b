"""The public home page."""


def test_home_lists_targets_in_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "95% số dịch vụ công được cung cấp trên mạng ở mức độ 1 trở lên" in page
    assert "Dữ liệu minh họa" not in page  # no demo data loaded here


def test_home_in_english(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "95% of public services provided online at level 1 or above" in page
    # the choice is remembered
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
