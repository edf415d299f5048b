"""Security headers on every response; no caching of signed-in pages."""

from .test_permission_matrix import build_url, routes


def test_public_page_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    assert response.headers.get("Cache-Control") != "no-store"


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://registry.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_are_not_cached(client, auth, make_user):
    user = make_user("auditor")
    auth.login(user.email)
    assert client.get("/review/").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_https_settings_and_proxy(monkeypatch, tmp_path):
    from registry import create_app

    monkeypatch.setenv("REGISTRY_HTTPS", "1")
    monkeypatch.setenv("REGISTRY_PROXIES", "1")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True

    @app.get("/whoami")
    def whoami():
        from flask import request
        return f"{request.remote_addr} {request.scheme}"

    body = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                                    "X-Forwarded-Proto": "https"}).get_data(as_text=True)
    assert body == "203.0.113.9 https"


def _get_urls(app):
    """Every GET route of the app, with placeholder arguments (a 404 must carry the headers too)."""
    for rule, method in routes(app):
        if method == "GET":
            yield rule.endpoint, build_url(rule, {})

def test_every_route_sends_the_security_headers(app, client, auth, make_user):
    user = make_user("admin")
    for signed_in in (False, True):
        if signed_in:
            auth.login(user.email)
        for endpoint, url in _get_urls(app):
            headers = client.get(url).headers
            assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), (endpoint, url)
            assert headers.get("X-Content-Type-Options") == "nosniff", url
            assert headers.get("X-Frame-Options") == "DENY", url
            if signed_in:
                assert headers.get("Cache-Control") == "no-store", url
