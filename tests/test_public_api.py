"""The public reads of the JSON API (agencies, services) and the OpenAPI document."""

import os
import re
import time

from sqlmodel import select

from registry.models import REPORT_FIELDS, Agency, Service
from registry.submissions import workflow
from tests import factories
from tests.conftest import unavailable

AGENCY_KEYS = {"code", "name", "name_en", "tier", "kind", "parent_code"}
SERVICE_KEYS = {"code", "name", "name_en", "agency", "sector", "period", "level", "verified", "info_url", "form_url",
                "submission_url", "payment_url", "procedure_code"}
ERROR_KEYS = {"code", "message", "fields"}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) == ERROR_KEYS and error["message"]
    return error


# --- agencies ------------------------------------------------------------------------------------

def test_agencies_shape_filters_and_language(client, db, make_agency):
    province = make_agency(code="ubnd-tinh", kind="people_committee", name="UBND tỉnh")
    province.name_en = "Provincial People's Committee"
    db.add(province)
    db.commit()
    make_agency(code="huyen", tier="district", kind="people_committee", name="UBND huyện Tuần Giáo", parent=province)
    make_agency(code="truong", tier="district", kind="school", name="Trường Tuần Giáo")
    make_agency(code="old", active=False)

    body = client.get("/api/v1/agencies").get_json()
    assert set(body) == {"agencies", "total", "next"}
    assert body["total"] == 3 and body["next"] is None
    assert [a["code"] for a in body["agencies"]] == ["ubnd-tinh", "truong", "huyen"]  # province first; T < U
    for agency in body["agencies"]:
        assert set(agency) == AGENCY_KEYS
    assert body["agencies"][0] == {"code": "ubnd-tinh", "name": "UBND tỉnh", "name_en": "Provincial People's Committee",
                                   "tier": "province", "kind": "people_committee", "parent_code": None}
    assert body["agencies"][2]["parent_code"] == "ubnd-tinh"

    english = client.get("/api/v1/agencies", headers={"Accept-Language": "en"}).get_json()
    assert english["agencies"][0]["name"] == "Provincial People's Committee"
    assert english["agencies"][2]["name"] == "UBND huyện Tuần Giáo"  # no English name: the Vietnamese one

    assert [a["code"] for a in client.get("/api/v1/agencies?tier=district").get_json()["agencies"]] == [
        "truong", "huyen"]
    assert [a["code"] for a in client.get("/api/v1/agencies?kind=school").get_json()["agencies"]] == ["truong"]
    found = client.get("/api/v1/agencies?q=tuan+giao").get_json()
    assert found["total"] == 2 and {a["code"] for a in found["agencies"]} == {"huyen", "truong"}


def test_agency_detail_has_only_verified_reports(client, db, make):
    agency = make.agency(code="so-tttt", name="Sở Thông tin và Truyền thông")
    make.submission(agency, 2013, report=factories.full_report(staff_total=50))
    make.submission(agency, 2014, "submitted", report=factories.full_report(staff_total=60))
    make.submission(agency, 2015, "draft", report=factories.full_report(staff_total=70))
    make.period(2013, "closed")
    body = client.get("/api/v1/agencies/so-tttt").get_json()
    assert set(body) == AGENCY_KEYS | {"reports", "scorecard"}
    # the public's default period is the latest closed one (SPEC §8.2)
    assert body["scorecard"]["period"] == 2013 and body["scorecard"]["score"] is not None
    assert [r["period"] for r in body["reports"]] == [2013]
    assert set(body["reports"][0]["report"]) == set(REPORT_FIELDS)
    assert body["reports"][0]["report"]["staff_total"] == 50

    # a reopened report keeps its last verified copy
    make.period(2013)  # open again, so that its report can be reopened
    make.revise(workflow.find_submission(db, agency, 2013), report={"staff_total": 55}, reason="Sửa")
    assert client.get("/api/v1/agencies/so-tttt").get_json()["reports"][0]["report"]["staff_total"] == 50


def test_agency_not_found(client, make_agency):
    make_agency(code="old", active=False)
    for code in ("old", "nobody", "a" * 300):
        error_of(client.get(f"/api/v1/agencies/{code}"), 404)
    error_of(client.get("/api/v1/agencies/%00"), 422)  # a NUL is refused at the door


# --- services ------------------------------------------------------------------------------------

def test_services_shape_and_verified_levels(client, db, make):
    verified = make.agency(code="verified")
    drafting = make.agency(code="drafting")
    v = make.service(verified, code="v-1", name="Đăng ký khai sinh", sector="Hộ tịch")
    v.name_en = "Birth registration"
    db.add(v)
    db.commit()
    d = make.service(drafting, code="d-1", name="Cấp phép", sector="Xây dựng")
    make.submission(verified, 2015, services={v.id: factories.status(3, v.code, "https://ok.example")})
    make.submission(drafting, 2015, "submitted",
                    services={d.id: factories.status(3, d.code, "https://unverified.example")})

    body = client.get("/api/v1/services").get_json()
    assert set(body) == {"period", "services", "total", "next"}
    assert body["period"] == 2015 and body["total"] == 2 and body["next"] is None
    by_code = {s["code"]: s for s in body["services"]}
    for service in body["services"]:
        assert set(service) == SERVICE_KEYS
    assert by_code["v-1"] == {"code": "v-1", "name": "Đăng ký khai sinh", "name_en": "Birth registration",
                              "agency": "verified", "sector": "Hộ tịch", "period": 2015, "level": 3,
                              "verified": True, "info_url": "https://ok.example/v-1/info_url",
                              "form_url": "https://ok.example/v-1/form_url",
                              "submission_url": "https://ok.example/v-1/submission_url", "payment_url": None,
                              "procedure_code": "v-1"}
    assert by_code["d-1"] == {"code": "d-1", "name": "Cấp phép", "name_en": None, "agency": "drafting",
                              "sector": "Xây dựng", "period": 2015, "level": None, "verified": False,
                              "info_url": None, "form_url": None, "submission_url": None, "payment_url": None,
                              "procedure_code": "d-1"}
    english = client.get("/api/v1/services?q=dang+ky+khai+sinh", headers={"Accept-Language": "en"}).get_json()
    assert [s["name"] for s in english["services"]] == ["Birth registration"]


def test_services_filters(client, db, make):
    a = make.agency(code="a")
    b = make.agency(code="b")
    a1 = make.service(a, code="a-1", name="Một", sector="Hộ tịch")
    a2 = make.service(a, code="a-2", name="Hai", sector="Đất đai")
    make.service(b, code="b-1", name="Ba", sector="Hộ tịch")
    make.submission(a, 2014, levels={a1.id: 1, a2.id: 2})
    make.submission(a, 2015, levels={a1.id: 3, a2.id: 3})

    def codes(query):
        response = client.get(f"/api/v1/services?{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(s["code"] for s in response.get_json()["services"])

    assert codes("agency=a") == ["a-1", "a-2"]
    assert codes("sector=Hộ tịch") == ["a-1", "b-1"]
    assert codes("level=3") == ["a-1", "a-2"]
    assert codes("level=3&period=2014") == []
    assert codes("level=2&period=2014") == ["a-2"]
    assert codes("level=0") == []  # b-1 has no verified data: that is not level 0 (rule 3)
    assert codes("level=none") == ["b-1"]
    assert codes("q=hai") == ["a-2"]
    assert codes("q=HAI&agency=a&level=3&sector=Đất đai") == ["a-2"]
    assert codes("sector=nothing") == []


def test_services_paging_returns_every_row_once(client, db, demo_data):
    expected = set(db.exec(select(Service.code).join(Agency, Agency.id == Service.agency_id)
                           .where(Service.active, Agency.active)).all())
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": 200, "period": 2013, **({"after": after} if after else {})}
        body = client.get("/api/v1/services", query_string=params).get_json()
        assert body["total"] == len(expected) and body["period"] == 2013
        seen += [s["code"] for s in body["services"]]
        pages += 1
        after = body["next"]
        if after is None:
            break
    assert pages == -(-len(expected) // 200)
    assert len(seen) == len(set(seen)) and set(seen) == expected

    agencies, after = [], None
    while True:
        body = client.get("/api/v1/agencies", query_string={"limit": 7, **({"after": after} if after else {})}).get_json()
        agencies += [a["code"] for a in body["agencies"]]
        after = body["next"]
        if after is None:
            break
    # the demonstration set's 77 rows less the province committee, whose office stands for it
    assert len(agencies) == len(set(agencies)) == body["total"] == 76


def test_bad_parameters_are_422_or_404(client, demo_data):
    for query, status, field in (
        ("level=9", 422, "level"), ("level=x", 422, "level"), ("limit=0", 422, "limit"), ("limit=201", 422, "limit"),
        ("limit=abc", 422, "limit"), ("after=nonsense", 422, "after"), ("after=" + "0" * 9000 + "|x", 422, "after"),
        ("period=abc", 422, "period"), ("period=1999", 404, None), ("period=99999999999999999999", 404, None),
        ("agency=nobody", 422, "agency"), ("agency=%00", 422, None), ("q=%00", 422, None),
    ):
        response = client.get(f"/api/v1/services?{query}")
        if status == 200:
            assert response.status_code == 200, query
            continue
        error = error_of(response, status)
        if field:
            assert field in error["fields"], query
    for query in ("tier=city", "kind=ngo", "limit=-1", "after=7|x|y", "after=0|zz|y"):
        error_of(client.get(f"/api/v1/agencies?{query}"), 422)


def test_search_text_longer_than_documented_is_refused_not_cut(client, demo_data):
    longest = "huyện " * 33 + "đi"  # 200 characters: still a search
    assert len(longest) == 200
    assert client.get(f"/api/v1/agencies?q={longest}").status_code == 200
    for path in ("/api/v1/agencies", "/api/v1/services"):
        error = error_of(client.get(f"{path}?q={longest}x"), 422)
        assert "q" in error["fields"] and "200" in error["message"]
        english = client.get(f"{path}?q={longest}x", headers={"Accept-Language": "en"}).get_json()
        assert english["error"]["message"] == "The search text is longer than 200 characters."


def test_no_personal_data_in_the_api(client, demo_data):
    for path in ("/api/v1/agencies?limit=200", "/api/v1/agencies/so-tttt", "/api/v1/services?limit=200",
                 "/api/v1/periods", "/api/v1/openapi.json"):
        assert "@demo.dienbien.example" not in client.get(path).get_data(as_text=True), path


# --- the OpenAPI document ------------------------------------------------------------------------

def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_describes_every_api_route(app, client):
    paths = _document(client)["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
    described = {(p, m) for p, item in paths.items() for m in item}
    assert len(described) >= 12


def test_openapi_document_is_valid(client):
    document = _document(client)
    assert document["openapi"] == "3.0.3"
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    try:
        from openapi_spec_validator import validate
    except ImportError:
        validate = None
    if validate is not None:
        validate(document)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (path, method)
            assert "security" in operation, (path, method)


# --- property-based: schemathesis against the document ---------------------------------------------

def _schemathesis():
    try:
        import schemathesis
    except ImportError:
        unavailable("the schemathesis package is not installed (pip install schemathesis)")
    return schemathesis


def test_schemathesis_get_operations(app, demo_data):
    """Generated requests to every GET operation: never a 5xx, and every answer has a
    documented status and conforms to the document's schema."""
    schemathesis = _schemathesis()
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(method="GET")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "100"))
    started, operations = time.monotonic(), 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(checks=checks)

        run()
        operations += 1
    assert operations >= 7
    assert time.monotonic() - started < 90


def test_a_refusal_at_the_door_of_a_path_no_api_route_matches_is_json(client):
    for response in (client.put("/api/v1/agencies/so-xd/submissions/-1", data=b"\x00",
                                headers={"Content-Type": "application/json"}),
                     client.get("/api/v1/no-such-thing?q=%00")):
        assert response.status_code == 422 and response.mimetype == "application/json"
        assert "NUL" in response.get_json()["error"]["message"]


def test_a_choice_or_number_left_empty_is_refused_not_read_as_any(client, demo_data):
    for path, empty in (("/api/v1/agencies?tier=&kind=department", ["tier"]),
                        ("/api/v1/agencies?kind=%20&limit=", ["kind", "limit"]),
                        ("/api/v1/services?period=&level=", ["level", "period"]),
                        ("/api/v1/targets?period=2015&basis=", ["basis"])):
        error = error_of(client.get(path), 422)
        assert sorted(error["fields"]) == empty, path
    assert client.get("/api/v1/services?q=").status_code == 200  # an empty search is a search for everything


def test_a_number_no_record_can_have_is_not_found_by_every_method(client):
    for method, path in (("GET", "/api/v1/agencies/so-tttt/submissions/2147483648"),
                         ("PUT", "/api/v1/agencies/so-tttt/submissions/68075822997"),
                         ("POST", "/api/v1/agencies/so-tttt/submissions/9223372036854775808/submit")):
        response = client.open(path, method=method, json={"version": 0})
        assert response.status_code == 404, (method, path)  # not 405, as if the GET route could answer
        assert response.get_json()["error"]["message"]
