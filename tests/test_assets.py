"""Static files under URLs that carry their content's digest (registry/web/assets.py), as the
registry serves them itself, without nginx (tests/test_nginx.py: with it)."""

import hashlib
import re
import threading
import time

from flask import url_for

from registry.core.paths import resource
from registry.web import assets

STYLESHEET = "css/site.css"


def _digest(name: str) -> str:
    return hashlib.sha256((resource("static") / name).read_bytes()).hexdigest()[:12]


def test_static_urls_carry_the_digest_of_the_files_content(app):
    with app.test_request_context():
        assert url_for("static", filename=STYLESHEET) == f"/static/{_digest(STYLESHEET)}/{STYLESHEET}"
        assert url_for("static", filename="no-such-file.css") == "/static/no-such-file.css"


def test_pages_link_the_digested_urls(client):
    page = client.get("/").get_data(as_text=True)
    assert f'href="/static/{_digest(STYLESHEET)}/{STYLESHEET}"' in page
    assert f'href="/static/{_digest("favicon.svg")}/favicon.svg"' in page
    assert not re.search(r'"/static/(?![0-9a-f]{12}/)', page)


def test_a_digested_url_is_kept_a_year_and_the_plain_one_five_minutes(client):
    content = (resource("static") / STYLESHEET).read_bytes()
    digested = client.get(f"/static/{_digest(STYLESHEET)}/{STYLESHEET}")
    assert digested.status_code == 200 and digested.data == content
    assert digested.cache_control.max_age == 365 * 24 * 3600
    assert digested.cache_control.immutable and digested.cache_control.public
    plain = client.get(f"/static/{STYLESHEET}")
    assert plain.status_code == 200 and plain.data == content
    assert plain.cache_control.max_age == 300 and not plain.cache_control.immutable


def test_another_releases_digest_gets_the_current_file_never_as_immutable(client):
    stale = client.get(f"/static/0123456789ab/{STYLESHEET}")
    assert stale.status_code == 200 and stale.data == (resource("static") / STYLESHEET).read_bytes()
    assert stale.cache_control.max_age == 300 and not stale.cache_control.immutable


def test_nothing_outside_the_static_folder_is_served(client):
    digest = _digest(STYLESHEET)
    for path in (f"/static/{digest}/no-such-file.css", f"/static/{digest}/../../registry/app.py",
                 f"/static/{digest}/%2e%2e/%2e%2e/pyproject.toml", "/static/../pyproject.toml",
                 f"/static/{digest}//etc/passwd"):
        assert client.get(path).status_code == 404, path


def test_each_files_digest_is_computed_once_per_process(tmp_path, monkeypatch):
    (tmp_path / "a.css").write_text("a")
    computed = []

    def slow_digest(path):
        computed.append(path)
        time.sleep(0.05)
        return "0" * assets.DIGEST_LENGTH

    monkeypatch.setattr(assets, "file_digest", slow_digest)
    digests = assets.Digests(str(tmp_path))
    threads = [threading.Thread(target=digests.of, args=("a.css",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert digests.of("a.css") == "000000000000" and len(computed) == 1
    assert digests.of("missing.css") is None and digests.of("../a.css") is None
