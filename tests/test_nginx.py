"""The production front, as docs/DEPLOY.md sets it up: Debian's nginx with the shipped
docs/deploy/nginx/registry.conf filled in (bench/front.py, which the benchmark uses too), in
front of gunicorn running the registry with REGISTRY_PROXIES=1 on a database prepared with
``registry init`` and ``registry demo``.

One nginx and one gunicorn serve the whole module; the tests run in order. nginx's cache keeps
time in whole seconds, so "one second" (``proxy_cache_valid 200 1s``) lasts until the end of
the next second: the tests wait 2.1 s where a page must have been revalidated. Without nginx
the tests skip, outside CI; in CI they fail.
"""

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from bench import front
from bench.servers import REGISTRY_APP, Server, ServerSettings
from registry.config import normalise_database_url
from registry.models import AuditEvent
from tests.conftest import TEST_DATABASE_URL, unavailable

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YEAR = 2015
CACHE_SECOND = 2.1  # nginx's "1s", at its one-second clock, and a margin
LIMIT = 16 * 1024 * 1024  # the registry's MAX_CONTENT_LENGTH
DEMO_LOGIN = re.compile(r"^\s+(admin|auditor|focal)\s+(\S+@\S+)\s+(\S+)\s*$", re.MULTILINE)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_the_shipped_configuration_matches_the_registry(tmp_path, monkeypatch):
    """What nginx is told about the registry is what the registry is: its body limit, its
    session cookie, and every placeholder explained in docs/DEPLOY.md."""
    from registry import create_app

    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "x"})
    text = front.CONFIG.read_text(encoding="utf-8")
    size = re.search(r"^\s*client_max_body_size (\d+)([km]?);", text, re.MULTILINE)
    assert int(size.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[size.group(2)] == \
        app.config["MAX_CONTENT_LENGTH"]
    bypass = re.search(r"^\s*proxy_cache_bypass (.+);", text, re.MULTILINE).group(1).split()
    assert f"$cookie_{app.config['SESSION_COOKIE_NAME']}" in bypass and "$http_authorization" in bypass
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    for name in set(front.PLACEHOLDER.findall(text)):
        assert f"@{name}@" in deploy, name


# --- one registry behind one nginx for the module ------------------------------------------------

@dataclass
class Site:
    nginx: front.Front
    app: Server
    database_url: str
    logins: dict[str, tuple[str, str]]  # role (focal: the first) -> (e-mail, password)
    token: str  # the demo auditor's API token

    def get(self, path: str, **headers) -> requests.Response:
        """An anonymous GET through nginx: no cookie, no redirect followed."""
        return requests.get(self.nginx.url(path), headers=headers, timeout=60, allow_redirects=False)

    def access_log(self) -> list[str]:
        return (self.nginx.logs / "nginx-access.log").read_text().splitlines()

    def logged(self, lines_before: int) -> str:
        """The access log's line for the one request made since it had ``lines_before`` lines (nginx
        writes it once the answer has gone, so it may come a moment after the client has read it)."""
        deadline = time.monotonic() + 5
        while len(lines := self.access_log()) <= lines_before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(lines) == lines_before + 1, lines[lines_before:]
        return lines[-1]


def _registry(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "registry"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    reason = front.unavailable_reason()
    if reason:
        unavailable(f"{reason}: the nginx front is not tested")
    folder = tmp_path_factory.mktemp("nginx")
    if TEST_DATABASE_URL:
        database_url = request.getfixturevalue("postgres_server").create_database()
    else:
        database_url = f"sqlite:///{folder / 'registry.db'}"
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(DATABASE_URL=database_url, SECRET_KEY="nginx-test-secret", REGISTRY_PROXIES="1",
               REGISTRY_INSTANCE_PATH=str(folder / "instance"))
    _registry(env, "init")
    logins = {}
    for role, email, password in DEMO_LOGIN.findall(_registry(env, "demo")):
        logins.setdefault(role, (email, password))
    token = _registry(env, "token", "create", logins["auditor"][0]).strip()
    with Server(REGISTRY_APP, env, ServerSettings(workers=2), folder / "gunicorn.log") as app, \
            front.Front(app, folder, workers=1) as nginx:
        yield Site(nginx, app, database_url, logins, token)


# --- public pages: cached for a second, then revalidated with the registry's ETag ----------------

def test_a_public_page_is_served_from_the_cache_and_revalidated_with_the_etag(site):
    first = site.get("/")
    second = site.get("/")
    assert first.status_code == second.status_code == 200
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text
    assert "public" in first.headers["Cache-Control"] and first.headers["ETag"].startswith('W/"')

    time.sleep(CACHE_SECOND)
    lines = len(site.access_log())
    third = site.get("/")
    assert third.status_code == 200 and third.text == first.text
    assert third.headers["X-Cache-Status"] == "REVALIDATED"
    assert third.headers["ETag"] == first.headers["ETag"]
    # the registry answered nginx's If-None-Match with 304 (the log: cache status, then upstream status)
    assert " REVALIDATED 304 " in site.logged(lines)
    assert site.get("/").headers["X-Cache-Status"] == "HIT"


def _submitted_agency(site: Site) -> str:
    """An agency whose submission for YEAR waits for an auditor."""
    auth = {"Authorization": f"Bearer {site.token}"}
    agencies, cursor = [], None
    while True:
        page = requests.get(site.nginx.url("/api/v1/agencies"), timeout=60,
                            params={"limit": 200, **({"after": cursor} if cursor else {})}).json()
        agencies += page["agencies"]
        cursor = page.get("next")
        if not cursor:
            break
    for agency in agencies:
        answer = requests.get(site.nginx.url(f"/api/v1/agencies/{agency['code']}/submissions/{YEAR}"),
                              headers=auth, timeout=60)
        if answer.status_code == 200 and answer.json().get("state") == "submitted":
            assert answer.headers["X-Cache-Status"] == "BYPASS"  # a token's request never meets the cache
            return agency["code"]
    pytest.fail("the demonstration data has no submitted submission")


def _post_from(address: str, port: int, path: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
    """A POST to nginx from another loopback address (nginx sees it as the client's)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=60, source_address=(address, 0))
    try:
        connection.request("POST", path, body=body, headers={"Content-Length": str(len(body)), **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_verification_shows_once_the_cached_second_is_over(site):
    # the public default is the latest closed period (SPEC v2): the open period's provisional figures move
    page = f"/?period={YEAR}"
    before = site.get(page)
    assert before.status_code == 200
    code = _submitted_agency(site)
    # verified through the API, by a client at 127.0.0.2 that claims to be somewhere else
    status, body = _post_from("127.0.0.2", site.nginx.port, f"/api/v1/agencies/{code}/submissions/{YEAR}/verify",
                              {"Authorization": f"Bearer {site.token}", "Content-Type": "application/json",
                               "X-Forwarded-For": "203.0.113.66"}, b"{}")
    assert status == 200, body[:500]

    time.sleep(CACHE_SECOND)
    after = site.get(page)
    assert after.status_code == 200
    assert after.headers["X-Cache-Status"] == "EXPIRED"  # revalidated, and the registry sent the new page
    assert after.headers["ETag"] != before.headers["ETag"] and after.text != before.text
    assert site.get(page).text == after.text

    # the registry took the client's address from nginx's X-Forwarded-For, not the client's own claim
    engine = create_engine(normalise_database_url(site.database_url))
    try:
        with engine.connect() as connection:
            event = connection.execute(select(AuditEvent.action, AuditEvent.address, AuditEvent.source)
                                       .order_by(AuditEvent.id.desc()).limit(1)).one()
    finally:
        engine.dispose()
    assert event.source == "api" and "verif" in event.action
    assert event.address == "127.0.0.2"


def test_api_responses_are_kept_per_language(site):
    path = "/api/v1/agencies?limit=3"
    english = requests.get(site.nginx.url(path), headers={"Accept-Language": "en"}, timeout=60)
    vietnamese = requests.get(site.nginx.url(path), headers={"Accept-Language": "vi"}, timeout=60)
    again = requests.get(site.nginx.url(path), headers={"Accept-Language": "en"}, timeout=60)
    assert english.json() != vietnamese.json()
    assert again.headers["X-Cache-Status"] == "HIT" and again.json() == english.json()


# --- signed-in pages ------------------------------------------------------------------------------

def test_signed_in_pages_are_never_cached_nor_served_from_the_cache(site):
    email, password = site.logins["focal"]
    browser = requests.Session()
    form = browser.get(site.nginx.url("/login"), timeout=60)
    token = CSRF.search(form.text).group(1)
    signed_in = browser.post(site.nginx.url("/login"), data={"email": email, "password": password,
                                                             "csrf_token": token},
                             timeout=60, allow_redirects=False)
    assert signed_in.status_code == 302, signed_in.text[:500]

    site.get("/")  # the public copy is in the cache
    for path in ("/", "/workspace/", "/"):
        page = browser.get(site.nginx.url(path), timeout=60, allow_redirects=False)
        assert page.status_code == 200, (path, page.status_code)
        assert page.headers["X-Cache-Status"] == "BYPASS", path
        assert page.headers["Cache-Control"] == "no-store", path
        assert email in page.text, path  # the signed-in page names its user, the public copy does not

    for _ in range(2):
        public = site.get("/")
        assert public.status_code == 200 and email not in public.text
    assert public.headers["X-Cache-Status"] == "HIT"
    workspace = site.get("/workspace/")
    assert workspace.status_code == 302 and email not in workspace.text  # to the sign-in page


# --- the Host header ------------------------------------------------------------------------------

def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                break
        return received


def test_a_forged_host_gets_no_answer_and_changes_nothing(site):
    port = site.nginx.port
    for request in (b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    b"GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                    b"GET / HTTP/1.0\r\n\r\n"):
        assert _raw(port, request) == b"", request  # 444: the connection is closed without a word

    # the right name with forged forwarding headers, on a page not yet cached: the registry hears
    # nginx's headers, not these, and what it answers is what everyone gets
    page = site.get("/?forwarded=1", **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
                                        "X-Forwarded-For": "203.0.113.66"})
    assert page.status_code == 200 and page.headers["X-Cache-Status"] == "MISS"
    assert "evil.example" not in page.text
    assert "Strict-Transport-Security" not in page.headers  # not taken for HTTPS
    assert "evil.example" not in site.get("/?forwarded=1").text


# --- static files, request size -------------------------------------------------------------------

def test_digested_static_files_are_served_by_nginx_for_a_year(site):
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', site.get("/").text).group(1)
    assert re.fullmatch(r"/static/[0-9a-f]{12}/css/site\.css", stylesheet)
    served = site.get(stylesheet)
    assert served.status_code == 200
    assert served.content == (front.STATIC / "css" / "site.css").read_bytes()
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["Content-Type"].startswith("text/css")
    assert "X-Cache-Status" not in served.headers and "Content-Security-Policy" not in served.headers  # nginx's own
    plain = site.get("/static/css/site.css")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "max-age=300"

    # the registry alone (make run, no nginx) serves the same URLs with the same lifetimes
    direct = requests.get(site.app.url(stylesheet), timeout=60)
    assert direct.status_code == 200 and direct.content == served.content
    assert "immutable" in direct.headers["Cache-Control"] and "max-age=31536000" in direct.headers["Cache-Control"]
    assert "max-age=300" in requests.get(site.app.url("/static/css/site.css"), timeout=60).headers["Cache-Control"]


def test_a_body_over_the_registrys_limit_is_refused_by_nginx(site):
    path = f"/api/v1/agencies/so-tttt/submissions/{YEAR}"
    lines = len(site.access_log())
    answer = _raw(site.nginx.port, (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    f"Content-Length: {LIMIT + 1}\r\nConnection: close\r\n\r\n").encode())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert site.logged(lines).split()[-2] == "-"  # no upstream status: the registry never saw it
    # a body of exactly the limit passes nginx and is the registry's to judge (it reads the whole
    # body, then refuses an auditor's write)
    at_limit = requests.put(site.nginx.url(path), data=b" " * LIMIT, timeout=120,
                            headers={"Content-Type": "application/json", "Authorization": f"Bearer {site.token}"})
    assert at_limit.status_code in (403, 422), at_limit.status_code
