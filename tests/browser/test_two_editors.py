"""Two editors of one report in the browser (issue 12, SPEC §8.4): no field is lost.

Both open the report. A saves a note and raises a level. B, from the page opened
before, changes the staff count and lowers the same level: B's save writes nothing,
shows the level side by side (A's, B's) and asks; B's form now shows A's note, not
B's stale copy; B keeps A's level; in the end A's note, level and evidence and B's
count are all stored, and no save wrote a field back to what it was.
"""

from sqlmodel import select

from registry.models import AuditEvent, ServiceStatus, Submission
from tests.factories import PASSWORD


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def stored(db):
    db.rollback()
    submission = db.exec(select(Submission)).one()
    status = db.exec(select(ServiceStatus)).one()
    return submission, status


def test_two_editors_lose_nothing(new_page, live_server, report, db, artifacts):
    url = live_server + "/workspace/so-tp/2015"
    info_url = stored(db)[1].info_url
    a, b = new_page(), new_page()
    for page, email in ((a, "a@so-tp.example"), (b, "b@so-tp.example")):
        sign_in(page, live_server, email)
        page.goto(url)

    # A: a note, and level 1 → 2 with its evidence
    service = a.locator("fieldset.service").filter(has_text="1.001")
    service.get_by_label("Ghi chú").fill("Đã kiểm tra đường dẫn ngày 3/12")
    service.get_by_label("Mức độ").select_option("2")
    service.get_by_label("Minh chứng: mẫu đơn, tờ khai").fill("https://dvc.example/mau/1.001")
    a.get_by_role("button", name="Lưu bản nháp").click()
    assert "Đã lưu bản nháp." in a.locator(".flashes").inner_text()
    _, status = stored(db)
    assert (status.level, status.note) == (2, "Đã kiểm tra đường dẫn ngày 3/12")

    # B, on the page opened before A saved: the staff count, and level 1 → 0
    b.get_by_label("Tổng số cán bộ, công chức, viên chức").fill("45")
    b.locator("fieldset.service").filter(has_text="1.001").get_by_label("Mức độ").select_option("0")
    b.get_by_role("button", name="Lưu bản nháp").click()
    conflicts = b.locator("section.conflicts")
    assert conflicts.is_visible()
    row = conflicts.locator("tr.conflict")
    assert row.count() == 1  # the level only: the count was B's alone, the note A's alone
    assert "Mức độ 2" in row.locator("td.theirs").inner_text()
    assert "Chưa cung cấp trực tuyến" in row.locator("td.yours").inner_text()
    b.screenshot(path=str(artifacts / "two-editors-conflict.png"), full_page=True)
    # B's form now holds A's note and evidence, and B's own count: no stale copy left to save
    b_service = b.locator("fieldset.service").filter(has_text="1.001")
    assert b_service.get_by_label("Ghi chú").input_value() == "Đã kiểm tra đường dẫn ngày 3/12"
    assert b_service.get_by_label("Minh chứng: mẫu đơn, tờ khai").input_value() == "https://dvc.example/mau/1.001"
    assert b.get_by_label("Tổng số cán bộ, công chức, viên chức").input_value() == "45"
    submission, status = stored(db)
    assert submission.staff_total == 40 and status.level == 2  # nothing written yet

    # saving again without choosing is refused, and still writes nothing
    b.get_by_role("button", name="Lưu bản nháp").click()
    assert "hãy chọn giữ giá trị nào" in b.locator("section.conflicts").inner_text()
    assert stored(db)[0].staff_total == 40

    # B keeps A's level
    b.locator("tr.conflict").get_by_label("giữ giá trị người khác đã lưu").check()
    b.get_by_role("button", name="Lưu bản nháp").click()
    assert "Đã lưu bản nháp." in b.locator(".flashes").inner_text()
    submission, status = stored(db)
    assert submission.staff_total == 45
    assert (status.level, status.note, status.info_url, status.form_url) == (
        2, "Đã kiểm tra đường dẫn ngày 3/12", info_url, "https://dvc.example/mau/1.001")

    # and B's next save, from the page as it now stands, restores nothing
    version = submission.version
    b.get_by_role("button", name="Lưu bản nháp").click()
    assert stored(db)[0].version == version
    # no save ever set a field back: the note never went back to empty, the level never down
    updates = db.exec(select(AuditEvent).where(AuditEvent.action == "service_status.update")
                      .order_by(AuditEvent.id)).all()
    assert [(e.before.get("level"), e.after.get("level")) for e in updates if "level" in e.after] == [
        (None, 1), (1, 2)]
    assert all(e.after.get("note", "x") is not None for e in updates)
    for page in (a, b):
        assert page.outside_requests == []
        # the refused saves answered 409 and 422, which Chromium reports; nothing else went wrong
        assert [e for e in page.console_errors if "409" not in e and "422" not in e] == []


def test_the_conflict_and_confirmation_pages_are_accessible(browser, live_server, report, db, make):
    """axe-core finds nothing serious on the side-by-side conflict and the two confirmation pages."""
    from registry.submissions.entries import save
    from tests.browser.test_accessibility import AXE, serious_violations
    from tests.conftest import unavailable
    from tests.factories import as_actor

    if not AXE.exists():
        unavailable("accessibility tests need axe-core: cd tests/browser && npm ci")
    axe_source = AXE.read_text(encoding="utf-8")
    context = browser.new_context(locale="vi-VN", bypass_csp=True)  # axe is a script the policy forbids
    try:
        page = context.new_page()
        sign_in(page, live_server, "b@so-tp.example")
        page.goto(live_server + "/workspace/so-tp/2015")
        submission = db.exec(select(Submission)).one()
        save(db, report, 2015, as_actor(make.user("focal", report)), submission.version, {"staff_total": 39}, None)
        db.commit()
        page.get_by_label("Tổng số cán bộ, công chức, viên chức").fill("38")
        page.get_by_role("button", name="Lưu bản nháp").click()
        assert page.locator("tr.conflict").count() == 1
        assert serious_violations(page, axe_source) == []
        page.goto(live_server + "/workspace/so-tp/2015/submit")
        assert page.get_by_role("button", name="Xác nhận gửi báo cáo").is_visible()
        assert serious_violations(page, axe_source) == []
        page.get_by_role("button", name="Xác nhận gửi báo cáo").click()
        assert "Đã gửi báo cáo" in page.locator(".flashes").inner_text()
        make.user("auditor", email="auditor@dic.example")
        context.clear_cookies()
        sign_in(page, live_server, "auditor@dic.example")
        page.goto(live_server + "/review/so-tp/2015/verify")
        assert page.get_by_role("button", name="Xác nhận xác minh").is_visible()
        assert serious_violations(page, axe_source) == []
    finally:
        context.close()
