"""Who holds a target back, in two clicks from the home page; the ranking's pages pass axe."""

import pytest
from sqlmodel import Session

from registry.rankings.breakdown import breakdown
from registry.rankings.ranking import compute_ranking
from registry.targets.engine import compute_targets
from registry.web.db import get_engine
from tests.browser import test_accessibility
from tests.browser.test_accessibility import serious_violations
from tests.conftest import unavailable

NEW_PAGES = ["/rankings", "/rankings?period=2014&group=districts", "/rankings?group=communes&lang=en",
             "/agencies?period=2014&sort=score", "/agencies?period=2014&district=ubnd-huyen-tuan-giao",
             "/agencies/so-tttt?period=2014", "/targets/documents_online_pct?period=2014"]


def test_from_the_home_page_to_the_agency_holding_a_target_back(page, live_server, demo_data, app):
    with app.app_context():
        with Session(get_engine()) as session:
            result = next(r for r in compute_targets(session, 2014) if r.status == "not_met")
            worst = breakdown(compute_ranking(session, 2014), result.target).rows[0]
    page.goto(live_server + "/?period=2014")
    page.locator(f"#target-{result.target.code}").get_by_role(
        "link", name="xem chi tiết từng cơ quan, dịch vụ").click()  # first click
    page.locator("table.breakdown tbody tr").first.get_by_role("link").click()  # second click
    assert page.url.startswith(f"{live_server}/agencies/{worst.agency.code}")
    assert page.locator("h1").inner_text() == worst.agency.name
    contribution = page.locator("table.contributions tr", has_text=result.target.title_vi)
    assert contribution.count() == 1 and str(worst.missing) in contribution.inner_text()
    assert page.console_errors == [] and page.outside_requests == []


@pytest.fixture(scope="module")
def axe():
    if not test_accessibility.AXE.exists():
        unavailable("accessibility tests need axe-core: cd tests/browser && npm ci")
    return test_accessibility.AXE.read_text(encoding="utf-8")


@pytest.fixture
def audited_page(browser, live_server):
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", NEW_PAGES)
def test_the_new_pages_have_no_serious_violations(audited_page, page, live_server, demo_data, axe, path):
    response = page.goto(live_server + path)
    assert response.status == 200
    assert page.console_errors == [] and page.outside_requests == []
    audited_page.goto(live_server + path)
    assert serious_violations(audited_page, axe) == []
