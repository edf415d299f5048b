"""The public home page."""

from registry import workflow


def test_home_without_periods_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Chưa có kỳ báo cáo nào." in page
    assert "Dữ liệu minh họa" not in page  # no demo data loaded here


def test_home_lists_targets_in_vietnamese(client, db, make_agency):
    workflow.ensure_submission(db, make_agency(), 2015)
    db.commit()
    page = client.get("/").get_data(as_text=True)
    assert "95% số dịch vụ công được cung cấp trên mạng ở mức độ 1 trở lên" in page
    assert page.count('<tr>') == 16  # header + 15 targets
    assert "chưa có dữ liệu" in page  # nothing verified: no data, never "met"


def test_home_in_english(client, db, make_agency):
    workflow.ensure_submission(db, make_agency(), 2015)
    db.commit()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "95% of public services provided online at level 1 or above" in page
    # the choice is remembered
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_unknown_period_is_a_404(client):
    assert client.get("/?period=1999").status_code == 404
    assert client.get("/?period=abc").status_code == 422


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_demo_data_is_marked_and_shows_figures(client, demo_data):
    page = client.get("/").get_data(as_text=True)
    assert "Dữ liệu minh họa" in page
    assert "Kết quả thực hiện chỉ tiêu năm 2015" in page
