"""A consistent copy of the database, taken while the registry keeps serving (``registry backup FILE``).

SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page
in one step, inside one read transaction, so the copy is the database as one
commit left it; in WAL mode the workers keep writing meanwhile. The copy is
switched out of WAL mode, so that it is one self-contained file, and checked
with ``PRAGMA integrity_check``.

PostgreSQL: ``pg_dump`` in its custom format (``-Fc``, for ``pg_restore``), which
reads the whole database in one snapshot; the archive's table of contents is
read back with ``pg_restore --list``. The password travels in ``PGPASSWORD``,
not on the command line where other users of the machine could see it.

The copy is written beside FILE under a temporary name and moved into place
only when complete and checked, so FILE is never a half-written backup. An
existing FILE is kept unless the caller passes ``force``: a scheduled backup
should not silently replace the last good one.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from registry.core.errors import N_, DomainError, Msg

SQLITE_BUSY_TIMEOUT_S = 10
PG_DUMP_TIMEOUT_S = 6 * 60 * 60
CANNOT_WRITE = N_("Không ghi được tệp sao lưu %(path)s: %(reason)s.")


class BackupFailed(DomainError):
    code = "backup_failed"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str  # "sqlite" or "postgresql"
    source: str  # the database, without its password
    size: int  # bytes

    @property
    def summary(self) -> Msg:
        if self.engine == "sqlite":
            return Msg(N_("Đã sao lưu cơ sở dữ liệu SQLite %(source)s vào %(path)s (%(size)s byte; "
                          "kiểm tra toàn vẹn: ok)."), source=self.source, path=str(self.path), size=self.size)
        return Msg(N_("Đã sao lưu cơ sở dữ liệu PostgreSQL %(source)s vào %(path)s (%(size)s byte, định dạng "
                      "pg_dump -Fc; khôi phục bằng pg_restore)."), source=self.source, path=str(self.path),
                   size=self.size)


def backup(database_url: str, target: Path, force: bool = False) -> BackupResult:
    """Write a consistent copy of the database at ``database_url`` to ``target``."""
    url = make_url(database_url)
    target = Path(target)
    _check_target(target, force)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_source(url.database, target)
        return _write_atomically(target, force, "sqlite", str(source), lambda tmp: _sqlite_backup(source, tmp))
    if url.get_backend_name() == "postgresql":
        source = url.set(drivername="postgresql").render_as_string(hide_password=True)
        return _write_atomically(target, force, "postgresql", source, lambda tmp: _pg_dump(url, tmp))
    raise BackupFailed(N_("Không sao lưu được loại cơ sở dữ liệu %(backend)s; chỉ hỗ trợ SQLite và PostgreSQL."),
                       backend=url.get_backend_name())


# --- the target file -------------------------------------------------------------------------------

def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupFailed(N_("%(path)s là một thư mục; hãy ghi tên tệp sao lưu, ví dụ %(example)s."),
                           path=str(target), example=str(target / "registry-backup"))
    if not target.parent.is_dir():
        raise BackupFailed(N_("Không ghi được tệp sao lưu %(path)s: thư mục %(folder)s không tồn tại."),
                           path=str(target), folder=str(target.parent))
    if target.exists() and not force:
        raise BackupFailed(N_("Tệp %(path)s đã có; không ghi đè. Hãy chọn tên khác, hoặc thêm --force để ghi đè."),
                           path=str(target))


def _write_atomically(target: Path, force: bool, engine: str, source: str, write) -> BackupResult:
    """Run ``write(temporary path)`` beside ``target``, then move the result into place."""
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise BackupFailed(CANNOT_WRITE, path=str(target), reason=exc.strerror or str(exc)) from None
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        # checked again: the file may have appeared while the copy was being made
        _check_target(target, force)
        os.replace(tmp, target)
    except OSError as exc:
        raise BackupFailed(CANNOT_WRITE, path=str(target), reason=exc.strerror or str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, engine, source, target.stat().st_size)


# --- SQLite ----------------------------------------------------------------------------------------

def _sqlite_source(database: str | None, target: Path) -> Path:
    if database in (None, "", ":memory:"):
        raise BackupFailed(N_("Cơ sở dữ liệu SQLite trong bộ nhớ không có gì để sao lưu."))
    source = Path(database)
    if not source.is_file():
        raise BackupFailed(N_("Không có cơ sở dữ liệu SQLite %(path)s."), path=str(source))
    if target.exists() and target.resolve() == source.resolve():
        raise BackupFailed(N_("Không thể ghi bản sao lưu đè lên chính cơ sở dữ liệu %(path)s."), path=str(source))
    return source


def _sqlite_backup(source: Path, tmp: Path) -> None:
    try:
        # mode=rw: never create an empty database where the real one is missing
        src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=rw", uri=True,
                              timeout=SQLITE_BUSY_TIMEOUT_S)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # pages=-1: all pages in one step, from one read snapshot
                dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
                problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupFailed(N_("Không sao lưu được cơ sở dữ liệu SQLite %(path)s: %(reason)s."),
                           path=str(source), reason=str(exc)) from None
    if problems != ["ok"]:
        raise BackupFailed(N_("Bản sao của %(path)s không qua kiểm tra toàn vẹn: %(reason)s."),
                           path=str(source), reason="; ".join(problems[:5]))


# --- PostgreSQL ------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(N_("Không tìm thấy chương trình %(tool)s. Hãy cài gói postgresql-client (cùng phiên bản "
                              "chính với máy chủ PostgreSQL hoặc mới hơn) rồi chạy lại."), tool=name)
    return path


def _run_pg_tool(args: list[str], env: dict) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_S,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupFailed(N_("%(tool)s không chạy được: %(reason)s."), tool=Path(args[0]).name,
                           reason=str(exc)) from None
    if result.returncode != 0:
        detail = " ".join(result.stderr.split())[:2000] or f"exit {result.returncode}"
        raise BackupFailed(N_("Sao lưu không thành công; %(tool)s báo lỗi: %(reason)s"), tool=Path(args[0]).name,
                           reason=detail)


def _pg_dump(url, tmp: Path) -> None:
    pg_dump, pg_restore = _pg_tool("pg_dump"), _pg_tool("pg_restore")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # libpq's own URL: no SQLAlchemy driver name, no password (it is in PGPASSWORD)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    _run_pg_tool([pg_dump, "--format=custom", f"--file={tmp}", f"--dbname={dsn}"], env)
    # the archive must be readable by the tool that will restore it
    _run_pg_tool([pg_restore, "--list", str(tmp)], env)
