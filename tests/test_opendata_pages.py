"""The open-data page, its downloads and the DIC's report download (HTTP)."""

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from sqlmodel import select

from registry.models import AuditEvent
from tests.factories import status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(make):
    agency = make.agency(code="so-tttt", name="Sở Thông tin và Truyền thông")
    service = make.service(agency, code="1.001", name="Cấp giấy phép bưu chính")
    focal = make.user("focal", agency, email="focal@tttt.example.vn")
    auditor = make.user("auditor", email="auditor@tttt.example.vn")
    admin = make.user("admin", email="admin@tttt.example.vn")
    make.submission(agency, 2015, services={service.id: status(1, info_url="https://dvc.example.vn/1.001")},
                    focal=focal, auditor=auditor)
    make.period(2014)
    return {"agency": agency, "service": service, "focal": focal, "auditor": auditor, "admin": admin}


def text_of(body: bytes, fmt: str) -> bytes:
    """The readable content of a file: an XLSX is a zip of XML parts."""
    if fmt != "xlsx":
        return body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


# --- the page ---------------------------------------------------------------------------------

def test_open_data_page_lists_every_period_dataset_and_format(client, world):
    response = client.get("/open-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Dữ liệu mở" in page
    for year in (2014, 2015):
        for dataset in ("targets", "agencies", "services"):
            for fmt in ("csv", "xlsx", "json"):
                assert f'href="/open-data/{year}/{dataset}.{fmt}"' in page
    assert "đã được Sở Khoa học và Công nghệ xác minh" in page
    assert "chưa có số liệu đã xác minh" in page  # 2014 has none
    assert "dữ liệu minh họa" not in page.lower()
    assert "ghi rõ nguồn" in page  # the terms of use


def test_open_data_page_in_english(client, world):
    assert client.get("/open-data?lang=en").status_code == 200


def test_open_data_page_without_periods(client):
    response = client.get("/open-data")
    assert response.status_code == 200
    assert "Chưa có kỳ báo cáo nào." in response.get_data(as_text=True)


# --- downloads ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", ["targets", "agencies", "services"])
@pytest.mark.parametrize("fmt,content_type", [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX),
                                               ("json", "application/json; charset=utf-8")])
def test_download_headers(client, world, dataset, fmt, content_type):
    response = client.get(f"/open-data/2015/{dataset}.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''dien-bien-2015-{dataset}.{fmt}" in disposition
    assert response.headers["Cache-Control"].startswith("public")
    body = response.get_data()
    if fmt == "csv":
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert len(rows) >= 2
    elif fmt == "json":
        document = json.loads(body)
        assert document["period"] == 2015 and document["basis"] == "verified" and document["rows"]
    else:
        assert openpyxl.load_workbook(io.BytesIO(body)).active.max_row >= 2


def test_download_content(client, world):
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/2015/services.csv").get_data().decode("utf-8-sig"))))
    assert rows == [{"code": "1.001", "procedure_code": "1.001", "name": "Cấp giấy phép bưu chính", "name_en": "", "agency_code": "so-tttt",
                     "sector": "Hộ tịch", "level": "1", "info_url": "https://dvc.example.vn/1.001",
                     "form_url": "", "submission_url": "", "payment_url": "", "in_basis": "true"}]


@pytest.mark.parametrize("url", [
    "/open-data/2099/targets.csv",  # no such period
    "/open-data/2013/targets.csv",
    "/open-data/2015/users.csv",  # no such data set
    "/open-data/2015/targets.pdf",  # no such format
    "/open-data/2015/targets",
    "/open-data/abcd/targets.csv",
    "/open-data/2015/targets.csv.exe",
])
def test_unknown_downloads_are_404(client, world, url):
    assert client.get(url).status_code == 404


def test_open_data_is_public_for_everyone(client, auth, world):
    for email in (None, world["focal"].email, world["auditor"].email, world["admin"].email):
        if email:
            auth.login(email)
        assert client.get("/open-data").status_code == 200
        assert client.get("/open-data/2015/targets.json").status_code == 200
        if email:
            auth.logout()


def test_open_data_files_hold_no_email_address(client, demo_data):
    for year in (2014, 2015):
        for dataset in ("targets", "agencies", "services"):
            for fmt in ("csv", "xlsx", "json"):
                response = client.get(f"/open-data/{year}/{dataset}.{fmt}")
                assert response.status_code == 200
                content = text_of(response.get_data(), fmt)
                assert b"@demo.dienbien.example" not in content
                assert b"@" not in content, (year, dataset, fmt)


def test_open_data_page_says_demo_data(client, demo_data):
    page = client.get("/open-data").get_data(as_text=True)
    assert "dữ liệu minh họa" in page
    assert 'href="/open-data/2010/services.xlsx"' in page


# --- the DIC's report ----------------------------------------------------------------------------

def test_report_needs_sign_in(client, world):
    response = client.get("/review/report?period=2015&format=xlsx")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_report_refused_to_a_focal_point_and_logged(client, auth, db, world):
    auth.login(world["focal"].email)
    assert client.get("/review/report?period=2015&format=xlsx").status_code == 403
    assert client.get("/review/report").status_code == 403
    db.rollback()
    refusals = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                                AuditEvent.entity == "report")).all()
    assert len(refusals) == 2


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_report_downloads_for_auditors_and_admins(client, auth, world, role):
    auth.login(world[role].email)
    response = client.get("/review/report?period=2015&format=xlsx&basis=verified")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="bao-cao-chi-tieu-cntt-2015.xlsx"' in disposition
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20ch%E1%BB%89%20ti%C3%AAu%20CNTT%202015.xlsx" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    wb = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert wb.sheetnames[:7] == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh", "Xếp hạng",
                                 "CT1 theo cơ quan"]


def test_report_csv_and_reported_basis(client, auth, world):
    auth.login(world["auditor"].email)
    response = client.get("/review/report?period=2015&format=csv&basis=reported")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "bao-cao-chi-tieu-cntt-2015-reported.csv" in response.headers["Content-Disposition"]
    header = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Mã,Chỉ tiêu,Căn cứ,Mức cần đạt,Kết quả")


def test_report_form_without_a_period(client, auth, world):
    auth.login(world["auditor"].email)
    response = client.get("/review/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="period"' in page and 'value="reported"' in page and "Báo cáo gửi tỉnh" in page


@pytest.mark.parametrize("query,status", [
    ("period=2099&format=xlsx", 404),
    ("period=abc&format=xlsx", 422),
    ("period=2015&format=pdf", 422),
    ("period=2015&format=xlsx&basis=draft", 422),
])
def test_report_bad_requests(client, auth, world, query, status):
    auth.login(world["auditor"].email)
    assert client.get(f"/review/report?{query}").status_code == status
