"""The season's pages (SPEC §3d): late agencies with days overdue and how to reach them, the
printable list for a reminder, progress over time, the conversation, due dates and the outbox."""

import re

import pytest
from sqlmodel import select

from registry.models import AuditEvent, OutboxMessage, ReportingPeriod
from registry.submissions import workflow
from tests.factories import as_actor


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(make, db):
    agency = make.agency(code="so-tu-phap", name="Sở Tư pháp")
    service = make.service(agency, code="1.001")
    focal = make.user("focal", agency, email="focal@tuphap.example.vn")
    focal.phone = "0215 3826 123"
    auditor = make.user("auditor", email="auditor@tttt.example.vn")
    admin = make.user("admin", email="admin@tttt.example.vn")
    submission = make.submission(agency, 2015, "submitted", levels={service.id: 1}, focal=focal)
    late = make.agency(code="so-y-te", name="Sở Y tế")
    make.user("focal", late, email="yte@example.vn")
    make.submission(late, 2015, "draft", report={})
    make.agency(code="so-noi-vu", name="Sở Nội vụ")  # nobody to report for it
    db.commit()
    return {"agency": agency, "focal": focal, "auditor": auditor, "admin": admin, "submission": submission}


def test_late_list_shows_due_date_days_overdue_focal_points_and_agencies_without_one(client, auth, world, db):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu minh chứng")
    db.commit()
    auth.login(world["auditor"].email)
    text = page(client.get("/review/late"))
    assert "Hạn nộp: 31/01/2016" in text
    row = re.search(r"<tr class=\"overdue\">\s*<th scope=\"row\">Sở Y tế.*?</tr>", text, re.S).group(0)
    assert re.search(r"\d{4} ngày", row) and "yte@example.vn" in row
    # sent before the due date? no: it was submitted now, long after it, so it is late too
    tp = re.search(r"<th scope=\"row\">Sở Tư pháp.*?</tr>", text, re.S).group(0)
    assert "focal@tuphap.example.vn" in tp and "0215 3826 123" in tp
    unstaffed = text[text.index('id="unstaffed"'):]
    assert "Sở Nội vụ" in unstaffed and "Sở Y tế" not in unstaffed
    assert "/review/late/2015/letter" in text


def test_late_lists_page_on_their_own_with_counts_of_the_whole_list(client, auth, world, make, db, monkeypatch):
    from registry.submissions import review as reviewing

    monkeypatch.setattr(reviewing, "LATE_PAGE", 2)
    monkeypatch.setattr(reviewing, "UNSTAFFED_PAGE", 2)
    for n in range(3):  # with so-noi-vu and so-y-te: five agencies have not submitted 2015, four have no focal point
        make.agency(code=f"xa-{n}", name=f"UBND xã số {n}")
    db.commit()
    auth.login(world["auditor"].email)
    first = page(client.get("/review/late"))
    assert "5 cơ quan chưa gửi báo cáo" in first and "5 cơ quan chậm nộp." in first
    assert "Trang 1 trên 3" in first and "Trang 1 trên 2" in first  # the period's list, then the unstaffed one
    assert "4 cơ quan đang hoạt động không có tài khoản" in first
    # the period's last page, the unstaffed list kept at its second page
    last = page(client.get("/review/late?page-2015=3&page-unstaffed=2"))
    period = last[last.index('id="late-2015"'):last.index('id="unstaffed"')]
    assert "Trang 3 trên 3" in period and "UBND xã số 2" in period  # by code: so-noi-vu, so-y-te, xa-0, …
    assert "Sở Y tế" not in period and "UBND xã số 1" not in period
    assert "5 cơ quan chưa gửi báo cáo" in period  # the count is the whole list's, not the page's
    unstaffed = last[last.index('id="unstaffed"'):]
    assert "Trang 2 trên 2" in unstaffed and "UBND xã số 2" in unstaffed and "Sở Nội vụ" not in unstaffed
    # each pager keeps the other list's page
    assert 'href="/review/late?page-2015=2&amp;page-unstaffed=2#late-2015"' in last
    assert 'href="/review/late?page-2015=3&amp;page-unstaffed=1#unstaffed"' in last
    # past the end: the last page; a page that is not a number: refused with a message, nothing shown
    assert "Trang 3 trên 3" in page(client.get("/review/late?page-2015=40"))
    refused = client.get("/review/late?page-unstaffed=abc")
    assert refused.status_code == 422 and "Số trang phải là số nguyên" in page(refused)


def test_the_reminder_letter_lists_late_agencies_with_days_overdue(client, auth, world):
    auth.login(world["auditor"].email)
    response = client.get("/review/late/2015/letter")
    assert response.status_code == 200
    text = page(response)
    assert "Sở Y tế" in text and "Sở Nội vụ" in text and "Sở Tư pháp" not in text  # it submitted
    assert "31/01/2016" in text
    assert client.get("/review/late/1999/letter").status_code == 404


def test_progress_chart_and_its_table(client, auth, world):
    auth.login(world["auditor"].email)
    text = page(client.get("/review/progress"))
    assert "Kỳ báo cáo 2015" in text
    table = text[text.index('<table class="progress"'):]
    last_row = re.findall(r"<tr><th scope=\"row\">[\d/]+</th>(.*?)</tr>", table, re.S)[-1]
    # none, draft, submitted, returned, verified
    assert re.findall(r"<td>(\d+)</td>", last_row) == ["1", "1", "1", "0", "0"]


def test_return_answer_and_thread_on_both_sides(client, auth, world, db, app):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu minh chứng dịch vụ 1.001")
    db.commit()
    auth.login(world["focal"].email)
    assert "Thiếu minh chứng dịch vụ 1.001" in page(client.get("/workspace/"))  # where they work
    text = page(client.get("/workspace/so-tu-phap/2015"))
    assert "Thiếu minh chứng dịch vụ 1.001" in text and 'action="/workspace/so-tu-phap/2015/note"' in text
    # an empty answer is refused with a message, nothing written
    response = client.post("/workspace/so-tu-phap/2015/note", data={"note": "   "}, follow_redirects=True)
    assert "Hãy viết nội dung trao đổi" in page(response)
    response = client.post("/workspace/so-tu-phap/2015/note", data={"note": "Đã bổ sung đường dẫn."})
    assert response.status_code == 302
    db.rollback()
    notes = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.comment")).all()
    assert [(n.actor, n.comment, n.entity_key) for n in notes] == [
        ("focal@tuphap.example.vn", "Đã bổ sung đường dẫn.", "so-tu-phap/2015")]
    assert [m.recipient for m in db.exec(select(OutboxMessage).where(OutboxMessage.kind == "comment"))] == [
        "auditor@tttt.example.vn"]
    auth.logout()
    auth.login(world["auditor"].email)
    text = page(client.get("/review/so-tu-phap/2015"))
    assert text.index("Thiếu minh chứng dịch vụ 1.001") < text.index("Đã bổ sung đường dẫn.")  # oldest first
    assert 'action="/review/so-tu-phap/2015/note"' in text


def test_administrator_sets_the_due_date_and_sees_the_outbox(client, auth, world, db):
    auth.login(world["admin"].email)
    text = page(client.get("/admin/season"))
    assert 'value="2016-01-31"' in text
    assert "auditor@tttt.example.vn" in text  # the digest of the submission waits in the outbox
    response = client.post("/admin/periods/2015/due", data={"due_date": "31/01/2016"})
    assert response.status_code == 422 and "NNNN-TT-NN" in page(response)
    response = client.post("/admin/periods/2015/due", data={"due_date": "2030-01-01"})
    assert response.status_code == 422
    assert client.post("/admin/periods/2015/due", data={"due_date": "2016-02-15"}).status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(ReportingPeriod, 2015).due.isoformat() == "2016-02-15"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "period.due_date")).one()
    assert event.before == {"due_date": "2016-01-31"} and event.after == {"due_date": "2016-02-15"}


def test_a_dead_message_can_be_sent_again(client, auth, world, db):
    message = db.exec(select(OutboxMessage)).first()
    message.status, message.attempts = "dead", 8
    db.commit()
    auth.login(world["admin"].email)
    assert f"Gửi lại thư #{message.id}" in page(client.get("/admin/season?status=dead"))
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(OutboxMessage, message.id).status == "pending"
    assert client.post("/admin/outbox/999999/retry").status_code == 404


def test_the_outbox_pages_with_counts_newest_first(client, auth, world, db, monkeypatch):
    from registry.web.pages.admin import season as season_page

    monkeypatch.setattr(season_page, "OUTBOX_PAGE", 2)
    for n in range(4):  # with the digest already waiting: five messages, three pages
        db.add(OutboxMessage(kind="reminder", topic=f"reminder/2015/x-{n}", recipient=f"r{n}@example.vn"))
    db.commit()
    auth.login(world["admin"].email)
    first = page(client.get("/admin/season"))
    assert "trang 1 trên 3" in first and "r3@example.vn" in first and "r2@example.vn" in first
    assert "r1@example.vn" not in first
    last = page(client.get("/admin/season?page=3"))
    assert "trang 3 trên 3" in last and "auditor@tttt.example.vn" in last and "r0@example.vn" not in last
    assert 'href="/admin/season?page=2#outbox-heading"' in last
    pending = page(client.get("/admin/season?status=pending&page=9"))  # past the end: the last page
    assert "trang 3 trên 3" in pending and 'href="/admin/season?status=pending&amp;page=1#outbox-heading"' in pending
    assert client.get("/admin/season?page=x").status_code == 422


@pytest.mark.parametrize("kind", ["agencies", "services", "levels", "reports"])
def test_import_templates_import_cleanly_in_a_dry_run(client, auth, world, db, kind):
    from registry.dataio.importing import import_file

    auth.login(world["admin"].email)
    for file_type in ("csv", "xlsx"):
        response = client.get(f"/admin/import/template/{kind}.{file_type}")
        assert response.status_code == 200
        assert f"mau-{kind}.{file_type}" in response.headers["Content-Disposition"]
        if kind in ("agencies", "services"):  # the catalogue's examples stand alone
            result = import_file(db, as_actor(world["admin"]), kind, f"mau.{file_type}", response.data)
            assert result.ok, result.errors
            db.rollback()
    assert client.get("/admin/import/template/planets.csv").status_code == 404
    assert client.get(f"/admin/import/template/{kind}.pdf").status_code == 404


def test_a_windows_1258_file_is_told_how_to_save_as_utf8(client, auth, world):
    auth.login(world["admin"].email)
    body = "code,name,tier,kind\nso-moi,Sơn La,province,department\n".encode("cp1258")
    from io import BytesIO
    response = client.post("/admin/import", data={"kind": "agencies", "check": "1",
                                                  "file": (BytesIO(body), "coquan.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    text = page(response)
    assert "Windows-1258" in text and "CSV UTF-8" in text


def test_after_a_dry_run_the_same_file_is_imported_without_choosing_it_again(client, auth, world, db, make):
    import re as regex
    from io import BytesIO

    from registry.models import Agency, ImportStash

    auth.login(world["admin"].email)
    body = "code,name,tier,kind\nso-moi,Sở Khoa học và Công nghệ,province,department\n".encode()
    response = client.post("/admin/import", data={"kind": "agencies", "check": "1",
                                                  "file": (BytesIO(body), "coquan.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    text = page(response)
    assert 'action="/admin/import/stashed"' in text and "coquan.csv" in text
    token = regex.search(r'name="token" type="hidden" value="([^"]+)"', text).group(1)
    db.rollback()
    assert db.exec(select(Agency).where(Agency.code == "so-moi")).first() is None  # the dry run wrote nothing
    # the file is kept in the database, for whichever server takes the next request, and for
    # the administrator who checked it only
    assert db.get(ImportStash, token).filename == "coquan.csv"
    other = make.user("admin")
    auth.login(other.email)
    response = client.post("/admin/import/stashed", data={"token": token}, follow_redirects=True)
    assert "hãy chọn lại tệp" in page(response)
    auth.login(world["admin"].email)
    response = client.post("/admin/import/stashed", data={"token": token, "kind": "services"})  # kind is the file's
    assert response.status_code == 302
    db.rollback()
    assert db.exec(select(Agency).where(Agency.code == "so-moi")).one().name == "Sở Khoa học và Công nghệ"
    # once imported, or with a token that was never given, the file is gone: a clear message
    response = client.post("/admin/import/stashed", data={"token": token, "kind": "agencies"},
                           follow_redirects=True)
    assert "hãy chọn lại tệp" in page(response)
    response = client.post("/admin/import/stashed", data={"token": "../../secret_key", "kind": "agencies"},
                           follow_redirects=True)
    assert "hãy chọn lại tệp" in page(response)
    db.rollback()
    assert db.get(ImportStash, token) is None  # imported: no longer kept
