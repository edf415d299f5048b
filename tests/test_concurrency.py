"""Many people saving at once, as production serves them: gunicorn with 4 worker
processes on one database, on SQLite and on PostgreSQL.

The database is prepared as an administrator would (``registry init``, then
the registry's own import, user and token operations); the writes come
through the JSON API with personal tokens, from threads released together by
a barrier; what was stored is read back from the database afterwards.
"""

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select

import registry.core.db
import registry.web.db
from bench.servers import REGISTRY_APP, Server, ServerSettings
from registry.accounts import passwords, users
from registry.accounts.tokens import create_api_token
from registry.core.db import make_engine
from registry.dataio.importing import import_file
from registry.models import Agency, AuditEvent, LoginSession, ServiceStatus, Submission
from registry.submissions.periods import ensure_period
from tests.factories import FULL_REPORT, PASSWORD, TEST_ACTOR

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the environment the tests run in has the registry installed
YEAR = 2015
EDITORS = 20
AGENCIES = 200
WORKERS = 4


# --- a database prepared as an administrator prepares it -------------------------------------

def registry_env(database_url: str, instance: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "concurrency-test-secret",
            "REGISTRY_INSTANCE_PATH": str(instance)}


def run_registry(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The installed ``registry`` command, as an administrator runs it."""
    return subprocess.run([str(BIN / "registry"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def init_database(env: dict) -> None:
    result = run_registry(env, "init")
    assert result.returncode == 0, result.stderr


def agency_code(n: int) -> str:
    return f"co-quan-{n:03d}"


# Two more agencies, each with EDITORS focal points who save at once: one has a draft
# already, the other none yet (the first save of the season creates it).
SHARED = {"existing draft": agency_code(AGENCIES), "first save": agency_code(AGENCIES + 1)}


def service_code(n: int, k: int) -> str:
    return f"{n:03d}.{k:03d}"


def import_agencies(session: Session, count: int, services_each: int) -> None:
    """``count`` agencies with ``services_each`` services each, through the registry's importer."""
    agencies = ["code,name,name_en,tier,kind,parent_code"]
    agencies += [f"{agency_code(n)},Cơ quan {n},,province,department," for n in range(count)]
    services = ["code,name,name_en,agency_code,sector"]
    services += [f"{service_code(n, k)},Thủ tục {n}.{k},,{agency_code(n)},Hộ tịch"
                 for n in range(count) for k in range(services_each)]
    for kind, rows in (("agencies", agencies), ("services", services)):
        result = import_file(session, TEST_ACTOR, kind, f"{kind}.csv", "\n".join(rows).encode())
        assert result.ok, result.errors


@contextmanager
def cheap_password_hashing():
    # The writers below sign in with API tokens, never with a password; hashing a
    # couple of hundred passwords at the production cost would only slow the set-up.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


def focal_point_token(session: Session, email: str, code: str) -> dict:
    user = users.create_user(session, TEST_ACTOR, {"email": email, "password": PASSWORD, "role": "focal",
                                                   "agency_code": code})
    _token, secret = create_api_token(session, TEST_ACTOR, user, "concurrency test")
    return {"Authorization": f"Bearer {secret}"}


# --- gunicorn ------------------------------------------------------------------------------------

@contextmanager
def gunicorn(env: dict, log: Path, workers: int = WORKERS):
    """``gunicorn --workers N wsgi:app`` on a free port; yields the base URL once every worker is up."""
    with Server(REGISTRY_APP, env, ServerSettings(workers=workers), log) as server:
        yield server.base


def all_at_once(calls: list) -> list:
    """Run every call in its own thread, released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # a failed request is a result to report, not a crashed thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(name="database_url", scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sqlite_and_postgresql(request, tmp_path_factory):
    """A new database on each engine: a SQLite file, or a database created on the PostgreSQL server."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_server").create_database()
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'registry.db'}"


@pytest.fixture(scope="module")
def served(database_url, tmp_path_factory):
    """The registry under gunicorn: AGENCIES agencies with one focal point each, and one
    agencies more (SHARED) with EDITORS focal points each; each focal point holds a token."""
    tmp = tmp_path_factory.mktemp("served")
    env = registry_env(database_url, tmp / "instance")
    init_database(env)
    engine = make_engine(database_url)
    with Session(engine) as session, cheap_password_hashing():
        ensure_period(session, YEAR, TEST_ACTOR)
        import_agencies(session, AGENCIES + len(SHARED), services_each=1)
        editors = {code: [focal_point_token(session, f"editor{i}.{code}@example.vn", code) for i in range(EDITORS)]
                   for code in SHARED.values()}
        owners = [focal_point_token(session, f"focal{n}@example.vn", agency_code(n)) for n in range(AGENCIES)]
        session.commit()
    log = tmp / "gunicorn.log"
    with gunicorn(env, log) as base:
        yield {"base": base, "engine": engine, "editors": editors, "owners": owners, "log": log}
    engine.dispose()


def submission_of(session: Session, code: str) -> Submission | None:
    return session.exec(select(Submission).join(Agency, Agency.id == Submission.agency_id)
                        .where(Agency.code == code, Submission.period_year == YEAR)).first()


# --- the tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", SHARED)
def test_one_of_twenty_simultaneous_saves_wins(served, case):
    code = SHARED[case]
    url = f"{served['base']}/api/v1/agencies/{code}/submissions/{YEAR}"
    editors = served["editors"][code]
    if case == "existing draft":
        first = requests.put(url, headers=editors[0], json={"version": 0, "report": FULL_REPORT}, timeout=60)
        assert first.status_code == 200, first.text
    # every editor reads the submission, changes it and saves with the version read
    read = {requests.get(url, headers=headers, timeout=60).json()["version"] for headers in editors}
    assert len(read) == 1
    version = read.pop()

    def save(i):
        return lambda: requests.put(url, headers=editors[i], timeout=60,
                                    json={"version": version, "report": {**FULL_REPORT, "staff_total": 1000 + i}})

    responses = all_at_once([save(i) for i in range(EDITORS)])
    failures = [r for r in responses if isinstance(r, Exception)]
    assert not failures, failures
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] + [409] * (EDITORS - 1), [(s, r.text[:200]) for s, r in zip(statuses, responses)]
    assert all(r.json()["error"]["code"] == "conflict" for r in responses if r.status_code == 409)
    winner = statuses.index(200)
    assert responses[winner].json()["report"]["staff_total"] == 1000 + winner
    with Session(served["engine"]) as session:
        stored = submission_of(session, code)
        assert stored.staff_total == 1000 + winner and stored.version == responses[winner].json()["version"]
        # the losers wrote nothing, not even to the audit log
        updates = session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "report.update", AuditEvent.entity_key == f"{code}/{YEAR}")).one()
        assert updates == (2 if case == "existing draft" else 1)
    assert "database is locked" not in served["log"].read_text()


def test_two_hundred_agencies_saving_at_once_all_succeed(served):
    def save(n):
        code = agency_code(n)
        body = {"version": 0, "report": {**FULL_REPORT, "staff_total": 100 + n},
                "services": [{"code": service_code(n, 0), "level": 1, "info_url": f"https://dvc.example/{n}"}]}
        return lambda: requests.put(f"{served['base']}/api/v1/agencies/{code}/submissions/{YEAR}",
                                    headers=served["owners"][n], json=body, timeout=120)

    responses = all_at_once([save(n) for n in range(AGENCIES)])
    failed = [(n, r if isinstance(r, Exception) else f"{r.status_code} {r.text[:200]}")
              for n, r in enumerate(responses) if isinstance(r, Exception) or r.status_code != 200]
    assert not failed, f"{len(failed)} of {AGENCIES} saves failed, e.g. {failed[:3]}"
    assert "database is locked" not in served["log"].read_text()
    with Session(served["engine"]) as session:
        for n in range(AGENCIES):
            stored = submission_of(session, agency_code(n))
            assert stored is not None and stored.staff_total == 100 + n, agency_code(n)
            levels = session.exec(select(ServiceStatus.level).where(ServiceStatus.submission_id == stored.id)).all()
            assert levels == [1], agency_code(n)


@pytest.mark.sqlite
def test_a_page_loads_while_another_process_holds_the_write_lock(app, client, auth, db, make_user, monkeypatch):
    """Recording a sign-in's last use is bookkeeping: it waits for the write lock for a while,
    and when the database stays busy the page is served all the same, the use unrecorded."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):  # run by hand with TEST_DATABASE_URL
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")
    monkeypatch.setattr(registry.core.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    with app.app_context():
        registry.web.db.get_engine().dispose()  # new connections wait 300 ms, not 10 s
    auditor = make_user("auditor")
    assert auth.login(auditor.email).status_code == 302
    idle_since = datetime.now(timezone.utc) - timedelta(minutes=10)
    db.execute(update(LoginSession).values(last_seen_at=idle_since))
    db.commit()

    def last_seen():
        db.rollback()
        moment = db.exec(select(LoginSession.last_seen_at)).one()
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment

    locker = sqlite3.connect(make_url(app.config["DATABASE_URL"]).database, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # another worker in the middle of a long write
        assert client.get("/review/").status_code == 200
        assert last_seen() == idle_since
    finally:
        locker.close()
    assert client.get("/review/").status_code == 200
    assert last_seen() > idle_since
