"""The sign-in throttle counts concurrent attempts one after another (issue #16, item 5).

Eighteen wrong passwords for one account sent at once, each on its own
connection: no more than the limit's number of passwords may be checked. On
PostgreSQL the audit-log count let 9 through (each request counted before the
others had written); the counter row's increment locks it until the request
commits.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from registry.accounts import users
from registry.accounts.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_PASSWORD_CHECKS
from registry.models import AuditEvent
from tests.factories import PASSWORD

PARALLEL = 18


def _counting_checks(monkeypatch):
    checks = []
    lock = threading.Lock()
    real = users.check_password

    def check(user, password):
        with lock:
            checks.append(password)
        return real(user, password)

    monkeypatch.setattr(users, "check_password", check)
    return checks


def _all_at_once(call, count=PARALLEL):
    barrier = threading.Barrier(count)

    def run(n):
        barrier.wait()
        return call(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_wrong_passwords_get_at_most_the_limit_of_checks(app, db, make_user, monkeypatch):
    user = make_user("auditor")
    checks = _counting_checks(monkeypatch)
    statuses = _all_at_once(lambda n: app.test_client().post(
        "/login", data={"email": user.email, "password": f"wrong password {n}"},
        environ_base={"REMOTE_ADDR": f"10.7.0.{n}"}).status_code)
    assert len(checks) <= MAX_FAILURES_PER_ACCOUNT
    assert statuses.count(200) == len(checks) and statuses.count(429) == PARALLEL - len(checks)
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    db.rollback()
    failed = db.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert len(failed) == len(checks)


def test_parallel_current_password_checks_get_at_most_the_limit(app, make_user, monkeypatch):
    user = make_user("auditor")
    clients = []
    for _ in range(PARALLEL):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    checks = _counting_checks(monkeypatch)
    new = "a new long password of mine"
    statuses = _all_at_once(lambda n: clients[n].post("/account/password", data={
        "current": f"wrong password {n}", "new": new, "confirm": new}).status_code)
    assert len(checks) <= MAX_PASSWORD_CHECKS
    assert statuses.count(422) == len(checks) and statuses.count(429) == PARALLEL - len(checks)
