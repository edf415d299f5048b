"""GET /api/v1/targets and `registry targets --json` give the same SPEC §5 object."""

import json

KEYS = {"code", "title", "citation", "unit", "comparator", "threshold", "deadline", "numerator", "denominator",
        "value", "met", "coverage", "status", "provisional", "version"}


def test_targets_shape_and_cli_agree(client, runner, demo_data):
    response = client.get("/api/v1/targets?period=2014&basis=verified")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == 2014 and body["basis"] == "verified"
    assert len(body["targets"]) == 16
    for target in body["targets"]:
        service_target = target["code"].startswith("services_")
        assert set(target) == KEYS | ({"counting_unit", "offerings"} if service_target else set())
        if service_target:  # counted over procedures, with the figures over services beside them
            assert target["counting_unit"] == "procedure"
            assert set(target["offerings"]) == {"numerator", "denominator", "value", "coverage"}
            assert target["offerings"]["denominator"] >= target["denominator"]
        assert set(target["coverage"]) == {"covered", "total"}
    cli = runner.invoke(args=["targets", "--period", "2014", "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output) == body


def test_english_titles_by_accept_language(client, demo_data):
    body = client.get("/api/v1/targets?period=2014", headers={"Accept-Language": "en"}).get_json()
    assert body["targets"][0]["title"] == "95% of public services provided online at level 1 or above"


def test_bad_parameters_are_json_errors(client, demo_data):
    for query, status in (("period=1999", 404), ("period=abc", 422), ("", 422),
                          ("period=2014&basis=guess", 422), ("period=99999999999999999999", 404), ("period=%00", 422)):
        response = client.get(f"/api/v1/targets?{query}")
        assert response.status_code == status, query
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["message"]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_periods(client, demo_data):
    body = client.get("/api/v1/periods").get_json()
    assert [p["year"] for p in body["periods"]] == list(range(2010, 2016))
    assert body["periods"][-1]["status"] == "open" and body["periods"][0]["status"] == "closed"


def test_error_messages_follow_accept_language(client):
    vi = client.get("/api/v1/targets?period=1999").get_json()["error"]["message"]
    en = client.get("/api/v1/targets?period=1999", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert vi == "Không có kỳ báo cáo 1999." and en == "There is no reporting period 1999."
