"""``registry backup FILE``: a consistent copy taken while the registry keeps writing,
that restores (SQLite: copy the file into place; PostgreSQL: pg_restore) to a
working registry database; and clear refusals of bad targets.
"""

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, func, select

from registry.core import schema
from registry.core.db import make_engine, writer
from registry.dataio.backup import BackupFailed, backup
from registry.models import Agency, AuditEvent, ServiceStatus, Submission
from registry.submissions.entries import agency_by_code, save
from registry.submissions.periods import ensure_period
from registry.submissions.workflow import find_submission
from tests.conftest import unavailable
from tests.factories import FULL_REPORT, TEST_ACTOR
from tests.test_concurrency import (
    YEAR,
    agency_code,
    import_agencies,
    init_database,
    registry_env,
    run_registry,
    service_code,
    sqlite_and_postgresql,  # noqa: F401  (the database_url fixture)
)

AGENCIES = 20
SERVICES_EACH = 5
# Audit events of one save: the first creates the submission and writes the report and
# every service's status; each later one changes the report and every status again.
FIRST_SAVE_EVENTS = 1 + 1 + SERVICES_EACH
LATER_SAVE_EVENTS = 1 + SERVICES_EACH
# A save's round is kept in staff_total, above the other staff figures (which must not exceed it).
ROUND_BASE = 100


class Writer(threading.Thread):
    """Saves the agencies' submissions round and round, one transaction per save, until stopped.

    Save number r of an agency (1, 2, …) writes staff_total = ROUND_BASE + r and, in every
    one of its services' statuses, the note "lượt r": a copy shows a torn save at once.
    """

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.engine = make_engine(database_url)
        self.saves = 0  # committed saves
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stopping.is_set():
                self._save(self.saves % AGENCIES, self.saves // AGENCIES + 1)
                self.saves += 1
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.engine.dispose()

    def _save(self, n: int, round_: int) -> None:
        with Session(writer(self.engine)) as session:
            agency = agency_by_code(session, agency_code(n))
            current = find_submission(session, agency, YEAR)
            services = [{"code": service_code(n, k), "level": 1, "info_url": f"https://dvc.example/{n}/{k}/{round_}",
                         "note": f"lượt {round_}"} for k in range(SERVICES_EACH)]
            save(session, agency, YEAR, TEST_ACTOR, current.version if current else 0,
                 {**FULL_REPORT, "staff_total": ROUND_BASE + round_}, services)
            session.commit()

    def wait_for(self, saves: int) -> None:
        while self.saves < saves:
            assert self.error is None and self.is_alive(), self.error
            self.stopping.wait(0.01)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        assert self.error is None, self.error


def libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def restore(backup_file: Path, database_url: str, request, tmp_path: Path) -> str:
    """Restore as docs/OPERATIONS.md tells an administrator to; the restored database's URL."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        restored = tmp_path / f"restored-{backup_file.stem}.db"
        shutil.copyfile(backup_file, restored)
        return f"sqlite:///{restored}"
    fresh = request.getfixturevalue("postgres_server").create_database()
    result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             "--exit-on-error", "-d", libpq_url(fresh), str(backup_file)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return fresh


def schema_version(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def table_contents(database_url: str) -> dict[str, list[tuple]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {table.name: [tuple(row) for row in connection.execute(
                        sa_select(table).order_by(*table.primary_key.columns))]
                    for table in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


def check_consistent(database_url: str, events_before_writes: int) -> int:
    """Check that every save in the database is whole and the audit log matches the data;
    return how many saves it holds."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            submissions = session.exec(select(Submission).join(Agency, Agency.id == Submission.agency_id)).all()
            for submission in submissions:
                statuses = session.exec(select(ServiceStatus).where(
                    ServiceStatus.submission_id == submission.id)).all()
                round_ = submission.staff_total - ROUND_BASE
                assert len(statuses) == SERVICES_EACH, submission.id
                assert {s.note for s in statuses} == {f"lượt {round_}"}, submission.id
                assert all(s.info_url.endswith(f"/{round_}") for s in statuses), submission.id
            rounds = [s.staff_total - ROUND_BASE for s in submissions]
            events = session.exec(select(func.count()).select_from(AuditEvent)).one()
            assert events == events_before_writes + sum(FIRST_SAVE_EVENTS + (r - 1) * LATER_SAVE_EVENTS for r in rounds)
            return sum(rounds)
    finally:
        engine.dispose()


def test_a_backup_taken_while_writing_restores_a_consistent_registry(database_url, request, tmp_path):
    if database_url.startswith("postgresql") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        unavailable("PostgreSQL backups need pg_dump and pg_restore (apt-get install postgresql-client)")
    env = registry_env(database_url, tmp_path / "instance")
    init_database(env)
    engine = make_engine(database_url)
    with Session(engine) as session:
        ensure_period(session, YEAR, TEST_ACTOR)
        import_agencies(session, AGENCIES, SERVICES_EACH)
        session.commit()
        events_before_writes = session.exec(select(func.count()).select_from(AuditEvent)).one()
    engine.dispose()

    writes = Writer(database_url)
    writes.start()
    try:
        writes.wait_for(AGENCIES // 2)
        saves_before = writes.saves
        taken = run_registry(env, "backup", str(tmp_path / "during.backup"))
        saves_after = writes.saves
        writes.wait_for(saves_after + AGENCIES)
    finally:
        writes.stop()
    assert taken.returncode == 0, taken.stderr
    assert "during.backup" in taken.stdout
    assert saves_after > saves_before, "the writes did not go on while the backup was taken"

    during = restore(tmp_path / "during.backup", database_url, request, tmp_path)
    assert schema_version(during) == schema.heads()  # a registry database, ready to serve
    saves_in_copy = check_consistent(during, events_before_writes)
    # the copy is the database as one commit between the start and the end of the backup left it
    # (the writer counts a save just after its commit, so the end may be one save further)
    assert saves_before <= saves_in_copy <= saves_after + 1

    # with the writes stopped, a backup holds exactly what the database holds
    backup(database_url, tmp_path / "after.backup")
    restored = restore(tmp_path / "after.backup", database_url, request, tmp_path)
    assert check_consistent(restored, events_before_writes) == writes.saves
    assert table_contents(restored) == table_contents(database_url)


# --- refusals --------------------------------------------------------------------------------------

def refused(result, message: str) -> None:
    """The command stopped with a clear message and exit status 1, not with a traceback."""
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert message in result.output and "Traceback" not in result.output


def test_an_existing_file_is_kept_unless_forced(runner, tmp_path):
    target = tmp_path / "registry.backup"
    target.write_bytes(b"yesterday's backup")
    refused(runner.invoke(args=["backup", str(target)]), "đã có; không ghi đè")
    assert target.read_bytes() == b"yesterday's backup"
    forced = runner.invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes().startswith((b"SQLite format 3", b"PGDMP"))  # a database, or a pg_dump archive
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_a_bad_target_is_a_clear_error(runner, tmp_path):
    refused(runner.invoke(args=["backup", str(tmp_path / "missing" / "registry.backup")]),
            f"thư mục {tmp_path / 'missing'} không tồn tại")
    refused(runner.invoke(args=["backup", str(tmp_path)]), "là một thư mục")
    assert not (tmp_path / "missing").exists()


def test_a_missing_sqlite_database_is_not_created(tmp_path):
    with pytest.raises(BackupFailed, match="Không có cơ sở dữ liệu SQLite"):
        backup(f"sqlite:///{tmp_path / 'nowhere.db'}", tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_live_sqlite_database_is_never_overwritten(tmp_path):
    live = tmp_path / "registry.db"
    sqlite3.connect(live).close()
    with pytest.raises(BackupFailed, match="đè lên chính cơ sở dữ liệu"):
        backup(f"sqlite:///{live}", live, force=True)


UNREACHABLE_POSTGRES = "postgresql+psycopg://registry:s3cret@127.0.0.1:1/registry"  # nothing listens on port 1


def test_a_failing_pg_dump_is_a_clear_error(app, runner, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        unavailable("PostgreSQL backups need pg_dump and pg_restore (apt-get install postgresql-client)")
    app.config["DATABASE_URL"] = UNREACHABLE_POSTGRES
    target = tmp_path / "registry.dump"
    failed = runner.invoke(args=["backup", str(target)])
    refused(failed, "pg_dump báo lỗi")
    assert "s3cret" not in failed.output
    assert not target.exists() and not list(tmp_path.glob("*.partial"))


def test_a_missing_pg_dump_is_a_clear_error(app, runner, tmp_path, monkeypatch):
    app.config["DATABASE_URL"] = UNREACHABLE_POSTGRES
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on the PATH
    target = tmp_path / "registry.dump"
    refused(runner.invoke(args=["backup", str(target)]), "Không tìm thấy chương trình pg_dump")
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
