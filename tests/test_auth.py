"""Sign-in, sign-out, sessions that end, password change, personal tokens, safe redirects."""

from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import select

from registry.models import AuditEvent, LoginSession, User
from tests.factories import PASSWORD


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", email="auditor@example.vn")


def events(db, action):
    db.rollback()
    return db.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_success_and_failure_are_audited(client, auth, db, auditor):
    bad = auth.login(auditor.email, "wrong password")
    assert bad.status_code == 200
    assert "E-mail hoặc mật khẩu không đúng." in bad.get_data(as_text=True)
    assert [e.entity_key for e in events(db, "login.failed")] == [auditor.email]
    unknown = auth.login("nobody@example.vn", "whatever password")
    assert "E-mail hoặc mật khẩu không đúng." in unknown.get_data(as_text=True)  # the same message
    good = auth.login(auditor.email)
    assert good.status_code == 302 and good.headers["Location"] == "/review/"
    assert len(events(db, "login.success")) == 1


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, auth, db, auditor):
    auth.login(auditor.email)
    cookie = client.get_cookie("session")
    assert client.get("/review/").status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/review/").status_code == 200
    auth.logout()
    assert client.get("/review/").status_code == 302
    # the copied cookie is refused too: the sign-in ended on the server
    replay = thief.get("/review/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions(app, client, auth, db, auditor):
    auth.login(auditor.email)
    other = app.test_client()
    other.post("/login", data={"email": auditor.email, "password": PASSWORD})
    old_cookie = client.get_cookie("session").value
    assert other.get("/review/").status_code == 200
    wrong = client.post("/account/password", data={"current": "nope", "new": "a new long password", "confirm": "a new long password"})
    assert wrong.status_code == 422
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 422
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "a new long password", "confirm": "a new long password"})
    assert ok.status_code == 302
    assert other.get("/review/").status_code == 302  # the other sign-in ended
    assert client.get("/review/").status_code == 200  # this browser got a fresh one
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/review/").status_code == 302  # the cookie from before the change is dead
    assert auth.login(auditor.email, PASSWORD).status_code == 200  # the old password no longer works
    assert auth.login(auditor.email, "a new long password").status_code == 302


def test_deactivated_user_is_signed_out(client, auth, db, auditor):
    auth.login(auditor.email)
    assert client.get("/review/").status_code == 200
    user = db.get(User, auditor.id)
    user.active = False
    db.commit()
    assert client.get("/review/").status_code == 302
    assert auth.login(auditor.email).status_code == 200  # and cannot sign in again


def test_login_rotates_the_session(client, auth, db, auditor):
    client.get("/login")
    auth.login(auditor.email)
    auth.logout()
    auth.login(auditor.email)
    db.rollback()
    rows = db.exec(select(LoginSession).where(LoginSession.user_id == auditor.id)).all()
    assert len(rows) == 2 and rows[0].ended_at is not None and rows[1].ended_at is None
    assert rows[0].token_hash != rows[1].token_hash


OFFSITE = ["//evil.example", "/\\evil.example", "////evil.example", "https://evil.example", "javascript:alert(1)",
           "http:evil.example", "/%2F%2Fevil.example", "\\\\evil.example", " //evil.example", "/\t/evil.example",
           "%2F%2Fevil.example", "https:/evil.example", "//evil.example/%2e%2e", "/ /evil.example",
           "/\\/evil.example", "\\/evil.example", "/%5Cevil.example", "%5C%5Cevil.example", "/\n/evil.example",
           "/\r/evil.example", "//evil.example@registry.local", "https://registry.local@evil.example",
           "///evil.example", "/.//evil.example", "data:text/html,<script>alert(1)</script>",
           "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "//%65vil.example", "／／evil.example",
           "/\x00/evil.example", "ftp://evil.example", "//[::1]/", "\t//evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_next_never_leaves_the_site(client, db, auditor, target):
    response = client.post("/login", data={"email": auditor.email, "password": PASSWORD, "next": target})
    if "\x00" in target:  # refused before anything else, with no redirect at all
        assert response.status_code == 422 and "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    # as a browser reads it: backslashes are slashes, tabs and newlines vanish
    as_browser = location.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    assert urlsplit(urljoin("http://registry.local/", as_browser)).netloc == "registry.local"


def test_next_within_the_site_is_followed(client, auditor):
    response = client.post("/login", data={"email": auditor.email, "password": PASSWORD, "next": "/review/audit"})
    assert response.headers["Location"] == "/review/audit"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/review/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/review/"


def test_tokens_page_creates_and_revokes(client, auth, db, auditor):
    auth.login(auditor.email)
    page = client.post("/account/tokens", data={"name": "báo cáo tự động"}).get_data(as_text=True)
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("slr_")
    api = client.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/review/", headers=headers).status_code == 200
    token_id = int(page.split('/account/tokens/')[1].split('/revoke')[0])
    client.post(f"/account/tokens/{token_id}/revoke")
    assert api.get("/review/", headers=headers).status_code == 302
    assert api.get("/api/v1/agencies/x/submissions/2015", headers=headers).status_code in (401, 404)


def test_token_cli(runner, db, auditor):
    result = runner.invoke(args=["token", "create", auditor.email])
    assert result.exit_code == 0 and result.output.strip().startswith("slr_")
    assert runner.invoke(args=["token", "create", "nobody@example.vn"]).exit_code != 0


def test_csrf_is_required_for_cookie_writes(app, auditor):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": auditor.email, "password": PASSWORD}).status_code == 400
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post("/login", data={"email": auditor.email, "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302


def _age_sign_in(db, user, **ages):
    db.rollback()
    login = db.exec(select(LoginSession).where(LoginSession.user_id == user.id,
                                               LoginSession.ended_at.is_(None))).one()
    now = datetime.now(timezone.utc)
    for field, hours in ages.items():
        setattr(login, field, now - timedelta(hours=hours))
    db.commit()


def test_idle_sign_in_expires(client, auth, db, auditor):
    auth.login(auditor.email)
    _age_sign_in(db, auditor, last_seen_at=1)
    assert client.get("/review/").status_code == 200  # an hour idle is fine, and counts as use
    db.rollback()
    seen = db.exec(select(LoginSession).where(LoginSession.user_id == auditor.id)).one().last_seen_at
    assert datetime.now(timezone.utc) - seen.replace(tzinfo=timezone.utc) < timedelta(minutes=5)
    _age_sign_in(db, auditor, last_seen_at=3)
    assert client.get("/review/").status_code == 302
    db.rollback()
    assert db.exec(select(LoginSession).where(LoginSession.user_id == auditor.id)).one().ended_at is not None


def test_sign_in_expires_after_the_absolute_limit(client, auth, db, auditor):
    auth.login(auditor.email)
    _age_sign_in(db, auditor, created_at=13)
    assert client.get("/review/").status_code == 302


def test_a_copied_cookie_is_refused_once_an_administrator_deactivates_the_account(app, client, auth, db, auditor,
                                                                                   make_user):
    auth.login(auditor.email)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/review/").status_code == 200
    admin = make_user("admin", email="admin@example.vn")
    boss = app.test_client()
    boss.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert boss.post(f"/admin/users/{auditor.id}", data={"role": "auditor", "agency_code": ""}).status_code == 302
    replay = thief.get("/review/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    assert client.get("/review/").status_code == 302
    boss.post(f"/admin/users/{auditor.id}", data={"role": "auditor", "agency_code": "", "active": "y"})
    assert thief.get("/review/").status_code == 302  # reactivation does not revive the old sign-in
