"""Every page fits a phone and a desktop (issue 17): loaded at 390 px and at 1 280 px,
as the person who may see it, the document never scrolls sideways (a wide table scrolls
inside its own region), the menu opens without JavaScript on a phone, and axe finds no
serious violation. Screenshots of every page go to test-artifacts/layout/.

The pages are every GET route of the application that answers HTML, with sample
arguments from the demonstration data; a new route without a sample fails here.
"""

import re

import pytest

from registry.sample.demo import DEMO_USERS
from tests.browser.test_accessibility import serious_violations
from tests.page_routes import html_pages

WIDTHS = (390, 1280)


def _sign_in(page, base, role):
    email, password = next((e, p) for r, e, p, _ in DEMO_USERS if r == role)
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{role} could not sign in"


def _overflow(page) -> int:
    """How far the document is wider than the window, in CSS pixels."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def _culprits(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !e.parentElement.closest('table, .table-scroll, pre'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))""")


@pytest.fixture
def viewers(browser, live_server):
    contexts = {}

    def open_as(role, width):
        key = (role, width)
        if key not in contexts:
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900},
                                          bypass_csp=True)
            page = context.new_page()
            if role:
                _sign_in(page, live_server, role)
            contexts[key] = (context, page)
        return contexts[key][1]

    yield open_as
    for context, _page in contexts.values():
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(app, demo_data, viewers, live_server, artifacts, axe_source, width):
    shots = artifacts / "layout"
    shots.mkdir(exist_ok=True)
    failures, violations = [], []
    for endpoint, path, role in html_pages(app):
        page = viewers(role, width)
        response = page.goto(live_server + path)
        assert response.status == 200, f"{path} as {role or 'a visitor'}: {response.status}"
        name = re.sub(r"[^a-z0-9]+", "-", f"{endpoint} {path}")[:120]  # one endpoint may show as two pages
        page.screenshot(path=str(shots / f"{width}-{name}.png"), full_page=True)
        if (extra := _overflow(page)) > 0:
            failures.append(f"{path} ({role or 'visitor'}): {extra}px too wide {_culprits(page)}")
        violations += [f"{path}: {v}" for v in serious_violations(page, axe_source)]
    (shots / f"{width}-problems.txt").write_text("\n".join(failures + violations), encoding="utf-8")
    assert failures == []
    assert violations == []


def test_menu_opens_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    wide_menu = page.locator("nav.main-nav.wide-only")
    assert not wide_menu.is_visible()
    link = page.locator("nav.main-nav.narrow-only").get_by_role("link", name="Danh mục dịch vụ công")
    assert not link.is_visible()
    button = page.locator("details.menu > summary")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    button.click()
    assert link.is_visible()
    assert link.bounding_box()["height"] >= 44
    link.click()
    assert page.url.endswith("/services")
    context.close()


def test_wide_screen_shows_the_menu_as_a_bar(page, live_server, demo_data):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server + "/")
    assert page.locator("nav.main-nav.wide-only").get_by_role("link", name="Danh mục dịch vụ công").is_visible()
    assert not page.locator("details.menu").is_visible()


@pytest.fixture(scope="module")
def axe_source():
    from tests.browser.test_accessibility import AXE
    from tests.conftest import unavailable

    if not AXE.exists():
        unavailable("accessibility tests need axe-core: cd tests/browser && npm ci")
    return AXE.read_text(encoding="utf-8")
