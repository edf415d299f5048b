"""The `registry` console commands (SPEC §5) that are not imports."""

import os
import subprocess
import sys

from sqlmodel import select

from registry.accounts.passwords import check_password
from registry.models import Agency, AuditEvent, Target, User


def test_user_add_from_stdin(runner, db, make_agency):
    agency = make_agency(code="so-tttt")
    result = runner.invoke(args=["user", "add", "Focal@Example.VN", "--role", "focal", "--agency", "so-tttt",
                                 "--password-stdin"], input="mật khẩu đủ dài 2015\n")
    assert result.exit_code == 0, result.output
    user = db.exec(select(User)).one()
    assert user.email == "focal@example.vn" and user.agency_id == agency.id
    assert check_password(user, "mật khẩu đủ dài 2015")
    assert not check_password(user, "wrong")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one().entity_key == user.email


def test_user_add_refuses_bad_input(runner, db):
    cases = [
        (["x@example.vn", "--role", "focal"], "long enough password"),  # focal without agency
        (["x@example.vn", "--role", "auditor"], "short"),
        (["not-an-email", "--role", "auditor"], "long enough password"),
        (["x@example.vn", "--role", "focal", "--agency", "nope"], "long enough password"),
    ]
    for args, password in cases:
        result = runner.invoke(args=["user", "add", *args, "--password-stdin"], input=password + "\n")
        assert result.exit_code != 0, args
        assert "Không tạo được người dùng" in result.output
    assert db.exec(select(User)).all() == []


def test_user_add_twice_is_refused(runner, db):
    args = ["user", "add", "a@example.vn", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input="long enough password\n").exit_code == 0
    again = runner.invoke(args=args, input="long enough password\n")
    assert again.exit_code != 0 and "Không tạo được người dùng." in again.output
    assert "đã có người dùng a@example.vn" in again.output


def test_console_script_init_creates_schema_and_targets(tmp_path):
    """The installed `registry` command, as a user runs it, on a new SQLite file."""
    env = {**os.environ, "REGISTRY_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    registry = os.path.join(os.path.dirname(sys.executable), "registry")
    first = subprocess.run([registry, "init"], env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "thêm 16 chỉ tiêu" in first.stdout
    assert (tmp_path / "registry.db").exists() and (tmp_path / "secret_key").exists()
    second = subprocess.run([registry, "init"], env=env, capture_output=True, text=True, check=False)
    assert second.returncode == 0 and "thêm 0 chỉ tiêu" in second.stdout


def test_shipped_targets_keep_the_decision_wording(db):
    targets = {t.code: t for t in db.exec(select(Target))}
    assert len(targets) == 16
    # "Trên" means more than: the comparator is strict exactly where the decision says so
    strict = {code for code, t in targets.items() if t.comparator == ">"}
    assert strict == {"agencies_network_pct", "agencies_legal_docs_pct"}
    assert targets["services_level3_count"].unit == "count" and targets["services_level3_count"].threshold == 9
    assert targets["commune_staff_computer_pct"].deadline == 2020
    assert all(t.deadline == 2015 for c, t in targets.items() if c != "commune_staff_computer_pct")


def test_constraints_hold_in_the_database(db, make):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from registry.models import Submission

    agency = make.agency()
    db.add(Agency(code=agency.code, name="dup", tier="province", kind="department"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    submission = make.submission(agency, 2015, "draft", report={})
    submission.staff_total, submission.staff_with_email = 10, 11
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    db.add(Agency(code="x", name="x", tier="nation", kind="department"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    assert db.get(Submission, submission.id).staff_total is None


def test_targets_are_shared_with_the_pages_and_recomputed_after_a_change(tmp_path, monkeypatch):
    """`registry targets` reads the results the pages share while the figures hold
    (targets/cache.py), stores them when it computes them, and never prints stale ones."""
    from click.testing import CliRunner
    from sqlalchemy import text

    from registry.cli import main
    from registry.core.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["demo"]).exit_code == 0
    first = runner.invoke(main, ["targets", "--period", "2015", "--json"])
    assert first.exit_code == 0, first.output
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM target_cache WHERE period_year = 2015")).scalar_one() == 1
    again = runner.invoke(main, ["targets", "--period", "2015", "--json"])
    assert again.output == first.output
    with engine.begin() as conn:  # a change behind the ORM's back: the cached row is trusted only by its token
        conn.execute(text("UPDATE generation SET verified = 'changed'"))
    assert runner.invoke(main, ["targets", "--period", "2015", "--json"]).output == first.output
    engine.dispose()
