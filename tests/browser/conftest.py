"""Browser tests: the app served on 127.0.0.1 and driven by Playwright in Debian's Chromium.

Playwright's own browser download does not work on these machines, so the
tests launch /usr/bin/chromium (Debian's package, which .ci/run installs).
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import unavailable
from tests.factories import FULL_REPORT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("browser tests need the playwright package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    app.config["WTF_CSRF_ENABLED"] = True  # the browser goes through the real forms
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _watched_page(context):
    page = context.new_page()
    page.console_errors = []
    page.outside_requests = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("request", lambda req: not req.url.startswith(("http://127.0.0.1", "data:", "about:"))
            and page.outside_requests.append(req.url))
    return page


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in separate browser contexts (separate people), each recording
    console errors and any request leaving 127.0.0.1."""
    contexts = []

    def open_page():
        context = browser.new_context(locale="vi-VN")
        contexts.append(context)
        return _watched_page(context)

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def report(make):
    """One agency's draft report of the open period 2015, with one service at level 1 and two
    focal points (a@ and b@so-tp.example): the two-editor and unsaved-edit tests."""
    agency = make.agency(code="so-tp", name="Sở Tư pháp", tier="province", kind="department")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    make.period(2015)
    a = make.user("focal", agency, email="a@so-tp.example")
    make.user("focal", agency, email="b@so-tp.example")
    make.submission(agency, 2015, "draft", report=FULL_REPORT, levels={service.id: 1}, focal=a)
    return agency
