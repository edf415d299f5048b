"""Stored XSS in a real browser: the payload corpus of tests/test_stored_xss.py, saved in every
text field, never opens a dialog on any page, under the Content-Security-Policy and even
with the policy switched off (so that escaping alone is shown to hold, and the policy is a
second wall, not the only one).

Each person signs in through the sign-in page with their payload e-mail address and opens
every page of the url map they may see (the objects holding the most payloads). On each:
the policy header is sent, no dialog opens, the console reports no policy violation or any
other error, nothing is requested outside 127.0.0.1, and the DOM holds no script but the
registry's own files (static/js), no event handler and no non-web link. A few payloads are looked up where a person reads them, to show the
browser displays them as plain text.
"""

import pytest

from registry.core.validation import clean_text
from tests.browser.conftest import _watched_page
from tests.factories import PASSWORD
from tests.test_stored_xss import (  # noqa: F401  (cheap_password_hashing is an autouse fixture)
    MAIN,
    OWN_SCRIPT,
    VIEWERS,
    YEAR,
    build_world,
    cheap_password_hashing,
    page_urls,
)

# What the browser itself finds in the DOM: elements that run or load, event handlers,
# links and forms that lead anywhere but a web address, and a moved base URL.
DOM_PROBLEMS = r"""(ownScript) => {
  const problems = [];
  document.querySelectorAll('iframe, frame, object, embed, base, img, style, math, video, audio')
    .forEach(el => problems.push('<' + el.tagName.toLowerCase() + '>'));
  // The one kind of script allowed: the registry's own file (OWN_SCRIPT), no inline text.
  document.querySelectorAll('script').forEach(el => {
    const own = new RegExp('^(?:' + ownScript + ')$').test(el.getAttribute('src') || '');
    if (!own || el.textContent !== '') problems.push('<script> ' + (el.getAttribute('src') || 'inline'));
  });
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      if (attribute.name.startsWith('on')) problems.push(el.tagName + ' ' + attribute.name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attribute.name)) {
        let scheme = 'http:';  // a link the browser cannot parse leads nowhere
        try { scheme = new URL(attribute.value, location.href).protocol; } catch (error) {}
        if (scheme !== 'http:' && scheme !== 'https:') problems.push(el.tagName + ' ' + attribute.name + '=' + attribute.value);
      }
    }
  }
  if (document.baseURI !== location.href) problems.push('base URI ' + document.baseURI);
  return problems;
}"""

# Pages the browser cannot show: JSON and downloads (checked over HTTP by tests/test_stored_xss.py).
NOT_PAGES = ("api.", "opendata.download", "review.audit_csv", "rankings.comparison_download", "admin.import_template")

# (viewer, path, selector, marker): a payload is shown by the browser as the plain text it is.
# (The language is named in every public path: a session keeps the last one chosen.)
READ_AS_TEXT = (
    ("anonymous", f"/agencies/{MAIN}?lang=vi", "h1", "zqan00"),
    ("anonymous", f"/agencies/{MAIN}?lang=en", "h1", "zqae00"),
    ("anonymous", f"/services?period={YEAR}&lang=vi", "table.catalogue", "zqsn01"),
    ("focal", f"/workspace/{MAIN}/{YEAR}", ".comments", "zqrc08"),
    ("focal", "/account/tokens", "table", "zqtk10"),
    ("auditor", f"/review/{MAIN}/{YEAR}", ".comments", "zqvc19"),
    ("auditor", f"/review/{MAIN}/{YEAR}", "table.services", "zqno11"),
    ("admin", "/admin/users", "table", "zqem02"),
    ("admin", "/admin/targets", "table", "zqtc22"),
)


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def pages_for(world) -> dict[str, list[str]]:
    """Each viewer's pages: the first URL of every HTML endpoint in each language it is
    walked in, among those that answer the viewer 200."""
    first: dict[tuple[str, bool], str] = {}
    for endpoint, url in page_urls(world):
        if not endpoint.startswith(NOT_PAGES) and "format=" not in url:
            first.setdefault((endpoint, "lang=en" in url), url)
    return {viewer: [url for url in first.values() if world.clients[viewer].get(url).status_code == 200]
            for viewer in VIEWERS}


def open_as(browser, base: str, world, viewer: str, bypass_csp: bool = False):
    """A page of a new browser context (one person), signed in through the sign-in page,
    recording console errors, outside requests, uncaught errors and dialogs (dismissed)."""
    context = browser.new_context(locale="vi-VN", bypass_csp=bypass_csp)
    page = _watched_page(context)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    if viewer != "anonymous":
        email = world.emails[viewer]
        page.goto(base + "/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{email!r} could not sign in in the browser"
    return context, page


@pytest.mark.parametrize("policy", ["enforced", "bypassed"])
def test_no_payload_ever_opens_a_dialog(world, browser, live_server, policy):
    pages = pages_for(world)
    assert len(pages["anonymous"]) >= 8 and len(pages["admin"]) >= 15, pages
    problems, visited = [], 0
    for viewer in VIEWERS:
        context, page = open_as(browser, live_server, world, viewer, bypass_csp=policy == "bypassed")
        for url in pages[viewer]:
            response = page.goto(live_server + url)
            visited += 1
            where = f"{viewer} {url}"
            csp = response.headers.get("content-security-policy", "")
            if "script-src 'self'" not in csp or "unsafe-inline" in csp:
                problems.append(f"{where}: Content-Security-Policy {csp!r}")
            problems += [f"{where}: {p}" for p in page.evaluate(DOM_PROBLEMS, OWN_SCRIPT.pattern)]
            for name in ("dialogs", "console_errors", "outside_requests"):
                problems += [f"{where}: {name} {item!r}" for item in getattr(page, name)]
                getattr(page, name).clear()
        context.close()
    assert problems == [], "\n".join(problems[:40])
    assert visited >= 40


def test_payloads_read_as_plain_text(world, browser, live_server):
    opened = {}
    try:
        for viewer, path, selector, marker in READ_AS_TEXT:
            if viewer not in opened:
                opened[viewer] = open_as(browser, live_server, world, viewer)
            page = opened[viewer][1]
            page.goto(live_server + path)
            shown = page.locator(selector).first.inner_text()
            payload = clean_text(world.payloads[marker])
            assert payload in shown or payload.lower() in shown, (path, marker, payload, shown[:500])
            assert page.console_errors == [] and page.dialogs == []
    finally:
        for context, _page in opened.values():
            context.close()
