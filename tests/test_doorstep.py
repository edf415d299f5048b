"""Kept public pages answered at the door, before Flask (registry/web/shared.py, Doorstep).

A visitor with no cookie and no credentials gets the bytes and headers Flask last sent for
the same request while the verified figures hold; everything personal, conditional or
changed goes to Flask. These tests count the requests that reach Flask."""

import pytest

from registry.web import shared

from . import test_target_cache
from .test_target_cache import YEAR, file_report

world = test_target_cache.world  # the same fixture


@pytest.fixture(autouse=True)
def _nothing_kept_before():
    shared.clear()


@pytest.fixture
def reached(app):
    """How many requests reached Flask's own handling (a hook that runs for every one)."""
    count = {"n": 0}

    @app.before_request
    def _reached():
        count["n"] += 1

    return count


def visit(app, path="/", **kwargs):
    return app.test_client().get(path, **kwargs)  # a new client: no cookie


def test_a_visitor_without_cookie_is_answered_at_the_door(app, world, reached):
    first = visit(app)
    assert first.status_code == 200 and reached["n"] == 1
    again = visit(app)
    assert reached["n"] == 1  # Flask was not reached
    assert again.get_data() == first.get_data()
    assert dict(again.headers) == dict(first.headers)  # the security headers, ETag, Vary, Cache-Control
    assert again.headers["Content-Security-Policy"] and again.headers["Cache-Control"] == "public, no-cache"


def test_what_is_personal_or_conditional_goes_to_flask(app, client, auth, make, world, reached):
    visit(app)
    etag = visit(app).headers["ETag"]
    assert reached["n"] == 1
    assert visit(app, headers={"If-None-Match": etag}).status_code == 304 and reached["n"] == 2
    with_cookie = app.test_client()
    with_cookie.set_cookie("session", "anything")
    assert with_cookie.get("/").status_code == 200 and reached["n"] == 3
    assert visit(app, headers={"Authorization": "Bearer nothing"}).status_code == 200 and reached["n"] == 4
    assert app.test_client().head("/").status_code == 200 and reached["n"] == 5
    user = make.user("auditor")
    auth.login(user.email)
    signed_in = client.get("/")
    assert signed_in.headers["Cache-Control"] == "no-store" and user.email in signed_in.get_data(as_text=True)
    before = reached["n"]
    visit(app)
    assert reached["n"] == before  # the signed-in page was never kept for the door


def test_a_page_that_sets_a_cookie_is_never_replayed(app, world, reached):
    first = visit(app, "/?lang=en")
    assert "Set-Cookie" in first.headers
    second = visit(app, "/?lang=en")
    assert "Set-Cookie" in second.headers and reached["n"] == 2


def test_each_language_and_scheme_is_kept_apart(app, world, reached):
    vietnamese = visit(app, "/api/v1/agencies")
    english = visit(app, "/api/v1/agencies", headers={"Accept-Language": "en"})
    assert reached["n"] == 2
    assert visit(app, "/api/v1/agencies", headers={"Accept-Language": "en"}).get_data() == english.get_data()
    assert visit(app, "/api/v1/agencies").get_data() == vietnamese.get_data()
    assert reached["n"] == 2
    secure = visit(app, base_url="https://localhost")
    assert "Strict-Transport-Security" in secure.headers and reached["n"] == 3
    assert "Strict-Transport-Security" not in visit(app).headers


def test_a_verification_shows_at_once(app, make, world, reached):
    path = f"/targets/services_level1_pct?period={YEAR}"
    before = visit(app, path).get_data(as_text=True)
    assert visit(app, path).get_data(as_text=True) == before and reached["n"] == 1
    file_report(make, world["agency"], world["services"][:3])  # three services at level 1, verified
    after = visit(app, path)
    assert reached["n"] == 2 and after.get_data(as_text=True) != before
    assert visit(app, path).get_data() == after.get_data() and reached["n"] == 2


def test_what_flask_refuses_is_not_kept(app, world, reached):
    assert visit(app, "/services?period=abc").status_code == 400
    assert visit(app, "/services?period=abc").status_code == 400 and reached["n"] == 2
    assert visit(app, "/agencies/nowhere").status_code == 404
    assert visit(app, "/agencies/nowhere").status_code == 404 and reached["n"] == 4


def test_a_search_asked_again_is_answered_at_the_door(app, world, reached):
    first = visit(app, "/services?q=thu+tuc")
    assert first.status_code == 200 and reached["n"] == 1
    assert visit(app, "/services?q=thu+tuc").get_data() == first.get_data() and reached["n"] == 1
    assert visit(app, "/services?q=co+quan").status_code == 200 and reached["n"] == 2  # another text


def test_what_was_never_kept_costs_the_door_no_query(app, world, reached):
    from .test_target_cache import Statements, engine_of

    with Statements(engine_of(app)) as statements:
        assert visit(app, "/static/css/site.css").status_code in (200, 404)
    assert statements.count == 0  # a file is never kept, so the door asks nothing
