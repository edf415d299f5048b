"""The shared public responses cannot be poisoned (issue #16, item 1; SECURITY.md).

A response kept for every visitor (web/shared.py) may depend only on what it is
kept under: path, query, language and the script root. These tests send what
an attacker sends (another Host, ``?_external=1`` and friends, a forwarded
SCRIPT_NAME, a language in the query that disagrees with Accept-Language) and
then read the same pages as an ordinary visitor.
"""

import pytest

from registry.web import shared

PAGES = ["/", "/services", "/agencies", "/agencies/so-tttt", "/agencies?tier=province", "/open-data"]
URL_FOR_ARGUMENTS = ["_external=1", "_external=1&_scheme=https", "_anchor=x", "_method=POST", "code=x",
                     "_external=1&lang=en"]


@pytest.fixture(autouse=True)
def _fresh_memo():
    shared.clear()
    yield
    shared.clear()


def _poison(app, path: str, **environ) -> None:
    attacker = app.test_client()
    for _ in range(3):
        response = attacker.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
                                environ_overrides=environ)
        assert response.status_code < 500


@pytest.mark.parametrize("page", ["/", "/agencies", "/agencies/so-tttt", "/services"])
def test_query_arguments_do_not_reach_url_for(app, demo_data, page):
    for query in URL_FOR_ARGUMENTS:
        path = f"{page}?{query}"
        _poison(app, path)
        clean = app.test_client().get(path)
        assert clean.status_code == 200, path
        body = clean.get_data(as_text=True)
        assert "evil.example" not in body and "//localhost" not in body, path
        assert "http://" not in body.split("<main", 1)[0], path


def test_a_forwarded_script_name_is_not_served_to_others(app, demo_data):
    for page in PAGES:
        _poison(app, page, SCRIPT_NAME="/evil")
        body = app.test_client().get(page).get_data(as_text=True)
        assert "/evil" not in body and "evil.example" not in body, page


def test_the_script_root_is_part_of_the_key(app, demo_data):
    mounted = app.test_client().get("/agencies", environ_overrides={"SCRIPT_NAME": "/registry"})
    assert 'href="/registry/services' in mounted.get_data(as_text=True)
    plain = app.test_client().get("/agencies")
    assert 'href="/registry/' not in plain.get_data(as_text=True)
    assert mounted.headers["ETag"] != plain.headers["ETag"]


def test_the_language_link_keeps_filters_as_text(app, demo_data):
    body = app.test_client().get("/agencies?tier=province&_external=1").get_data(as_text=True)
    assert 'href="/agencies?tier=province&amp;_external=1&amp;lang=en"' in body


@pytest.mark.parametrize("path", ["/api/v1/agencies", "/api/v1/agencies/so-tttt", "/api/v1/services"])
def test_api_names_follow_the_language_the_response_is_kept_under(app, demo_data, path):
    def names(response):
        data = response.get_json()
        rows = data.get("agencies") or data.get("services") or [data]
        return [row["name"] for row in rows]

    english = names(app.test_client().get(path, headers={"Accept-Language": "en"}))
    vietnamese = names(app.test_client().get(path, headers={"Accept-Language": "vi"}))
    assert english != vietnamese
    shared.clear()
    # the attacker asks for ?lang=en while saying vi in the header, then vi while saying en
    app.test_client().get(f"{path}?lang=en", headers={"Accept-Language": "vi"})
    app.test_client().get(f"{path}?lang=vi", headers={"Accept-Language": "en"})
    assert names(app.test_client().get(f"{path}?lang=en", headers={"Accept-Language": "en"})) == english
    assert names(app.test_client().get(f"{path}?lang=vi", headers={"Accept-Language": "vi"})) == vietnamese
    shared.clear()
    app.test_client().get(path, headers={"Accept-Language": "en"})
    again = app.test_client().get(path, headers={"Accept-Language": "vi"})
    assert names(again) == vietnamese and "Accept-Language" in again.headers.get("Vary", "")


def test_odd_parameters_are_answered_not_crashed_on(app, demo_data):
    for path in ["/api/v1/agencies?after=0|", "/agencies?after=0|", "/agencies/so-tttt?code=x", "/?_method=POST",
                 "/services?_method=DELETE", "/agencies?after=0|abc", "/api/v1/agencies?after=9|"]:
        response = app.test_client().get(path)
        assert response.status_code in (200, 400, 422), path
        if response.status_code != 200:
            assert "không hợp lệ" in response.get_data(as_text=True), path
