"""WCAG 2.1 AA checks with axe-core (from the npm registry) on the public pages."""

from pathlib import Path

import pytest

from tests.conftest import unavailable

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/?period=2014&lang=en", "/targets/services_level1_pct?period=2014",
         "/targets/documents_online_pct?period=2014&show=all", "/services?q=dang+ky", "/agencies",
         "/agencies/so-tttt", "/open-data"]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        unavailable("accessibility tests need axe-core: cd tests/browser && npm ci")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, axe_source) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def audited_page(browser, live_server):
    # axe-core is injected as a script the pages' Content-Security-Policy rightly forbids
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations(audited_page, page, live_server, demo_data, axe_source, path):
    page.goto(live_server + path)  # as a visitor sees it, under the real policy
    assert page.console_errors == [] and page.outside_requests == []
    audited_page.goto(live_server + path)
    assert serious_violations(audited_page, axe_source) == []
