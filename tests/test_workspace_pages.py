"""The focal point's workspace pages."""

import pytest
from sqlmodel import select

from registry.models import AuditEvent, Submission
from tests.factories import PASSWORD, full_report

FULL_FORM = {"report-has_lan": "1", "report-wan_connected": "1", "report-broadband_internet": "1",
             "report-official_email": "0", "report-staff_total": "40", "report-staff_with_computer": "38",
             "report-staff_with_email": "30", "report-documents_total": "1000", "report-documents_online": "900",
             "report-exchanges_online": "1", "report-legal_docs_online": "0", "report-specialised_database": "1",
             "report-internet_connected": "1", "report-computer_staff_with_email": "29"}


@pytest.fixture
def setup(auth, make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    make.period(2015)
    focal = make.user("focal", agency)
    auth.login(focal.email)
    return agency, service, focal


def service_fields(code, level, info="", form="", submission=""):
    return {"service": code, f"svc-{code}-level": str(level), f"svc-{code}-info_url": info,
            f"svc-{code}-form_url": form, f"svc-{code}-submission_url": submission, f"svc-{code}-note": ""}


def current(db):
    db.rollback()
    return db.exec(select(Submission)).first()


def test_workspace_lists_periods(client, setup):
    page = client.get("/workspace/").get_data(as_text=True)
    assert "Sở Tư pháp" in page and "Cập nhật báo cáo 2015" in page


def test_save_then_submit_asks_for_confirmation(client, db, setup):
    data = {"version": "0", "action": "save", **FULL_FORM,
            **service_fields("1.001", 1, "https://dvc.example/1")}
    assert client.post("/workspace/so-tp/2015", data=data).status_code == 302
    submission = current(db)
    assert submission.state == "draft" and submission.staff_total == 40 and submission.official_email is False
    page = client.get("/workspace/so-tp/2015").get_data(as_text=True)
    assert 'value="40"' in page and "Đã lưu bản nháp." in page
    data["version"], data["action"] = str(submission.version), "submit"
    response = client.post("/workspace/so-tp/2015", data=data)
    # "save and submit" saves, then shows what will be sent and asks; nothing is submitted yet
    assert response.status_code == 302 and response.headers["Location"].endswith("/workspace/so-tp/2015/submit")
    assert current(db).state == "draft"
    confirm = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gửi báo cáo kỳ 2015 để xác minh?" in confirm and "https://dvc.example/1" in confirm
    assert 'name="confirm" value="yes"' in confirm and "Xác nhận gửi báo cáo" in confirm
    version = current(db).version
    # a post without the confirmation only shows the page again
    again = client.post("/workspace/so-tp/2015/submit", data={"version": str(version)})
    assert again.status_code == 200 and "Xác nhận gửi báo cáo" in again.get_data(as_text=True)
    assert current(db).state == "draft"
    done = client.post("/workspace/so-tp/2015/submit", data={"version": str(version), "confirm": "yes"})
    assert done.status_code == 302
    assert current(db).state == "submitted"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "đã gửi" in page and "Lưu bản nháp" not in page  # read-only once submitted
    assert "đang chờ chuyên viên thẩm định xác minh" in page  # and the page says why


def test_confirmed_submit_of_a_changed_report_is_a_conflict(client, db, setup):
    client.post("/workspace/so-tp/2015", data={"version": "0", "action": "save", **FULL_FORM,
                                               **service_fields("1.001", 1, "https://dvc.example/1")})
    shown = current(db).version
    client.post("/workspace/so-tp/2015", data={"version": str(shown), "action": "save", "report-staff_total": "41"})
    response = client.post("/workspace/so-tp/2015/submit", data={"version": str(shown), "confirm": "yes"})
    assert response.status_code == 409  # what was confirmed is not what would be sent
    assert current(db).state == "draft"


def test_validation_errors_are_shown_next_to_the_field_and_nothing_saved(client, db, setup):
    data = {"version": "0", "action": "save", **FULL_FORM, "report-staff_with_email": "41",
            **service_fields("1.001", 2, "https://dvc.example/1")}
    response = client.post("/workspace/so-tp/2015", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-staff_with_email-error"' in page and "không được lớn hơn mục “Tổng số cán bộ, công chức, viên chức”" in page
    assert 'id="f-1-001-form_url-error"' in page and "mức độ 2 cần minh chứng này" in page
    assert 'value="41"' in page  # what the user typed is kept
    assert current(db) is None


def test_confirmation_page_lists_what_is_missing_and_offers_no_button(client, db, setup):
    data = {"version": "0", "action": "submit", "report-staff_total": "12", **service_fields("1.001", 0)}
    response = client.post("/workspace/so-tp/2015", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa gửi được: còn thiếu hoặc sai" in page and "Có mạng nội bộ (LAN)" in page
    assert "Xác nhận gửi báo cáo" not in page
    submission = current(db)
    assert submission.state == "draft" and submission.staff_total == 12
    forced = client.post("/workspace/so-tp/2015/submit", data={"version": str(submission.version), "confirm": "yes"})
    assert forced.status_code == 422
    assert current(db).state == "draft"


def test_two_editors_change_the_same_field_and_must_choose(app, client, db, setup, make_user):
    agency, service, focal = setup
    colleague = app.test_client()
    colleague.post("/login", data={"email": focal.email, "password": PASSWORD})
    first = {"version": "0", "action": "save", "report-staff_total": "40"}
    second = {"version": "0", "action": "save", "report-staff_total": "55"}
    assert client.post("/workspace/so-tp/2015", data=first).status_code == 302
    response = colleague.post("/workspace/so-tp/2015", data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Báo cáo đã được người khác lưu" in page
    assert "Mục cả hai người cùng sửa" in page and 'name="conflict" value="report.staff_total"' in page
    assert 'value="55"' in page  # the colleague's input is kept for them
    assert "đang lưu: 40" in page  # and what is stored is shown beside it
    assert current(db).staff_total == 40
    version = str(current(db).version)
    # saving again without choosing saves nothing
    unanswered = colleague.post("/workspace/so-tp/2015", data={**second, "version": version,
                                                               "conflict": "report.staff_total"})
    assert unanswered.status_code == 422 and "hãy chọn giữ giá trị nào" in unanswered.get_data(as_text=True)
    assert current(db).staff_total == 40
    # keeping the other's value writes nothing; choosing one's own writes it
    kept = colleague.post("/workspace/so-tp/2015", data={**second, "version": version, "conflict": "report.staff_total",
                                                         "choice-report.staff_total": "theirs"})
    assert kept.status_code == 302 and current(db).staff_total == 40
    mine = colleague.post("/workspace/so-tp/2015", data={**second, "version": version, "conflict": "report.staff_total",
                                                         "choice-report.staff_total": "mine"})
    assert mine.status_code == 302 and current(db).staff_total == 55


def test_a_save_from_an_older_version_keeps_what_the_other_editor_changed(app, client, db, setup):
    """The issue's scenario: both open the report; A saves a note and a level; B's stale form,
    with a change of its own, keeps A's note and level."""
    agency, service, focal = setup
    client.post("/workspace/so-tp/2015", data={"version": "0", "action": "save", **FULL_FORM,
                                               **service_fields("1.001", 1, "https://dvc.example/1")})
    read = current(db).version
    stale_form = {"version": str(read), "action": "save", **FULL_FORM,
                  **service_fields("1.001", 1, "https://dvc.example/1")}
    a = {**stale_form, "svc-1.001-note": "Đã kiểm tra", "svc-1.001-level": "2",
         "svc-1.001-form_url": "https://dvc.example/mau"}
    assert client.post("/workspace/so-tp/2015", data=a).status_code == 302
    b = {**stale_form, "report-staff_total": "45"}
    colleague = app.test_client()
    colleague.post("/login", data={"email": focal.email, "password": PASSWORD})
    merged = colleague.post("/workspace/so-tp/2015", data=b)
    assert merged.status_code == 302
    assert "những mục họ sửa được giữ nguyên" in colleague.get(merged.headers["Location"]).get_data(as_text=True)
    db.rollback()
    from registry.models import ServiceStatus
    status = db.exec(select(ServiceStatus)).one()
    assert (status.note, status.level, status.form_url) == ("Đã kiểm tra", 2, "https://dvc.example/mau")
    assert current(db).staff_total == 45
    # B saving the same stale form once more changes nothing at all
    version = current(db).version
    assert colleague.post("/workspace/so-tp/2015", data=b).status_code == 302
    assert current(db).version == version


def test_comparison_with_previous_period_flags_sudden_changes(client, setup, make):
    agency, service, focal = setup
    make.submission(agency, 2014, report=full_report(staff_total=40), auditor=make.user("auditor"))
    client.post("/workspace/so-tp/2015", data={"version": "0", "action": "save", "report-staff_total": "400"})
    page = client.get("/workspace/so-tp/2015").get_data(as_text=True)
    assert "thay đổi lớn so với kỳ trước" in page
    assert "Kỳ 2014 (đã xác minh)" in page


def test_focal_point_cannot_touch_another_agency(client, db, setup, make):
    make.agency(code="so-yt")
    assert client.get("/workspace/so-yt/2015").status_code == 403
    assert client.post("/workspace/so-yt/2015", data={"version": "0", "action": "save",
                                                      "report-staff_total": "1"}).status_code == 403
    db.rollback()
    assert db.exec(select(Submission)).all() == []
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).first().entity_key == "so-yt/2015"


def test_a_closed_period_says_why_it_cannot_be_edited(client, db, setup, make):
    agency, service, focal = setup
    make.submission(agency, 2014, "draft", report={"staff_total": 5})
    from registry.models import ReportingPeriod
    db.get(ReportingPeriod, 2014).status = "closed"
    db.commit()
    page = client.get("/workspace/so-tp/2014").get_data(as_text=True)
    assert "Chỉ xem, không sửa được:" in page and "Kỳ báo cáo 2014 đã khóa" in page
    assert "Lưu bản nháp" not in page


def test_version_tampering_is_a_conflict(client, db, setup):
    response = client.post("/workspace/so-tp/2015", data={"version": "abc", "action": "save",
                                                          "report-staff_total": "1"})
    assert response.status_code == 409
    assert current(db) is None
