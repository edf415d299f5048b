"""Every page in English shows no Vietnamese message (issue 17): each HTML page of the
application (tests/page_routes.py), as the role that may see it, rendered with the
compiled English catalogue (translations/en/LC_MESSAGES/messages.mo, as `make install`
builds it), contains no message of the source in its Vietnamese original.

Data keep their language: an agency without an English name is shown by its Vietnamese
name, so the test looks for messages, not for Vietnamese letters: a text of the page that
is exactly a message, or a long fixed part of a message.
"""

import html
import re

import pytest

from registry.sample.demo import DEMO_USERS
from tests.page_routes import html_pages
from tests.test_i18n import ROOT, source_messages

COMPILED = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.mo"
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", re.I)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)
LONG = 24  # a fixed part of a message this long is not a name in the data


def _messages():
    whole, parts = set(), set()
    for message in source_messages():
        if not VIETNAMESE.search(message):
            continue  # reads the same in English (E-mail, API…)
        if not PLACEHOLDER.search(message):
            whole.add(message.strip())
        for part in PLACEHOLDER.split(message):
            part = part.strip(" .,:;()–-")
            if len(part) >= LONG and VIETNAMESE.search(part):
                parts.add(part)
    return whole, parts


def _texts(page: str) -> list[str]:
    """The texts a reader sees, each a run between tags, with attribute words a reader meets."""
    shown = re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    texts = [" ".join(html.unescape(t).split()) for t in TAGS.split(page)] + [html.unescape(t) for t in shown]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def messages():
    if not COMPILED.exists():
        pytest.fail("compile the catalogues first: make translations")
    return _messages()


def _client_as(app, role):
    client = app.test_client()
    if role:
        email, password = next((e, p) for r, e, p, _ in DEMO_USERS if r == role)
        assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


def test_every_page_in_english_has_no_vietnamese_message(app, demo_data, messages):
    whole, parts = messages
    clients, found = {}, {}
    for _endpoint, path, role in html_pages(app):
        if role not in clients:
            clients[role] = _client_as(app, role)
        client = clients[role]
        response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert '<html lang="en">' in page, path
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "<" not in title and len(title) < 200, (path, title)  # a tab shows text, never a page's markup
        texts = _texts(page)
        left = sorted({t for t in texts if t in whole}
                      | {p for p in parts if any(p in t for t in texts)})
        if left:
            found[path] = left
    report = ROOT / "test-artifacts" / "untranslated-en.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text("".join(f"{path}\n" + "".join(f"    {m}\n" for m in left) for path, left in found.items()),
                      encoding="utf-8")
    assert found == {}, f"untranslated messages: see {report}"
