"""The submission API (SPEC §5): reads, versioned writes, transitions, tokens and CSRF."""

import pytest
from sqlmodel import func, select

from registry.models import AuditEvent, ServiceStatus, Submission, VerifiedCopy
from tests.factories import FULL_REPORT, PASSWORD


@pytest.fixture
def world(runner, make):
    agency = make.agency(code="so-tp")
    other = make.agency(code="so-yt")
    service = make.service(agency, code="1.001")
    make.service(other, code="2.001")
    make.period(2015)
    users = {"focal": make.user("focal", agency), "other_focal": make.user("focal", other),
             "auditor": make.user("auditor"), "admin": make.user("admin")}
    tokens = {}
    for role, user in users.items():
        result = runner.invoke(args=["token", "create", user.email])
        tokens[role] = {"Authorization": f"Bearer {result.output.strip()}"}
    return {"agency": agency, "service": service, "users": users, "tokens": tokens}


URL = "/api/v1/agencies/so-tp/submissions/2015"


def snapshot(db):
    db.rollback()
    changes = db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "access.denied")).one()
    return (changes, db.exec(select(func.count()).select_from(Submission)).one(),
            db.exec(select(func.count()).select_from(ServiceStatus)).one(),
            tuple(db.exec(select(Submission.version, Submission.state).order_by(Submission.id))))


def test_empty_draft_in_an_open_period(client, world):
    body = client.get(URL, headers=world["tokens"]["focal"]).get_json()
    assert body["state"] == "draft" and body["version"] == 0
    assert set(body["report"]) == set(FULL_REPORT) and all(v is None for v in body["report"].values())
    assert body["services"] == [{"code": "1.001", "level": 0, "info_url": None, "form_url": None,
                                 "submission_url": None, "payment_url": None, "note": None}]


def test_whole_season_through_the_api(client, db, world):
    focal, auditor = world["tokens"]["focal"], world["tokens"]["auditor"]
    put = client.put(URL, headers=focal, json={"version": 0, "report": FULL_REPORT, "services": [
        {"code": "1.001", "level": 2, "info_url": "https://dvc.example/1", "form_url": "https://dvc.example/1.doc"}]})
    assert put.status_code == 200, put.get_json()
    doc = put.get_json()
    assert doc["report"]["staff_total"] == FULL_REPORT["staff_total"] and doc["services"][0]["level"] == 2
    submitted = client.post(URL + "/submit", headers=focal, json={"version": doc["version"]})
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    returned = client.post(URL + "/return", headers=auditor, json={"comment": "Thiếu minh chứng"})
    assert returned.get_json()["state"] == "returned"
    doc = client.put(URL, headers=focal, json={"version": returned.get_json()["version"],
                                               "report": {"staff_with_email": 35}}).get_json()
    client.post(URL + "/submit", headers=focal, json={})
    verified = client.post(URL + "/verify", headers=auditor, json={})
    assert verified.status_code == 200 and verified.get_json()["state"] == "verified"
    db.rollback()
    assert db.exec(select(VerifiedCopy)).one().staff_with_email == 35
    # verified is immutable for the focal point
    assert client.put(URL, headers=focal, json={"version": verified.get_json()["version"],
                                                "report": {"staff_total": 1}}).status_code == 409
    assert client.post(URL + "/reopen", headers=auditor, json={}).status_code == 422
    reopened = client.post(URL + "/reopen", headers=auditor, json={"reason": "Sai số liệu"})
    assert reopened.get_json()["state"] == "draft"


def test_two_editors_one_wins_and_nothing_is_lost(client, db, world):
    focal = world["tokens"]["focal"]
    first_read = client.get(URL, headers=focal).get_json()
    second_read = client.get(URL, headers=focal).get_json()
    first = client.put(URL, headers=focal, json={"version": first_read["version"], "report": {"staff_total": 40}})
    assert first.status_code == 200
    before = snapshot(db)
    second = client.put(URL, headers=focal, json={"version": second_read["version"], "report": {"staff_total": 99}})
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "conflict"
    assert snapshot(db) == before
    assert client.get(URL, headers=focal).get_json()["report"]["staff_total"] == 40


@pytest.mark.parametrize("body, field", [
    ({"version": 0, "report": {"staff_total": -1}}, "staff_total"),
    ({"version": 0, "report": {"staff_total": "ten"}}, "staff_total"),
    ({"version": 0, "report": {"has_lan": "maybe"}}, "has_lan"),
    ({"version": 0, "report": {"staff_total": 10, "staff_with_email": 11}}, "staff_with_email"),
    ({"version": 0, "report": {"salary": 1}}, "salary"),
    ({"version": 0, "services": [{"code": "1.001", "level": 3, "info_url": "https://a.example/"}]}, "1.001.form_url"),
    ({"version": 0, "services": [{"code": "1.001", "level": 9}]}, "1.001.level"),
    ({"version": 0, "services": [{"code": "2.001", "level": 0}]}, "2.001.code"),
    ({"version": 0, "services": [{"code": "1.001", "info_url": "javascript:alert(1)"}]}, "1.001.info_url"),
    ({"version": 0, "state": "verified", "role": "admin"}, "role"),
    ({"report": {"staff_total": 1}}, "version"),
    ({"version": "0"}, "version"),
])
def test_bad_values_are_refused_with_the_field_and_change_nothing(client, db, world, body, field):
    before = snapshot(db)
    response = client.put(URL, headers=world["tokens"]["focal"], json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert snapshot(db) == before


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1,2]", b"null", b'{"version": 0, "report": []}',
                                 b'{"version": 0, "services": {"a": 1}}', b'{"version": 0, "services": [1]}'])
def test_malformed_bodies_are_422(client, db, world, raw):
    before = snapshot(db)
    response = client.put(URL, headers={**world["tokens"]["focal"], "Content-Type": "application/json"}, data=raw)
    assert response.status_code == 422
    assert snapshot(db) == before


def test_submit_lists_missing_fields(client, world):
    focal = world["tokens"]["focal"]
    response = client.post(URL + "/submit", headers=focal, json={})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == set(FULL_REPORT)
    client.put(URL, headers=focal, json={"version": 0, "report": {"staff_total": 3}})
    response = client.post(URL + "/submit", headers=focal, json={})
    assert set(response.get_json()["error"]["fields"]) == set(FULL_REPORT) - {"staff_total"}


@pytest.mark.parametrize("who, method, path, status", [
    (None, "GET", "", 401), (None, "PUT", "", 401), (None, "POST", "/submit", 401), (None, "POST", "/verify", 401),
    ("other_focal", "GET", "", 403), ("other_focal", "PUT", "", 403), ("other_focal", "POST", "/submit", 403),
    ("focal", "POST", "/verify", 403), ("focal", "POST", "/return", 403), ("focal", "POST", "/reopen", 403),
    ("auditor", "PUT", "", 403), ("auditor", "POST", "/submit", 403),
    ("admin", "PUT", "", 403), ("admin", "POST", "/verify", 403),
])
def test_refusals_change_nothing_and_are_logged(client, db, world, who, method, path, status):
    headers = world["tokens"][who] if who else {}
    before = snapshot(db)
    response = client.open(URL + path, method=method, headers=headers,
                           json={"version": 0, "report": {"staff_total": 1}, "comment": "x", "reason": "x"})
    assert response.status_code == status
    assert response.get_json()["error"]["code"]
    assert snapshot(db) == before
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).first() is not None


def test_readers_can_read(client, world):
    for role in ("focal", "auditor", "admin"):
        assert client.get(URL, headers=world["tokens"][role]).status_code == 200


def test_a_put_from_an_older_version_keeps_the_other_editors_changes(client, db, world):
    """SPEC §8.4: the change is what the client sends that differs from the version it read."""
    focal = world["tokens"]["focal"]
    client.put(URL, headers=focal, json={"version": 0, "report": FULL_REPORT, "services": [
        {"code": "1.001", "level": 1, "info_url": "https://a.example/1"}]})
    read = client.get(URL, headers=focal).get_json()
    a = client.put(URL, headers=focal, json={"version": read["version"], "services": [
        {"code": "1.001", "level": 2, "form_url": "https://a.example/f", "note": "của A"}]})
    assert a.status_code == 200
    # B sends back everything it read, with one change: A's level, evidence and note stay
    b = client.put(URL, headers=focal, json={**read, "report": {**read["report"], "staff_total": 41}})
    assert b.status_code == 200, b.get_json()
    doc = b.get_json()
    assert doc["report"]["staff_total"] == 41
    assert doc["services"] == [{"code": "1.001", "level": 2, "info_url": "https://a.example/1",
                                "form_url": "https://a.example/f", "submission_url": None, "payment_url": None,
                                "note": "của A"}]
    # B changing A's note too is a 409 naming the field, with the value read, theirs and B's
    before = snapshot(db)
    c = client.put(URL, headers=focal, json={"version": read["version"], "report": {"has_lan": False},
                                             "services": [{"code": "1.001", "note": "của B"}]})
    assert c.status_code == 409
    error = c.get_json()["error"]
    assert error["code"] == "conflict" and error["version"] == doc["version"]
    assert error["conflicts"] == [{"field": "services.1.001.note", "base": None, "theirs": "của A", "yours": "của B"}]
    assert list(error["fields"]) == ["services.1.001.note"]
    assert snapshot(db) == before  # nothing written, has_lan included
    # read again, and the same change goes through
    again = client.put(URL, headers=focal, json={"version": error["version"],
                                                 "services": [{"code": "1.001", "note": "của B"}]})
    assert again.status_code == 200 and again.get_json()["services"][0]["note"] == "của B"


def test_closed_period_without_submission_is_404(client, db, world):
    from registry.models import ReportingPeriod

    db.get(ReportingPeriod, 2015).status = "closed"
    db.commit()
    assert client.get(URL, headers=world["tokens"]["focal"]).status_code == 404
    assert client.put(URL, headers=world["tokens"]["focal"], json={"version": 0}).status_code == 409


def test_cookie_writes_need_csrf_but_bearer_writes_do_not(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    browser.post("/login", data={"email": world["users"]["focal"].email, "password": PASSWORD,
                                 "csrf_token": csrf})
    assert browser.put(URL, json={"version": 0, "report": {"staff_total": 1}}).status_code == 400
    # signing in starts a new session, so the page after it carries a new token
    page = browser.get("/account/tokens").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert browser.put(URL, json={"version": 0, "report": {"staff_total": 1}},
                       headers={"X-CSRFToken": csrf}).status_code == 200
    api = app.test_client()
    assert api.put(URL, headers=world["tokens"]["focal"],
                   json={"version": 2, "report": {"staff_total": 2}}).status_code == 200


@pytest.mark.parametrize("state, who, action, reason", [
    ("draft", "auditor", "verify", "Không thể xác minh báo cáo đang ở trạng thái «bản nháp»."),
    ("submitted", "focal", "submit", "Không thể gửi báo cáo đang ở trạng thái «đã gửi»."),
    ("verified", "auditor", "return", "Không thể trả lại báo cáo đang ở trạng thái «đã xác minh»."),
])
def test_an_action_not_possible_now_is_409_with_the_reason(client, db, make, world, state, who, action, reason):
    make.submission(world["agency"], 2015, state)
    before = snapshot(db)
    response = client.post(f"{URL}/{action}", headers=world["tokens"][who], json={"comment": "x"})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == reason
    assert snapshot(db) == before


@pytest.mark.parametrize("state, who, action", [
    ("draft", "focal", "submit"), ("submitted", "auditor", "verify"), ("submitted", "auditor", "return"),
    ("verified", "auditor", "reopen"),
])
def test_a_closed_period_refuses_every_transition(client, db, make, world, state, who, action):
    make.submission(world["agency"], 2015, state)
    make.period(2015, "closed")
    before = snapshot(db)
    response = client.post(f"{URL}/{action}", headers=world["tokens"][who], json={"comment": "x", "reason": "x"})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "Kỳ báo cáo 2015 đã khóa; báo cáo của kỳ này không thể thay đổi."
    assert snapshot(db) == before
