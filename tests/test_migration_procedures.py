"""Migration 0011 (procedures, the decision's scopes, level 4) on a database of
the previous schema holding data: what it carries over, and what it leaves for
an administrator to check."""

import logging

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from registry.core import generations, schema
from registry.core.db import make_engine

BEFORE = "0006"
OLD_STATE = "*:department,people_committee,political_org"


def _old_registry(engine) -> None:
    """A registry as the previous schema kept it: agencies (one a kindergarten kept as a
    school, the province committee and its office both present), services, a period,
    a verified submission, shipped targets (one of them edited by an administrator)."""
    schema.upgrade(engine, BEFORE)
    with engine.begin() as conn:
        generations.untracked(conn)
        run = conn.execute
        for code, name, tier, kind in (
                ("ubnd-tinh", "Ủy ban nhân dân tỉnh Điện Biên", "province", "people_committee"),
                ("vp-ubnd-tinh", "Văn phòng Ủy ban nhân dân tỉnh", "province", "department"),
                ("mn-hoa-ban", "Mầm non Hoa Ban", "commune", "school"),
                ("xa-a", "UBND xã A", "commune", "people_committee")):
            run(text("INSERT INTO agency (code, name, tier, kind, active, name_key, name_sort) "
                     "VALUES (:code, :name, :tier, :kind, TRUE, :key, :sort)"),
                dict(code=code, name=name, tier=tier, kind=kind, key=code, sort=name))
        ids = dict(run(text("SELECT code, id FROM agency")).all())
        for code in ("1.000001", "1.000002"):
            run(text("INSERT INTO service (code, name, agency_id, sector, active, name_key, name_sort) "
                     "VALUES (:code, 'Đăng ký khai sinh', :agency, 'Hộ tịch', TRUE, :key, 'dang ky')"),
                dict(code=code, agency=ids["xa-a"], key=code))
        run(text("INSERT INTO reporting_period (year, status) VALUES (2014, 'closed')"))
        for agency, broadband in (("xa-a", True), ("mn-hoa-ban", False)):
            run(text("INSERT INTO submission (agency_id, period_year, state, version, updated_at, "
                     "verified_sequence, broadband_internet, has_lan, staff_total, staff_with_computer, "
                     "staff_with_email) VALUES (:agency, 2014, 'verified', 3, CURRENT_TIMESTAMP, 1, :bb, TRUE, "
                     "20, 18, 15)"), dict(agency=ids[agency], bb=broadband))
            run(text("INSERT INTO verified_copy (submission_id, sequence, verified_at, broadband_internet, "
                     "has_lan, staff_total, staff_with_computer, staff_with_email) SELECT id, 1, CURRENT_TIMESTAMP, "
                     ":bb, TRUE, 20, 18, 15 FROM submission WHERE agency_id = :agency"),
                dict(agency=ids[agency], bb=broadband))
        for code, flags, scope in (("agencies_legal_docs_pct", "legal_docs_online", OLD_STATE),
                                   ("schools_network_pct", "has_lan,broadband_internet", "*:school"),
                                   # edited by an administrator: kept as it is
                                   ("agencies_email_pct", "official_email", "province:department")):
            run(text("INSERT INTO target (code, title_vi, title_en, citation, unit, comparator, threshold, "
                     "deadline, formula, flags, scope, position, active) VALUES (:code, 't', 't', 'c', 'percent', "
                     "'>=', 90, 2015, 'agency_flag_share', :flags, :scope, 1, TRUE)"),
                dict(code=code, flags=flags, scope=scope))


def _check_migrated(engine, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        schema.upgrade(engine)
    with engine.begin() as conn:
        run = conn.execute
        # every service is its own procedure until procedures are named
        assert run(text("SELECT code, procedure_code FROM service ORDER BY code")).all() == [
            ("1.000001", "1.000001"), ("1.000002", "1.000002")]
        # internet_connected carried over from broadband_internet; computer_staff_with_email unknown
        for table in ("submission", "verified_copy"):
            rows = run(text(f"SELECT broadband_internet, internet_connected, computer_staff_with_email "  # nosec
                            f"FROM {table} ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(True, True, None), (False, False, None)], table
        assert run(text("SELECT level_scale FROM reporting_period")).scalar_one() == "nd64-tt26"
        # shipped targets still as shipped take the decision's scopes; an edited one is kept
        targets = dict((code, (flags, scope)) for code, flags, scope in run(
            text("SELECT code, flags, scope FROM target")).all())
        assert targets["agencies_legal_docs_pct"] == ("legal_docs_online", "*:department,people_committee")
        assert targets["schools_network_pct"] == ("has_lan,internet_connected", "*:school")
        assert targets["agencies_email_pct"] == ("official_email", "province:department")
        events = run(text("SELECT entity_key, source FROM audit_event WHERE action = 'target.update' "
                          "ORDER BY entity_key")).all()
        assert [tuple(e) for e in events] == [("agencies_legal_docs_pct", "migration"),
                                              ("schools_network_pct", "migration")]
        # nothing re-kinded silently: the kindergarten is still a school, both committees are there
        assert run(text("SELECT kind FROM agency WHERE code = 'mn-hoa-ban'")).scalar_one() == "school"
        assert run(text("SELECT count(*) FROM agency WHERE tier = 'province'")).scalar_one() == 2
    # ... but named for the administrator to check
    logged = caplog.text
    assert "mn-hoa-ban" in logged and "preschool" in logged
    assert "ubnd-tinh" in logged and "vp-ubnd-tinh" in logged
    assert "agencies_email_pct" in logged
    with engine.begin() as conn:
        # the new values are accepted: a preschool, level 4 with its evidence
        conn.execute(text("UPDATE agency SET kind = 'preschool' WHERE code = 'mn-hoa-ban'"))
        sub = conn.execute(text("SELECT id FROM submission ORDER BY id")).scalars().first()
        service = conn.execute(text("SELECT id FROM service ORDER BY id")).scalars().first()
        conn.execute(text("INSERT INTO service_status (submission_id, service_id, level, payment_url) "
                          "VALUES (:s, :v, 4, 'https://x.example/pay')"), dict(s=sub, v=service))
    with pytest.raises(IntegrityError):  # the bounds hold for the new count
        with engine.begin() as conn:
            conn.execute(text("UPDATE submission SET computer_staff_with_email = 19"))  # > staff_with_computer 18
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text("UPDATE service_status SET level = 5"))


def test_migration_carries_sqlite_data_over(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        _old_registry(engine)
        _check_migrated(engine, caplog)
        # the catalogue's search index still follows the services after the tables were rebuilt
        with engine.begin() as conn:
            ids = conn.execute(text("SELECT id FROM agency WHERE code = 'xa-a'")).scalar_one()
            conn.execute(text("INSERT INTO service (code, procedure_code, name, agency_id, sector, active, "
                              "name_key, name_sort) VALUES ('1.000003', '1.000003', 'Đăng ký kết hôn', :a, "
                              "'Hộ tịch', 1, '1.000003 dang ky ket hon', 'dang ky ket hon')"), dict(a=ids))
            found = conn.execute(text("SELECT count(*) FROM service_search WHERE service_search MATCH 'hon'"))
            assert found.scalar_one() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_migration_carries_postgres_data_over(postgres_server, caplog):
    engine = make_engine(postgres_server.create_database())
    try:
        _old_registry(engine)
        _check_migrated(engine, caplog)
    finally:
        engine.dispose()


def _init_prints_the_notes(url: str, instance, monkeypatch) -> None:
    """`registry init`, as an administrator runs it on a registry at revision 0010: what the
    migration leaves to check is in the command's output, not only in a log nobody reads."""
    from registry.cli import main

    engine = make_engine(url)
    try:
        _old_registry(engine)
        schema.upgrade(engine, "0010")
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("REGISTRY_LANG", raising=False)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "Đã công bố lại 1 kỳ đã khóa (2014)" in result.stdout
    notes = result.stderr
    assert "Quản trị viên cần kiểm tra sau khi nâng cấp:" in notes
    assert "0011: agency mn-hoa-ban (Mầm non Hoa Ban) is a school named like a kindergarten" in notes
    assert "ubnd-tinh [people_committee]" in notes and "vp-ubnd-tinh [department]" in notes
    assert "target agencies_email_pct was edited by an administrator" in notes
    assert "1 report(s) without broadband now say no Internet connection at all (mn-hoa-ban 2014)" in notes
    assert "each of the 2 services is its own procedure" in notes
    # ... and that a closed period follows such changes only when it is re-opened and closed again
    assert "chỉ công bố lại khi được mở lại rồi khóa lại" in notes and "registry period reopen" in notes
    again = CliRunner().invoke(main, ["init"])  # nothing migrated: nothing to check
    assert again.exit_code == 0 and again.stderr == ""


def test_init_prints_what_to_check_sqlite(tmp_path, monkeypatch):
    _init_prints_the_notes(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "instance", monkeypatch)


@pytest.mark.postgres
def test_init_prints_what_to_check_postgres(postgres_server, tmp_path, monkeypatch):
    _init_prints_the_notes(postgres_server.create_database(), tmp_path / "instance", monkeypatch)


def test_downgrade_and_upgrade_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'round.db'}")
    try:
        _old_registry(engine)
        schema.upgrade(engine)
        with engine.connect() as conn, schema.foreign_keys_off(conn), conn.begin():
            command.downgrade(schema.alembic_config(conn), BEFORE)
            schema.check_foreign_keys(conn)
        schema.upgrade(engine)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM service WHERE procedure_code = code")).scalar_one() == 2
    finally:
        engine.dispose()
