"""The data sets the benchmark runs on, and the databases that hold them.

A data set is built through the registry's own commands (``registry init``,
then ``registry synth`` — or ``registry demo`` for a smoke run) and cached
under instance/bench/, keyed by its parameters and the git revision of the
code that generates it, so that a rerun does not rebuild it:

* SQLite: the built file itself; each run works on a copy, so the cache stays pristine.
* PostgreSQL: a ``pg_dump`` archive, restored into a scratch database that the
  run creates and drops. After a restore, ``ANALYZE`` gives the planner the
  statistics that autovacuum would have gathered on a live server.

Every run then applies ``registry init`` to its copy, so a cached data set is
upgraded by new migrations exactly as a deployed database would be.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psycopg

from .commands import registry
from .servers import child_env

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "instance" / "bench"
SYNTH_SOURCES = ("registry/sample/synth.py", "registry/sample/synth_plan.py", "registry/sample/synth_words.py")
DEMO_SOURCES = ("registry/sample/demo.py", "registry/sample/demo_data.py")
ENGINES = ("sqlite", "postgres")


class BenchError(RuntimeError):
    """A reason the benchmark cannot run, said to the person who started it."""


@dataclass(frozen=True)
class DataSet:
    services: int
    agencies: int
    periods: int
    seed: int
    demo: bool = False  # the demonstration data instead of synth (a smoke run of the harness)

    @property
    def label(self) -> str:
        if self.demo:
            return "demo data"
        return f"{_grouped(self.services)} services, {_grouped(self.agencies)} agencies, {self.periods} periods"

    def commands(self) -> list[list[str]]:
        if self.demo:
            return [["init"], ["demo"]]
        return [["init"], ["synth", "--services", str(self.services), "--agencies", str(self.agencies),
                           "--periods", str(self.periods), "--seed", str(self.seed)]]

    @property
    def prefix(self) -> str:
        """The key without the revision: what every cached version of this data set shares."""
        if self.demo:
            return "demo-"
        return f"s{self.services}-a{self.agencies}-p{self.periods}-seed{self.seed}-"

    def key(self) -> str:
        return self.prefix + source_revision(DEMO_SOURCES if self.demo else SYNTH_SOURCES)


def _cache(dataset: DataSet, suffix: str, built: Path) -> Path:
    """Put a newly built file in the cache, in place of the versions that older code built."""
    for stale in CACHE.glob(f"{dataset.prefix}*{suffix}"):
        stale.unlink()
    cached = CACHE / f"{dataset.key()}{suffix}"
    built.rename(cached)
    return cached


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")  # 100 000, as the issue writes it


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def source_revision(paths: tuple[str, ...]) -> str:
    """The last commit of ``paths``, or a hash of their content while they have uncommitted changes."""
    missing = [p for p in paths if not (ROOT / p).exists()]
    if missing:
        raise BenchError(f"{', '.join(missing)} is not in the tree yet: the data set cannot be built "
                         "(try --demo for a smoke run on the demonstration data).")
    if _git("status", "--porcelain", "--", *paths) or not _git("log", "-1", "--format=%H", "--", *paths):
        digest = hashlib.sha256(b"".join((ROOT / p).read_bytes() for p in paths)).hexdigest()
        return f"wip{digest[:12]}"
    return _git("log", "-1", "--format=%H", "--", *paths)[:12]


def git_commit() -> str:
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else "")


@dataclass
class Database:
    engine: str
    url: str
    built_seconds: float | None = None  # None when the data set came from the cache

    @property
    def env(self) -> dict[str, str]:
        return child_env(self.url)


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that the file alone is the whole database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


@contextmanager
def sqlite_database(dataset: DataSet | None, purpose: str) -> Iterator[Database]:
    """A working copy of the cached data set (built first when missing), or an empty database."""
    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / f"work-{purpose}.sqlite"
    _remove_sqlite(work)
    built = None
    if dataset is not None:
        cached = CACHE / f"{dataset.key()}.sqlite"
        if not cached.exists():
            partial = CACHE / f"building-{os.getpid()}.sqlite"
            _remove_sqlite(partial)
            try:
                built = _build(dataset, _sqlite_url(partial))
                _checkpoint(partial)
                _cache(dataset, ".sqlite", partial)
            finally:
                _remove_sqlite(partial)
        shutil.copyfile(cached, work)
    database = Database("sqlite", _sqlite_url(work), built)
    try:
        if built is None or dataset is None:
            registry("init", env=database.env, quiet=True)
        yield database
    finally:
        _remove_sqlite(work)


# --- PostgreSQL --------------------------------------------------------------------------

def _with_database(url: str, name: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def _admin(url: str):
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def postgres_version(admin_url: str) -> str:
    with _admin(admin_url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def check_postgres(admin_url: str) -> None:
    try:
        postgres_version(admin_url)
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL at {admin_url} is unreachable ({exc.__class__.__name__}: "
                         f"{str(exc).strip()[:200]}); run with --only sqlite or start it.") from exc


@contextmanager
def postgres_database(admin_url: str, dataset: DataSet | None, purpose: str) -> Iterator[Database]:
    """A scratch database created for this run (and dropped after it), with the data set restored or built."""
    name = f"registry_bench_{purpose}_{uuid.uuid4().hex[:8]}"
    url = _with_database(admin_url, name)
    with _admin(admin_url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database = Database("postgres", url)
    try:
        if dataset is None:
            registry("init", env=database.env, quiet=True)
        else:
            archive = CACHE / f"{dataset.key()}.pgdump"
            if archive.exists():
                subprocess.run(["pg_restore", "--no-owner", "--jobs", "2", "--dbname", url, str(archive)],
                               check=True, capture_output=True)
                registry("init", env=database.env, quiet=True)
            else:
                database.built_seconds = _build(dataset, url)
                if shutil.which("pg_dump"):
                    partial = archive.with_suffix(f".partial-{os.getpid()}")
                    subprocess.run(["pg_dump", "--format", "custom", "--file", str(partial), url],
                                   check=True, capture_output=True)
                    _cache(dataset, ".pgdump", partial)
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("ANALYZE")
        yield database
    finally:
        with _admin(admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(engine: str, dataset: DataSet | None, purpose: str, admin_url: str) -> Iterator[Database]:
    if engine == "sqlite":
        with sqlite_database(dataset, purpose) as db:
            yield db
    else:
        with postgres_database(admin_url, dataset, purpose) as db:
            yield db


def _build(dataset: DataSet, url: str) -> float:
    print(f"  building the data set ({dataset.label}) — cached afterwards under {CACHE.relative_to(ROOT)}/",
          flush=True)
    start = time.perf_counter()
    for command in dataset.commands():
        registry(*command, env=child_env(url))
    return time.perf_counter() - start
