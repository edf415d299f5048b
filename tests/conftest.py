"""Fixtures: a fresh app and database per test, a client, factories.

The suite runs on SQLite by default. With TEST_DATABASE_URL pointing at a
PostgreSQL server (any database on it), the same tests run on a database this
run creates there and drops at the end. Outside CI, suites whose server or
browser is missing skip with the reason; in CI (CI=true) they fail instead.
"""

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel

from registry import create_app
from registry.config import normalise_database_url
from registry.indicators.definitions import ensure_indicators
from registry.targets.seed import ensure_targets
from registry.web.db import get_engine
from tests.factories import PASSWORD, Factory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def unavailable(reason: str):
    """Skip outside CI; in CI a missing server or browser is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


class PostgresServer:
    """Creates throw-away databases on the server TEST_DATABASE_URL names."""

    def __init__(self, url: str):
        self.url = normalise_database_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self, template: str | None = None) -> str:
        name = f"registry_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        self.created.append(name)
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    url = TEST_DATABASE_URL or ("postgresql://postgres@127.0.0.1:5432/test" if IN_CI else None)
    if not url:
        unavailable("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    server = PostgresServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the server means "unavailable"
        unavailable(f"PostgreSQL at {server.admin.url.render_as_string()} is unreachable: {exc.__class__.__name__}")
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def _suite_postgres_url(request):
    """The run's PostgreSQL database for the ordinary tests, when the run is on PostgreSQL."""
    if not TEST_DATABASE_URL:
        return None
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    _prepare_tables(url)
    return url


def _truncate_all(engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _prepare_tables(url: str) -> None:
    """The tables and the shipped targets, as a fresh registry has them."""
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        ensure_targets(session)
        ensure_indicators(session)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def _demo_template(request, tmp_path_factory, _suite_postgres_url):
    """The demonstration data loaded once per run (a few seconds each time):
    a SQLite file that tests asking for ``demo_data`` start from a copy of, or a
    PostgreSQL database they start from a ``CREATE DATABASE ... TEMPLATE`` of."""
    from registry.sample import demo

    if _suite_postgres_url:
        url = request.getfixturevalue("postgres_server").create_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    _prepare_tables(url)
    engine = create_engine(url)
    with Session(engine) as session:
        demo.load(session)
        session.commit()
    engine.dispose()  # a template database must have no connections
    return url


def _copy_of_demo(request, tmp_path) -> str:
    template = request.getfixturevalue("_demo_template")
    if template.startswith("sqlite"):
        copy = tmp_path / "registry.db"
        shutil.copyfile(template.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(template=make_url(template).database)


@pytest.fixture
def app(request, tmp_path, monkeypatch, _suite_postgres_url):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    with_demo = "demo_data" in request.fixturenames
    if with_demo:
        url = _copy_of_demo(request, tmp_path)
    else:
        url = _suite_postgres_url or f"sqlite:///{tmp_path / 'registry.db'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False})
    if not with_demo:
        with app.app_context():
            engine = get_engine()
            if _suite_postgres_url:
                _truncate_all(engine)
            else:
                SQLModel.metadata.create_all(engine)
            with Session(engine) as session:
                ensure_targets(session)
                ensure_indicators(session)
                session.commit()
    yield app
    with app.app_context():
        get_engine().dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class CommandRunner:
    """Runs the `registry` command in-process on the app's database (as its settings
    say when the command runs): ``invoke(args=[...], input=...)`` gives click's Result."""

    def __init__(self, app):
        self.app = app

    def invoke(self, args=None, **kwargs):
        from click.testing import CliRunner

        from registry.cli import main

        env = {"DATABASE_URL": self.app.config["DATABASE_URL"], **kwargs.pop("env", {})}
        return CliRunner().invoke(main, args, env=env, **kwargs)


@pytest.fixture
def runner(app):
    return CommandRunner(app)


@pytest.fixture
def db(app):
    """A session on the test database, outside any request.

    No app context stays pushed: requests made during the test must get their
    own context (and so their own ``g`` and database session), as in production.
    """
    with app.app_context():
        engine = get_engine()
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def make(db) -> Factory:
    """The factories of tests/factories.py on the test's session."""
    return Factory(db)


@pytest.fixture
def make_agency(make):
    return make.agency


@pytest.fixture
def make_service(make):
    return make.service


@pytest.fixture
def make_user(make):
    return make.user


@pytest.fixture
def demo_data(app):
    """The Điện Biên demonstration data set, as `registry demo` loads it: the
    ``app`` fixture starts such a test from a copy of the run's loaded template."""



class AuthActions:
    """Sign in and out through the real /login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
