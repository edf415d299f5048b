"""From a figure on the public page down to exactly the procedures behind it, and on to the
agencies that carry one out."""

from sqlmodel import Session

from registry.targets.drilldown import procedure_drilldown, service_drilldown
from registry.targets.engine import compute_targets
from registry.web.db import get_engine


def test_drilldown_link_leads_to_exactly_the_services_counted(page, live_server, demo_data, app):
    with app.app_context():
        with Session(get_engine()) as session:
            result = {r.target.code: r for r in compute_targets(session, 2014)}["services_level3_count"]
            counted = {row.code for row in session.execute(procedure_drilldown(2014, "verified", 3)) if row.counted}
            offered = {code: {row.code for row in session.execute(service_drilldown(2014, "verified", 3, code))}
                       for code in counted}
    page.goto(live_server + "/?period=2014")
    card = page.locator("#target-services_level3_count")
    card.get_by_role("link", name="xem chi tiết từng cơ quan, dịch vụ").click()
    assert page.url.startswith(live_server + "/targets/services_level3_count")
    shown = set(page.locator("table.drilldown tbody td.code").all_inner_texts())
    # 2014 is closed: its page reads what was published, and lists each procedure counted once,
    # as the headline numerator counts them (SPEC v2 rule 3)
    assert shown == counted and len(shown) == result.numerator > 0
    first = page.locator("table.drilldown tbody tr").first
    code = first.locator("td.code").inner_text()
    first.get_by_role("link").click()
    assert f"Các cơ quan thực hiện thủ tục {code}" in page.locator("h2#drilldown").inner_text()
    assert set(page.locator("table.drilldown tbody td.code").all_inner_texts()) == offered[code]
    assert page.console_errors == [] and page.outside_requests == []
