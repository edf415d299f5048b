"""The public home page."""

import re

import pytest


def test_home_without_periods_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Chưa có kỳ báo cáo nào." in page
    assert "Dữ liệu minh họa" not in page  # no demo data loaded here


def test_home_lists_targets_in_vietnamese(client, make):
    make.submission(make.agency(), 2015, "draft", report={})
    page = client.get("/").get_data(as_text=True)
    assert "95% số dịch vụ công được cung cấp trên mạng ở mức độ 1 trở lên" in page
    assert page.count('class="target-card"') == 16
    assert "chưa có dữ liệu" in page  # nothing verified: no data, never "met"
    assert "đạt</span>" not in page.replace("chưa đạt</span>", "")


def test_home_in_english(client, make):
    make.submission(make.agency(), 2015, "draft", report={})
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
    # the public pages open on the latest closed period (rule 10); the open one is a click away
    assert "Kết quả thực hiện chỉ tiêu năm 2014" in page


def drilldown(page: str) -> str:
    """The body of a target page's drill-down table (the chart's table comes before it)."""
    return page.split('<table class="drilldown">')[1].split("<tbody>")[1].split("</tbody>")[0]


def test_drilldown_lists_exactly_what_is_counted(client, demo_data):
    from sqlmodel import Session

    from registry.targets.engine import compute_targets
    from registry.web.db import get_engine

    with client.application.app_context():
        with Session(get_engine()) as session:
            results = {r.target.code: r for r in compute_targets(session, 2014)}
    for code in ("services_level3_count", "agencies_network_pct", "hospitals_network_pct"):
        # 2014 is closed: the drill-down reads what was published, and a service target's lists
        # procedures, as its figure counts them (rule 3)
        counts = results[code]
        page = client.get(f"/targets/{code}?period=2014&show=counted").get_data(as_text=True)
        rows = drilldown(page).count("<tr>")
        assert rows == counts.numerator, code
        everything = client.get(f"/targets/{code}?period=2014&show=all").get_data(as_text=True)
        if counts.denominator <= 100:
            assert drilldown(everything).count("<tr>") == counts.denominator


def test_a_closed_period_drills_from_a_procedure_to_its_offerings(client, demo_data):
    """The published drill-down of 2014 lists each procedure once with how many agencies carry it
    out; its link lists those offerings, each with its agency and level."""
    page = client.get("/targets/services_level1_pct?period=2014&show=all").get_data(as_text=True)
    rows = re.findall(r'<tr>\s*<td class="code">([^<]+)</td>\s*<th scope="row"><a href="([^"]+)">[^<]*</a></th>'
                      r'\s*<td>(\d+)', drilldown(page))
    assert rows and len({code for code, _, _ in rows}) == len(rows)  # each procedure once
    code, link, offerings = max(rows, key=lambda r: int(r[2]))  # one carried out by several agencies
    assert int(offerings) > 1
    offered = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f"Các cơ quan thực hiện thủ tục {code}" in offered
    assert drilldown(offered).count("<tr>") == int(offerings)


def test_target_page_refuses_bad_input_cleanly(client, demo_data):
    assert client.get("/targets/nope").status_code == 404
    assert client.get("/targets/services_level1_pct?period=1999").status_code == 404
    for query in ("show=weird", "page=abc", "page=-3", "page=99999999999999999999"):
        assert client.get(f"/targets/services_level1_pct?{query}").status_code == 200, query


def test_public_page_shows_trend_and_projection(client, demo_data):
    page = client.get("/?period=2014").get_data(as_text=True)
    assert page.count("<svg viewBox") >= 10  # a trend chart per target with two periods or more
    assert "Dự báo: theo xu hướng" in page
    assert "Số liệu qua các kỳ" in page  # the same numbers as a table


@pytest.mark.parametrize("period", [2015, 2014])
def test_the_drilldown_pages_with_counts_back_and_forth(client, demo_data, period):
    """Issue #17: page k of n, first/previous/next/last, on a live list of procedures (2015) and on a
    published one (2014, closed); past the end, the last page."""
    from sqlmodel import Session

    from registry.targets.engine import compute_targets
    from registry.web.db import get_engine

    with client.application.app_context():
        with Session(get_engine()) as session:
            result = {r.target.code: r for r in compute_targets(session, period)}["services_level1_pct"]
    total = result.denominator  # procedures
    pages = -(-total // 100)
    assert pages >= 3
    base = f"/targets/services_level1_pct?period={period}&show=all"
    first = client.get(base).get_data(as_text=True)
    assert f"Trang 1 trên {pages}" in first and drilldown(first).count("<tr>") == 100
    assert f'href="/targets/services_level1_pct?period={period}&amp;show=all&amp;page={pages}#drilldown"' in first
    last = client.get(f"{base}&page={pages}").get_data(as_text=True)
    assert f"Trang {pages} trên {pages}" in last and drilldown(last).count("<tr>") == total - 100 * (pages - 1)
    assert f'href="/targets/services_level1_pct?period={period}&amp;show=all&amp;page={pages - 1}#drilldown"' in last
    beyond = client.get(f"{base}&page={pages + 5}").get_data(as_text=True)
    assert f"Trang {pages} trên {pages}" in beyond
