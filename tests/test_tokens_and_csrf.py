"""API tokens end with the password and expire; the CSRF exemption needs a token that
authenticated the request (issue #16, items 3, 4 and 10; SECURITY.md)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from registry.accounts.tokens import TOKEN_LIFETIME, create_api_token
from registry.models import ApiToken, AuditEvent, Submission, utcnow
from tests.factories import PASSWORD, TEST_ACTOR

NEW_PASSWORD = "a new long password of mine"
URL = "/api/v1/agencies/so-tp/submissions/2015"


@pytest.fixture
def world(make, db):
    agency = make.agency(code="so-tp")
    make.service(agency, code="1.001")
    make.period(2015)
    focal = make.user("focal", agency, email="focal@example.vn")
    admin = make.user("admin", email="admin@example.vn")
    auditor = make.user("auditor", email="auditor@example.vn")
    _token, secret = create_api_token(db, TEST_ACTOR, focal, "script")
    db.commit()
    return {"agency": agency, "focal": focal, "admin": admin, "auditor": auditor,
            "bearer": {"Authorization": f"Bearer {secret}"}}


def write(client, headers, staff=1, version=None):
    if version is None:
        version = client.get(URL, headers=headers).get_json()["version"]
    return client.put(URL, headers=headers, json={"version": version, "report": {"staff_total": staff}})


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


# --- the CSRF exemption ---------------------------------------------------------------

def csrf_of(client, path="/account/tokens"):
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_a_junk_bearer_header_does_not_exempt_a_cookie_write_from_csrf(app, db, make, world):
    submission = make.submission(world["agency"], 2015, "verified")
    browser = signed_in(app, world["auditor"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    reopen = browser.post(f"{URL}/reopen", headers={"Authorization": "Bearer junk"}, json={"reason": "x"})
    assert reopen.status_code == 401  # the cookie is ignored beside a bearer header, and the token is junk
    logout = browser.post("/logout", headers={"Authorization": "Bearer junk"})
    assert logout.status_code == 400  # no CSRF token, no exemption
    db.rollback()
    assert db.get(Submission, submission.id).state == "verified"
    assert browser.get("/review/").status_code == 200  # still signed in


def test_the_cookie_is_ignored_on_a_request_with_a_bearer_token(app, db, world):
    browser = signed_in(app, world["auditor"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    # the focal point's token writes as the focal point, whatever cookie the client also sends
    assert write(browser, world["bearer"]).status_code == 200
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.save")).first()
    assert event is None or event.actor == world["focal"].email
    assert browser.get(URL, headers={"Authorization": "Bearer junk"}).status_code == 401


def test_an_anonymous_api_write_is_401_with_the_json_error(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    for response in (client.put(URL, json={"version": 0}), client.post(f"{URL}/submit", json={}),
                     client.put(URL, json={"version": 0}, headers={"Authorization": "Bearer junk"})):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


# --- tokens end with the password ---------------------------------------------------------

def test_a_password_change_revokes_the_tokens(app, db, world):
    assert write(app.test_client(), world["bearer"]).status_code == 200
    owner = signed_in(app, world["focal"].email)
    changed = owner.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert write(app.test_client(), world["bearer"], version=1).status_code == 401
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoke_all")).one().comment \
        == "password change"


def test_an_administrators_reset_revokes_the_tokens(app, world):
    boss = signed_in(app, world["admin"].email)
    reset = boss.post(f"/admin/users/{world['focal'].id}/password",
                      data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 401


def test_deactivation_revokes_the_tokens_and_reactivation_revives_none(app, world):
    boss = signed_in(app, world["admin"].email)
    user = f"/admin/users/{world['focal'].id}"
    assert boss.post(user, data={"role": "focal", "agency_code": "so-tp"}).status_code == 302
    assert boss.post(user, data={"role": "focal", "agency_code": "so-tp", "active": "y"}).status_code == 302
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 401


def test_an_administrator_revokes_another_users_tokens(app, db, world):
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 200
    page = signed_in(app, world["admin"].email).get(f"/admin/users/{world['focal'].id}").get_data(as_text=True)
    assert "script" in page and "còn hiệu lực" in page
    boss = signed_in(app, world["admin"].email)
    assert boss.post(f"/admin/users/{world['focal'].id}/tokens/revoke").status_code == 302
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 401
    db.rollback()
    assert all(t.revoked_at is not None for t in db.exec(select(ApiToken)))
    focal = signed_in(app, world["focal"].email)
    assert focal.post(f"/admin/users/{world['focal'].id}/tokens/revoke").status_code == 403


def test_a_token_expires(app, db, world):
    token = db.exec(select(ApiToken)).one()
    assert TOKEN_LIFETIME == timedelta(days=90)
    assert abs(token.expires_at.replace(tzinfo=None) - (utcnow() + TOKEN_LIFETIME).replace(tzinfo=None)) \
        < timedelta(minutes=5)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 401
    page = signed_in(app, world["focal"].email).get("/account/tokens").get_data(as_text=True)
    assert "đã hết hạn" in page


def test_the_tokens_page_shows_expiry_and_last_use(app, world):
    owner = signed_in(app, world["focal"].email)
    page = owner.get("/account/tokens").get_data(as_text=True)
    assert "Hết hạn lúc" in page and "90 ngày" in page and "chưa dùng" in page
    assert app.test_client().get(URL, headers=world["bearer"]).status_code == 200
    page = owner.get("/account/tokens").get_data(as_text=True)
    assert "chưa dùng" not in page and "Dùng lần cuối" in page


# --- the current-password check -----------------------------------------------------------

def test_the_current_password_check_is_throttled_and_audited(app, db, world):
    from registry.accounts.throttle import MAX_PASSWORD_CHECKS

    thief = signed_in(app, world["focal"].email)
    for _ in range(MAX_PASSWORD_CHECKS):
        wrong = thief.post("/account/password", data={"current": "a guess of mine!!", "new": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD})
        assert wrong.status_code == 422
    right = thief.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert right.status_code == 429 and "quá nhiều lần" in right.get_data(as_text=True)
    db.rollback()
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.action.like("user.password%")))]
    assert actions.count("user.password_check_failed") == MAX_PASSWORD_CHECKS
    assert "user.password_check_throttled" in actions and "user.password_change" not in actions
    assert signed_in(app, world["focal"].email)  # the password did not change
