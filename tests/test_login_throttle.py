"""Sign-in throttling: counted in the audit log, so it holds across workers and servers."""

from sqlmodel import select

from registry import create_app
from registry.accounts.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from registry.models import AuditEvent
from tests.factories import PASSWORD


def login(client, email, password, address="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_account_is_throttled_after_repeated_failures(client, db, make_user):
    user = make_user("auditor")
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert login(client, user.email, "wrong password").status_code == 200
    refused = login(client, user.email, PASSWORD)  # even the right password waits now
    assert refused.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in refused.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "login.throttled")).first().address == "10.0.0.1"
    other = make_user("admin")
    assert login(client, other.email, PASSWORD, address="10.0.0.2").status_code == 302


def test_address_is_throttled_across_accounts(client, make_user):
    user = make_user("auditor")
    for n in range(MAX_FAILURES_PER_ADDRESS):
        login(client, f"guess{n}@example.vn", "wrong password", address="10.9.9.9")
    assert login(client, user.email, PASSWORD, address="10.9.9.9").status_code == 429
    assert login(client, user.email, PASSWORD, address="10.9.9.8").status_code == 302


def test_the_limit_is_shared_between_workers(app, tmp_path, make_user):
    """Two app instances on one database, as two gunicorn workers are: failures add up."""
    user = make_user("auditor")
    other_worker = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                               "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False})
    workers = [app.test_client(), other_worker.test_client()]
    for n in range(MAX_FAILURES_PER_ACCOUNT):
        assert login(workers[n % 2], user.email, "wrong password", address=f"10.1.0.{n}").status_code == 200
    assert login(workers[0], user.email, PASSWORD, address="10.1.1.1").status_code == 429
    assert login(workers[1], user.email, PASSWORD, address="10.1.1.2").status_code == 429


def test_anonymous_refusals_are_counted_per_address_and_minute_and_a_flood_gets_429(app, db, monkeypatch):
    """Issue 16: a flood of anonymous refusals neither grows the audit log nor goes on for ever:
    the first of each minute is logged (with the count of the minute before), the rest counted,
    and past the limit the answer is 429."""
    from datetime import timedelta

    from sqlmodel import select

    from registry.accounts import throttle
    from registry.models import AttemptCounter, AuditEvent

    monkeypatch.setattr(throttle, "MAX_ANONYMOUS_REFUSALS", 5)
    client = app.test_client()
    statuses = [client.get("/workspace/", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
                for _ in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert client.get("/workspace/", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302  # another address
    db.rollback()
    logged = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [e.address for e in logged] == ["203.0.113.9", "198.51.100.1"]
    counter = db.get(AttemptCounter, throttle.refusal_key("203.0.113.9"))
    assert counter.count == 7
    # a minute later the next refusal is logged again, with how many the minute before counted
    counter.window_start -= timedelta(minutes=2)
    db.commit()
    assert client.get("/workspace/", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
    db.rollback()
    last = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")
                   .order_by(AuditEvent.id.desc())).first()
    assert last.address == "203.0.113.9" and last.after["refused_the_minute_before"] == 7


def test_an_api_flood_gets_the_json_429_the_api_document_describes(app, monkeypatch):
    """Issue 16: past the limit an unauthenticated API write is answered 429 with the JSON error,
    and every operation that can answer 401 lists 429 too (so clients and the API fuzz know it)."""
    from registry.accounts import throttle

    monkeypatch.setattr(throttle, "MAX_ANONYMOUS_REFUSALS", 2)
    client = app.test_client()
    path = "/api/v1/agencies/so-tttt/submissions/2015"
    statuses = [client.put(path, json={"version": 0}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
                for _ in range(3)]
    assert [r.status_code for r in statuses] == [401, 401, 429]
    assert statuses[-1].get_json()["error"]["code"] and statuses[-1].get_json()["error"]["message"]
    document = client.get("/api/v1/openapi.json").get_json()
    for item in document["paths"].values():
        for operation in item.values():
            if "401" in operation["responses"]:
                assert "429" in operation["responses"], operation["operationId"]
