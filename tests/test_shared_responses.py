"""Public responses kept per generation of the verified figures (registry/web/shared.py).

A visitor who is not signed in is served what the worker rendered for the same
path, query and language while the verified figures hold; these tests make
each kind of change a page depends on and read the page again in both
workers, and check what is never shared.
"""

import re

import pytest
from flask import render_template_string
from flask import session as cookie_session
from sqlmodel import delete

from registry.accounts.tokens import create_api_token
from registry.catalogue import records
from registry.core import generations
from registry.core.memo import TokenMemo
from registry.models import Generation
from registry.web import shared
from tests.factories import PASSWORD, TEST_ACTOR

from . import test_target_cache
from .test_target_cache import YEAR, Statements, engine_of, file_report

world, other_worker = test_target_cache.world, test_target_cache.other_worker  # the same fixtures

AGENCY_PAGE = "/agencies/so-tttt"
SHARED = [AGENCY_PAGE, f"/agencies/so-tttt?period={YEAR}", "/agencies", "/services", f"/services?period={YEAR}",
          f"/targets/services_level1_pct?period={YEAR}", "/", "/api/v1/agencies", "/api/v1/agencies/so-tttt",
          f"/api/v1/services?period={YEAR}", f"/api/v1/services?period={YEAR}&level=1&limit=2",
          "/services?q=thu+tuc", "/api/v1/services?q=thu+tuc", "/agencies?q=so", "/api/v1/agencies?q=so"]


@pytest.fixture(autouse=True)
def _no_responses_kept_before():
    shared.clear()  # (the memo is the process's; another test's responses have other tokens anyway)


def statements_of(app, client, path: str, headers=None):
    with Statements(engine_of(app)) as statements:
        response = client.get(path, headers=headers or {})
    return response, statements.count


@pytest.mark.parametrize("path", SHARED)
def test_a_second_visitor_costs_one_query_and_gets_the_same_response(app, client, world, path):
    first, rendered = statements_of(app, client, path)
    assert first.status_code == 200 and rendered > 1
    again, cost = statements_of(app, app.test_client(), path)
    assert cost == 1  # the tokens
    assert again.get_data() == first.get_data() and again.content_type == first.content_type
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("path", SHARED)
def test_a_client_holding_the_response_gets_304_until_the_figures_change(app, client, make, world, path):
    etag = client.get(path).headers["ETag"]
    unchanged, cost = statements_of(app, client, path, {"If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.get_data() and cost == 1
    file_report(make, world["agency"], world["services"][:2])
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def page_level(client, path: str, code: str) -> str:
    """The level a page shows for service ``code`` (the agency page's table, or the API's field)."""
    response = client.get(path)
    assert response.status_code == 200
    if path.startswith("/api/"):
        return str(next(s["level"] for s in response.get_json()["services"] if s["code"] == code))
    row = response.get_data(as_text=True).split(f">{code}<", 1)[1].split("</tr>", 1)[0]
    return re.search(r'class="level level-(\d)', row).group(1)


@pytest.mark.parametrize("path", [f"{AGENCY_PAGE}?period={YEAR}", f"/api/v1/services?period={YEAR}"])
def test_a_verification_shows_at_once_in_every_worker(client, make, world, other_worker, path):
    workers = [client, other_worker.test_client()]
    assert [page_level(w, path, "1.001") for w in workers] == ["0", "0"]
    file_report(make, world["agency"], world["services"][:2])
    assert [page_level(w, path, "1.001") for w in reversed(workers)] == ["1", "1"]


@pytest.mark.parametrize("path, shows", [(AGENCY_PAGE, "Sở Thông tin và Truyền thông"),
                                         ("/api/v1/agencies/so-tttt", "Sở Thông tin và Truyền thông"),
                                         ("/agencies", "Sở Thông tin và Truyền thông"),
                                         ("/api/v1/agencies", "Sở Thông tin và Truyền thông")])
def test_an_administrators_change_shows_at_once_in_every_worker(client, db, world, other_worker, path, shows):
    workers = [client, other_worker.test_client()]
    for worker in workers:
        assert shows not in worker.get(path).get_data(as_text=True)
    records.update_agency(db, TEST_ACTOR, world["agency"], {"name": shows})
    db.commit()
    for worker in reversed(workers):
        assert shows in worker.get(path).get_data(as_text=True)


def test_a_deactivated_agency_is_gone_at_once(client, db, world, other_worker):
    for worker in (client, other_worker.test_client()):
        assert worker.get(AGENCY_PAGE).status_code == 200
    records.update_agency(db, TEST_ACTOR, world["agency"], {"active": False})
    db.commit()
    for worker in (other_worker.test_client(), client):
        assert worker.get(AGENCY_PAGE).status_code == 404
        assert worker.get("/api/v1/agencies/so-tttt").status_code == 404


def test_each_language_has_its_own_response(client, world):
    vi = client.get("/api/v1/agencies/so-tttt")
    en = client.get("/api/v1/agencies/so-tttt", headers={"Accept-Language": "en"})
    assert vi.headers["ETag"] != en.headers["ETag"]
    page_vi = client.get(AGENCY_PAGE)
    page_en = client.get(AGENCY_PAGE + "?lang=en")
    assert page_vi.headers["ETag"] != page_en.headers["ETag"]
    assert 'lang="en"' in page_en.get_data(as_text=True) and 'lang="vi"' in page_vi.get_data(as_text=True)
    assert "private" in page_en.headers["Cache-Control"]  # it set this visitor's language cookie


def rendered_each_time(app, path: str, **headers) -> bool:
    visitor = app.test_client()
    visitor.get(path, headers=headers)
    response, cost = statements_of(app, visitor, path, headers)
    return "ETag" not in response.headers and cost > 1


def test_searches_are_kept_apart_and_never_push_out_the_pages(app, world, monkeypatch):
    for memo in ("_searches", "_searches_at_the_door"):  # Flask's copies and the door's: one budget each
        monkeypatch.setattr(shared, memo, TokenMemo(1, weight=lambda kept: 0 if not kept[0] else 1))
    visitor = app.test_client()
    visitor.get(AGENCY_PAGE)
    for n in range(5):  # many different searches, more than their budget holds
        assert visitor.get(f"/services?q=thu+tuc+{n}").status_code == 200
    _page, cost = statements_of(app, visitor, AGENCY_PAGE)
    assert cost == 1  # still shared
    _search, cost = statements_of(app, visitor, "/services?q=thu+tuc+4")
    assert cost == 1  # the last search is kept
    _search, cost = statements_of(app, visitor, "/services?q=thu+tuc+0")
    assert cost > 1  # the first one went, within the searches' own budget


@pytest.mark.parametrize("path", [f"{AGENCY_PAGE}?period=abc", "/services?level=9"])
def test_a_page_that_explains_bad_parameters_is_rendered_each_time(app, world, path):
    assert app.test_client().get(path).status_code == 400
    assert rendered_each_time(app, path)


def test_signed_in_visitors_are_never_served_a_shared_response(app, client, auth, world, make_user):
    public = client.get(AGENCY_PAGE)
    auditor = make_user("auditor")
    assert auth.login(auditor.email, PASSWORD).status_code == 302
    response = client.get(AGENCY_PAGE, headers={"If-None-Match": public.headers["ETag"]})
    assert response.status_code == 200 and "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store" and auditor.email in response.get_data(as_text=True)


def test_api_clients_with_a_token_are_answered_afresh(app, db, world, make_user):
    _token, secret = create_api_token(db, TEST_ACTOR, make_user("auditor"), "test")
    db.commit()
    assert rendered_each_time(app, "/api/v1/agencies/so-tttt", Authorization=f"Bearer {secret}")


def renders_of(app, path: str, visitors: int = 2) -> int:
    """How many times ``path``'s view ran for a visitor's first and second request, then another visitor's."""
    first = app.test_client()
    for client in (first, first, app.test_client())[:visitors + 1]:
        response = client.get(path)
        assert response.status_code == 200 and "ETag" not in response.headers
    return app.config["renders"]


def add_view(app, rule: str, render):
    app.config["renders"] = 0

    @shared.per_generation
    def view():
        app.config["renders"] += 1
        return render()

    app.add_url_rule(rule, rule, view)


def test_a_rendering_that_touches_the_visitors_cookie_is_not_shared(app, world):
    def personal():
        cookie_session["seen"] = cookie_session.get("seen", 0) + 1
        return "for this visitor only"

    add_view(app, "/personal", personal)
    assert renders_of(app, "/personal") == 3


def test_a_page_holding_a_csrf_token_is_not_shared(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    add_view(app, "/form", lambda: render_template_string("<input value='{{ csrf_token() }}'>"))
    # (the second request leaves the cookie as it is: the visitor already has their token)
    assert renders_of(app, "/form") == 3


def test_nothing_is_shared_without_a_generation(app, client, db, make):
    make.agency(code="so-tttt")
    db.exec(delete(Generation))  # a database made by create_all, before any change
    db.commit()
    assert generations.tokens(db, "verified") is None
    assert client.get(AGENCY_PAGE).status_code == 200
    assert rendered_each_time(app, AGENCY_PAGE)


def test_a_worker_keeps_responses_up_to_its_byte_budget():
    memo = TokenMemo(100, weight=len)
    memo.put("a", "t", "x" * 60)
    memo.put("b", "t", "y" * 30)
    assert memo.get("b", "t") and memo.get("a", "t")  # a read last
    memo.put("c", "t", "z" * 30)  # 120 bytes: the least recently used goes
    assert memo.get("b", "t") is None and memo.get("a", "t") and memo.get("c", "t")
    memo.put("a", "t", "x" * 10)  # replaced, not counted twice
    assert memo.held == 40
    memo.put("huge", "t", "h" * 101)  # heavier than the budget: kept nowhere, pushes nothing out
    assert memo.get("huge", "t") is None and memo.get("a", "t") and memo.get("c", "t")
