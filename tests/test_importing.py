"""`registry import`: all rows or none, every bad row reported, idempotent."""

import io

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from registry.dataio.importing import import_file
from registry.models import Agency, AuditEvent, Service, ServiceStatus, State, Submission, VerifiedCopy
from tests.factories import TEST_ACTOR

AGENCIES_CSV = """code,name,name_en,tier,kind,parent_code,active
ubnd-tinh,Ủy ban nhân dân tỉnh Điện Biên,Provincial People's Committee,province,people_committee,,1
so-tp,Sở Tư pháp,Department of Justice,province,department,ubnd-tinh,có
ubnd-tuan-giao,UBND huyện Tuần Giáo,,district,people_committee,ubnd-tinh,yes
"""

SERVICES_CSV = """code,name,name_en,agency_code,sector
1.001,Cấp Phiếu lý lịch tư pháp,Judicial record,so-tp,Lý lịch tư pháp
1.002,Đăng ký khai sinh có yếu tố nước ngoài,,so-tp,Hộ tịch
"""

REPORT_HEADER = ("agency_code,period,has_lan,wan_connected,broadband_internet,official_email,staff_total,"
                 "staff_with_computer,staff_with_email,documents_total,documents_online,exchanges_online,"
                 "legal_docs_online,specialised_database\n")


def run_import(runner, tmp_path, kind, content, *args, name=None):
    path = tmp_path / (name or f"{kind}.csv")
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return runner.invoke(args=["import", kind, str(path), *args])


def count(db, model):
    db.rollback()  # end the test's read transaction, to see what the command committed
    return db.exec(select(func.count()).select_from(model)).one()


def test_agencies_import_and_reimport_is_idempotent(runner, db, tmp_path):
    result = run_import(runner, tmp_path, "agencies", AGENCIES_CSV)
    assert result.exit_code == 0, result.output
    assert "3 thêm mới" in result.output
    agencies = {a.code: a for a in db.exec(select(Agency))}
    assert agencies["so-tp"].parent_id == agencies["ubnd-tinh"].id
    assert agencies["ubnd-tuan-giao"].name_en is None
    events = count(db, AuditEvent)

    again = run_import(runner, tmp_path, "agencies", AGENCIES_CSV)
    assert again.exit_code == 0, again.output
    assert "3 không đổi" in again.output
    assert count(db, Agency) == 3
    # only the record of the import itself, no change events
    assert count(db, AuditEvent) == events + 1


def test_bad_rows_write_nothing_and_each_is_reported(runner, db, tmp_path):
    bad = """code,name,name_en,tier,kind,parent_code
ok-1,Cơ quan tốt,,province,department,
bad code,Tên,,province,department,
no-tier,Tên,,huyen,department,
no-parent,Tên,,district,people_committee,does-not-exist
,Không mã,,province,department,
ok-1,Trùng mã,,province,department,
"""
    result = run_import(runner, tmp_path, "agencies", bad)
    assert result.exit_code != 0
    assert count(db, Agency) == 0
    lines = [line for line in result.output.splitlines() if ", cột " in line]
    reported = {(line.split("dòng ")[1].split(",")[0], line.split("cột ")[1].split(":")[0]) for line in lines}
    assert reported == {("3", "code"), ("4", "tier"), ("5", "parent_code"), ("6", "code"), ("7", "code")}
    assert "5 lỗi" in result.output

    fixed = bad.replace("bad code", "bad-code").replace("huyen", "district").replace(
        "does-not-exist", "ok-1").replace(",Không mã", "no-code,Không mã").replace("ok-1,Trùng mã", "ok-2,Trùng mã")
    result = run_import(runner, tmp_path, "agencies", fixed)
    assert result.exit_code == 0, result.output
    assert count(db, Agency) == 6


def test_header_problems_are_reported(runner, db, tmp_path):
    result = run_import(runner, tmp_path, "agencies", "code,name,colour\nx,y,z\n")
    assert result.exit_code != 0
    assert "cột colour" in result.output
    assert "cột tier: thiếu cột bắt buộc" in result.output
    assert count(db, Agency) == 0


def test_blank_columns_beside_the_table_are_ignored_but_data_in_them_is_reported(db):
    agencies = AGENCIES_CSV.replace("\n", ",,\n")  # two unnamed columns, as spreadsheets often export
    result = import_file(db, TEST_ACTOR, "agencies", "agencies.csv", agencies.encode())
    assert result.ok and result.created == 3, result.errors
    db.rollback()
    stray = agencies.replace("ubnd-tinh,có,,", "ubnd-tinh,có,,ghi chú")  # a note in row 3, under no column
    result = import_file(db, TEST_ACTOR, "agencies", "agencies.csv", stray.encode())
    assert [(e.row, e.column, str(e.reason)) for e in result.errors] == [
        (3, "-", "dòng có dữ liệu trong cột không có tiêu đề")]
    db.rollback()
    assert count(db, Agency) == 0


def test_bom_and_boolean_words(runner, db, tmp_path):
    content = ("\ufeff" + AGENCIES_CSV.replace(",1\n", ",không\n")).encode("utf-8")
    result = run_import(runner, tmp_path, "agencies", content)
    assert result.exit_code == 0, result.output
    assert db.exec(select(Agency).where(Agency.code == "ubnd-tinh")).one().active is False
    assert db.exec(select(Agency).where(Agency.code == "so-tp")).one().active is True


def test_not_utf8_is_refused_clearly(runner, db, tmp_path):
    result = run_import(runner, tmp_path, "agencies", AGENCIES_CSV.encode("cp1258", errors="replace"))
    assert result.exit_code != 0
    assert "UTF-8" in result.output
    assert count(db, Agency) == 0


def test_parent_cycle_is_refused(runner, db, tmp_path):
    content = "code,name,tier,kind,parent_code\na,A,province,department,b\nb,B,province,department,a\n"
    result = run_import(runner, tmp_path, "agencies", content)
    assert result.exit_code != 0
    assert "vòng lặp" in result.output
    assert count(db, Agency) == 0


def test_xlsx_import(runner, db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for line in AGENCIES_CSV.strip().splitlines():
        sheet.append(line.split(","))
    sheet.append([])  # blank rows are not rows
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(runner, tmp_path, "agencies", buffer.getvalue(), name="agencies.xlsx")
    assert result.exit_code == 0, result.output
    assert count(db, Agency) == 3


def test_corrupt_xlsx_is_refused_clearly(runner, db, tmp_path):
    result = run_import(runner, tmp_path, "agencies", b"PK\x03\x04 not really a zip", name="a.xlsx")
    assert result.exit_code != 0
    assert "XLSX" in result.output


def test_dry_run_writes_nothing(runner, db, tmp_path):
    result = run_import(runner, tmp_path, "agencies", AGENCIES_CSV, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Chạy thử" in result.output
    assert count(db, Agency) == 0
    assert count(db, AuditEvent) == 16 + 18  # the seeded targets and province-wide indicators only


@pytest.fixture
def catalogue(runner, tmp_path):
    assert run_import(runner, tmp_path, "agencies", AGENCIES_CSV).exit_code == 0
    assert run_import(runner, tmp_path, "services", SERVICES_CSV).exit_code == 0


def test_services_need_a_known_agency(runner, db, tmp_path, catalogue):
    result = run_import(runner, tmp_path, "services", "code,name,agency_code,sector\n9.9,X,nope,Hộ tịch\n")
    assert result.exit_code != 0
    assert "dòng 2, cột agency_code" in result.output
    assert count(db, Service) == 2


def test_levels_import_requires_evidence_per_level(runner, db, tmp_path, catalogue):
    content = """service_code,period,level,info_url,form_url,submission_url
1.001,2014,2,https://dvc.example/1,,
1.002,2014,5,,,
1.002,2015,1,javascript:alert(1),,
"""
    result = run_import(runner, tmp_path, "levels", content)
    assert result.exit_code != 0
    assert "dòng 2, cột form_url" in result.output
    assert "dòng 3, cột level" in result.output
    assert "dòng 4, cột info_url" in result.output
    assert count(db, ServiceStatus) == 0
    assert count(db, Submission) == 0


def test_levels_import_submits_and_as_verified_verifies(runner, db, tmp_path, catalogue):
    content = """service_code,period,level,info_url,form_url,submission_url
1.001,2014,2,https://dvc.example/1,https://dvc.example/1.docx,
1.002,2014,0,,,
"""
    result = run_import(runner, tmp_path, "levels", content)
    assert result.exit_code == 0, result.output
    submission = db.exec(select(Submission)).one()
    assert submission.state == State.submitted.value
    assert submission.period_year == 2014

    result = run_import(runner, tmp_path, "levels", content, "--as-verified")
    assert result.exit_code == 0, result.output
    db.rollback()
    submission = db.exec(select(Submission)).one()
    assert submission.state == State.verified.value
    assert count(db, VerifiedCopy) == 1

    again = run_import(runner, tmp_path, "levels", content, "--as-verified")
    assert again.exit_code == 0, again.output
    assert count(db, VerifiedCopy) == 1  # nothing changed, nothing verified again


def test_reports_import_checks_counts(runner, db, tmp_path, catalogue):
    content = REPORT_HEADER + (
        "so-tp,2015,1,1,1,1,40,38,41,1000,900,1,1,0\n"  # more staff with e-mail than staff
        "so-tp,2014,1,1,1,1,40,38,30,1000,900,1,maybe,0\n"
        "so-tp,2013,1,1,1,1,-4,0,0,1000,900,1,1,0\n"
        "so-tp,2012,1,1,1,1,40,38,30,1000,900,1,1\n"  # a missing cell
    )
    result = run_import(runner, tmp_path, "reports", content)
    assert result.exit_code != 0
    for expected in ("dòng 2, cột staff_with_email", "dòng 3, cột legal_docs_online",
                     "dòng 4, cột staff_total", "dòng 5, cột specialised_database"):
        assert expected in result.output
    assert count(db, Submission) == 0


def test_reports_import(runner, db, tmp_path, catalogue):
    content = REPORT_HEADER + "so-tp,2015,1,1,yes,true,40,38,30,1000,900,có,1,0\n"
    result = run_import(runner, tmp_path, "reports", content)
    assert result.exit_code == 0, result.output
    submission = db.exec(select(Submission)).one()
    assert (submission.staff_total, submission.staff_with_email, submission.specialised_database) == (40, 30, False)
    assert submission.state == State.submitted.value
    change = db.exec(select(AuditEvent).where(AuditEvent.action == "report.update")).one()
    assert change.after["staff_total"] == 40 and change.before["staff_total"] is None


def test_import_file_rejects_unknown_kind(db):
    from registry.core.errors import DomainError

    with pytest.raises(DomainError):
        import_file(db, TEST_ACTOR, "people", "x.csv", b"code\n1\n")


def test_levels_are_read_on_each_rows_period_scale(runner, db, tmp_path, catalogue, monkeypatch):
    """A later plan's scale (SPEC §2) attached to one period: that period's rows are read
    on it, the other periods' rows on theirs, in the same file."""
    from sqlalchemy import text

    from registry.catalogue import levels
    from registry.models import ReportingPeriod

    later = levels.Scale("later-plan", "Thang sau", "A later scale", levels.DECREE_64_SCALE.levels[:3])
    monkeypatch.setitem(levels.SCALES, later.code, later)
    # the tables accept only the shipped scales; this test's scale is let in for the test's database
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ALTER TABLE reporting_period DROP CONSTRAINT ck_reporting_period_level_scale"))
    else:
        db.execute(text("PRAGMA ignore_check_constraints = ON"))
    db.add(ReportingPeriod(year=2016, status="open", level_scale=later.code))
    db.commit()

    refused = run_import(runner, tmp_path, "levels", """service_code,period,level,info_url,form_url,submission_url
1.001,2016,3,https://dvc.example/1,https://dvc.example/1.docx,https://dvc.example/nop/1
1.002,2015,3,https://dvc.example/2,https://dvc.example/2.docx,https://dvc.example/nop/2
""")
    assert refused.exit_code != 0
    assert "dòng 2, cột level" in refused.output and "0, 1, 2" in refused.output
    assert "dòng 3" not in refused.output  # 2015 is created on the default scale, where 3 is a level
    assert count(db, ServiceStatus) == 0

    accepted = run_import(runner, tmp_path, "levels", """service_code,period,level,info_url,form_url,submission_url
1.001,2016,2,https://dvc.example/1,https://dvc.example/1.docx,
1.002,2015,3,https://dvc.example/2,https://dvc.example/2.docx,https://dvc.example/nop/2
""")
    assert accepted.exit_code == 0, accepted.output
    db.rollback()
    assert sorted(db.exec(select(ServiceStatus.level)).all()) == [2, 3]
