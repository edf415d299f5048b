"""The administrators' import page: a dry run that reports and writes nothing, an
import that writes all rows or none, every bad row reported, oversized uploads refused."""

import io

import pytest
from sqlalchemy import func
from sqlmodel import select

from registry.models import Agency, AuditEvent, Service, ServiceStatus, Submission

ADMIN = "admin@example.vn"
AGENCIES_CSV = "code,name,tier,kind,name_en\nso-x,Sở X,province,department,Department X\nso-y,Sở Y,province,department,\n"


@pytest.fixture
def as_admin(client, auth, make_user):
    make_user("admin", email=ADMIN)
    assert auth.login(ADMIN).status_code == 302
    return client


def upload(client, kind, body: bytes | str, filename="data.csv", **fields):
    data = body.encode() if isinstance(body, str) else body
    form = {"kind": kind, "file": (io.BytesIO(data), filename), **fields}
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def count(db, model, *conditions):
    db.rollback()
    return db.exec(select(func.count()).select_from(model).where(*conditions)).one()


def test_the_page_lists_the_columns_of_each_kind(as_admin):
    page = as_admin.get("/admin/import").get_data(as_text=True)
    assert "code,name,agency_code,sector" in page and "service_code,period,level" in page
    assert 'enctype="multipart/form-data"' in page


def test_a_dry_run_reports_what_would_change_and_writes_nothing(as_admin, db):
    response = upload(as_admin, "agencies", AGENCIES_CSV, check="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kết quả chạy thử; chưa ghi gì" in page
    assert "2 dòng hợp lệ: 2 sẽ thêm mới, 0 sẽ cập nhật, 0 không đổi." in page
    assert count(db, Agency) == 0
    assert count(db, AuditEvent, AuditEvent.action.like("import.%")) == 0


def test_an_import_writes_every_row_and_is_audited_with_the_administrator(as_admin, db):
    response = upload(as_admin, "agencies", AGENCIES_CSV, submit="1")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/import"
    assert "Đã nhập 2 dòng: 2 thêm mới" in as_admin.get("/admin/import").get_data(as_text=True)
    assert {a.code for a in db.exec(select(Agency))} == {"so-x", "so-y"}
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "import.agencies")).all()
    assert event.actor == ADMIN and event.source == "import"
    again = upload(as_admin, "agencies", AGENCIES_CSV, submit="1")
    assert again.status_code == 302
    assert "0 thêm mới, 0 cập nhật, 2 không đổi" in as_admin.get("/admin/import").get_data(as_text=True)


def test_a_file_with_bad_rows_writes_nothing_and_lists_each_row(as_admin, db):
    body = ("code,name,tier,kind\nso-x,Sở X,province,department\n"
            "bad code!,Sở Z,province,department\nso-w,,nowhere,department\n")
    response = upload(as_admin, "agencies", body, submit="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tệp có lỗi; chưa ghi dòng nào" in page
    assert "<td>3</td><td><code>code</code></td>" in page
    assert "<td>4</td><td><code>name</code></td>" in page and "<td>4</td><td><code>tier</code></td>" in page
    assert count(db, Agency) == 0


def test_the_report_is_in_the_users_language(as_admin, db):
    response = as_admin.post("/admin/import?lang=en", data={
        "kind": "agencies", "submit": "1",
        "file": (io.BytesIO(b"code,name,tier,kind\nso-x,,province,department\n"), "a.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file has errors; no row was written" in page


def test_levels_can_be_imported_as_verified_history(as_admin, db, make_agency, make_service):
    agency = make_agency("so-x")
    make_service(agency, code="dv-1")
    body = "service_code,period,level,info_url\ndv-1,2014,1,https://example.vn/dv-1\n"
    assert upload(as_admin, "levels", body, submit="1", as_verified="y").status_code == 302
    submission = db.exec(select(Submission)).one()
    assert (submission.state, submission.period_year) == ("verified", 2014)
    assert db.exec(select(ServiceStatus)).one().level == 1


@pytest.mark.parametrize("filename, body, message", [
    ("agencies.exe", AGENCIES_CSV, "Chỉ nhận tệp .csv hoặc .xlsx."),
    ("agencies.csv", "code,name,tier,kind\nso-x,Sở X,province,department\n".encode("utf-16"),
     "Tệp CSV phải được mã hóa UTF-8."),
    ("agencies.xlsx", b"PK\x03\x04 not really a workbook", "Không đọc được tệp XLSX"),
    ("agencies.csv", b"", "Tệp trống hoặc thiếu dòng tiêu đề."),
])
def test_unreadable_files_get_a_message_and_change_nothing(as_admin, db, filename, body, message):
    response = upload(as_admin, "agencies", body, filename, submit="1")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, Agency) == 0


def test_a_kind_and_a_file_are_required(as_admin, db):
    response = as_admin.post("/admin/import", data={"kind": "planets", "submit": "1"},
                             content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy chọn một tệp." in page


def test_an_upload_over_the_size_limit_is_refused_with_413(app, as_admin, db):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = AGENCIES_CSV + ("so-z,Sở Z,province,department\n" * (limit // 30 + 1))
    response = upload(as_admin, "agencies", body, submit="1")
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.get_data(as_text=True)
    assert count(db, Agency) == 0


def test_an_api_body_over_the_size_limit_is_refused_with_a_json_413(app, client, runner, db, make_agency, make_user):
    focal = make_user("focal", make_agency("so-x"))
    token = runner.invoke(args=["token", "create", focal.email]).output.strip()
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.put("/api/v1/agencies/so-x/submissions/2015", data=b"{" + b" " * limit + b"}",
                          content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert response.is_json and response.get_json()["error"]["code"]
    assert count(db, Submission) == 0


@pytest.mark.parametrize("role", ["focal", "auditor"])
def test_only_administrators_may_import(client, auth, make_user, make_agency, db, role):
    user = make_user(role, agency=make_agency() if role == "focal" else None)
    auth.login(user.email)
    assert client.get("/admin/import").status_code == 403
    assert upload(client, "agencies", AGENCIES_CSV, submit="1").status_code == 403
    assert count(db, Agency) == 1 if role == "focal" else count(db, Agency) == 0
    assert count(db, Service) == 0
