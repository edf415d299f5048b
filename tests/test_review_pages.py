"""The auditor's pages: queue, review of a submission, verify / return / reopen,
late agencies and the audit log (SPEC §2, §4)."""

import csv
import html
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from registry.models import AuditEvent, PeriodStatus, State, Submission, VerifiedCopy
from registry.submissions import workflow
from registry.web.db import get_engine
from tests.factories import as_actor, evidence, full_report


def fresh(db, submission) -> Submission:
    """The submission as the database has it now (after requests by the client)."""
    db.rollback()
    db.expire_all()
    return db.get(Submission, submission.id)


def copies(db, submission) -> int:
    db.rollback()
    return db.exec(select(func.count()).select_from(VerifiedCopy)
                   .where(VerifiedCopy.submission_id == submission.id)).one()


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(make):
    """An agency with one service, its focal point, an auditor, and a submitted 2015 report."""
    agency = make.agency(code="so-tu-phap", name="Sở Tư pháp")
    service = make.service(agency, code="1.001", name="Đăng ký khai sinh")
    focal = make.user("focal", agency, email="focal@tuphap.example.vn")
    auditor = make.user("auditor", email="auditor@tttt.example.vn")
    submission = make.submission(agency, 2015, "submitted", levels={service.id: 1}, focal=focal)
    return {"agency": agency, "service": service, "focal": focal, "auditor": auditor, "submission": submission}


# --- queue ---------------------------------------------------------------------------

def test_queue_lists_submitted_submissions_and_not_drafts(client, auth, world, make):
    draft_agency = make.agency(code="so-y-te", name="Sở Y tế")
    make.submission(draft_agency, 2015, "draft", report={})
    auth.login(world["auditor"].email)
    response = client.get("/review/")
    assert response.status_code == 200
    text = page(response)
    assert "/review/so-tu-phap/2015" in text
    assert "Sở Tư pháp" in text
    assert "/review/so-y-te/2015" not in text
    # counts for the open period: one submitted, one draft
    counts = re.search(r"<th scope=\"row\">2015</th>(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", counts) == ["0", "1", "1", "0", "0"]


def test_queue_oldest_submitted_first(client, auth, world, make):
    later = make.agency(code="so-xay-dung", name="Sở Xây dựng")
    make.submission(later, 2015, "submitted", levels={make.service(later).id: 1})
    auth.login(world["auditor"].email)
    text = page(client.get("/review/"))
    assert text.index("/review/so-tu-phap/2015") < text.index("/review/so-xay-dung/2015")


def test_review_lists_are_a_bounded_number_of_queries(app, client, auth, world, make):
    auth.login(world["auditor"].email)

    def queries(url):
        count = [0]

        def _count(*_args):
            count[0] += 1

        with app.app_context():
            engine = get_engine()
        event.listen(engine, "before_cursor_execute", _count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        return count[0]

    before = {url: queries(url) for url in ("/review/", "/review/late")}
    for n in range(6):
        agency = make.agency(code=f"ubnd-xa-{n}")
        if n % 2:
            make.submission(agency, 2015, "submitted", levels={make.service(agency).id: 1})
        else:
            make.submission(agency, 2015, "draft", report={})
    after = {url: queries(url) for url in ("/review/", "/review/late")}
    assert after == before


# --- the review page -----------------------------------------------------------------

def test_review_page_shows_changes_against_the_previous_verified_period(client, auth, make):
    agency = make.agency(code="so-gd", name="Sở Giáo dục")
    service = make.service(agency, code="2.002", name="Cấp bằng")
    auditor = make.user("auditor")
    make.submission(agency, 2014, report=full_report(staff_total=40, has_lan=True), levels={service.id: 1},
                    auditor=auditor)
    make.submission(agency, 2015, "submitted", report=full_report(staff_total=60, has_lan=True), services={
        service.id: {"level": 2, "info_url": "https://dvc.example.vn/tt/1", "form_url": "https://dvc.example.vn/mau/2",
                     "note": "<script>alert(1)</script>"}})
    auth.login(auditor.email)
    response = client.get("/review/so-gd/2015")
    assert response.status_code == 200
    text = page(response)
    staff_row = re.search(r"<tr([^>]*)>\s*<th scope=\"row\">Tổng số cán bộ, công chức, viên chức</th>(.*?)</tr>",
                          text, re.S)
    assert 'class="changed"' in staff_row.group(1)
    assert "60" in staff_row.group(2) and "40" in staff_row.group(2) and "khác kỳ 2014" in staff_row.group(2)
    lan_row = re.search(r"<tr([^>]*)>\s*<th scope=\"row\">Có mạng nội bộ \(LAN\)</th>", text)
    assert "changed" not in lan_row.group(1)
    # evidence as safe links, the previous level beside the current one
    assert '<a href="https://dvc.example.vn/mau/2" rel="noopener noreferrer nofollow">' in text
    assert "Mức độ 2: tải được mẫu đơn, tờ khai" in text
    assert "Mức độ 1: thông tin đầy đủ về thủ tục được công bố trực tuyến" in text
    # data is escaped
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # the auditor sees the forms
    assert 'action="/review/so-gd/2015/verify"' in text  # to the confirmation page
    assert 'action="/review/so-gd/2015/return"' in text
    assert 'action="/review/so-gd/2015/reopen"' not in text


def test_review_page_of_unknown_agency_or_period_is_404(client, auth, world):
    auth.login(world["auditor"].email)
    assert client.get("/review/no-such-agency/2015").status_code == 404
    assert client.get("/review/so-tu-phap/1999").status_code == 404
    assert client.post("/review/no-such-agency/2015/verify", data={"version": "1"}).status_code == 404
    assert client.post("/review/so-tu-phap/2016/verify", data={"version": "1"}).status_code == 404


# --- verify, return, reopen --------------------------------------------------------------

def test_verify_asks_for_confirmation_first(client, auth, db, world):
    submission = world["submission"]
    version = submission.version
    auth.login(world["auditor"].email)
    confirm = client.get("/review/so-tu-phap/2015/verify")
    assert confirm.status_code == 200
    text = page(confirm)
    assert "Xác minh báo cáo kỳ 2015 của" in text and "Sẽ xác minh" in text
    assert 'name="confirm" value="yes"' in text and f'name="version" value="{version}"' in text
    # posting without the confirmation (an old form, a hurried script) only shows the page again
    unconfirmed = client.post("/review/so-tu-phap/2015/verify", data={"version": str(version), "comment": "Tốt"})
    assert unconfirmed.status_code == 200 and "Xác nhận xác minh" in page(unconfirmed)
    assert "Tốt</textarea>" in page(unconfirmed)  # the comment is carried to the confirmation
    _unchanged(db, submission, version)


def test_both_confirmation_pages_show_level_4_payment_evidence(client, auth, make):
    """What is about to be sent or verified includes every evidence address, level 4's too."""
    agency = make.agency(code="so-tc", name="Sở Tài chính")
    service = make.service(agency, code="4.004", name="Nộp lệ phí")
    focal, auditor = make.user("focal", agency), make.user("auditor")
    make.period(2015)
    submission = make.submission(agency, 2015, "draft", levels={service.id: 4}, focal=focal)
    payment = evidence(4, "4.004")["payment_url"]
    auth.login(focal.email)
    assert payment in page(client.get("/workspace/so-tc/2015/submit"))
    workflow.submit(make.session, submission, as_actor(focal))
    make.session.commit()
    auth.login(auditor.email)
    assert payment in page(client.get("/review/so-tc/2015/verify"))


def test_english_pages_of_the_season_show_english_names(client, auth, make):
    """Names in the page's language wherever an English name exists (issue 17)."""
    agency = make.agency(code="so-tp", name="Sở Tư pháp", name_en="Department of Justice")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp", name_en="Criminal record card")
    focal, auditor = make.user("focal", agency), make.user("auditor")
    make.period(2015)
    make.submission(agency, 2015, "submitted", levels={service.id: 1}, focal=focal)
    auth.login(auditor.email)
    for path in ("/review/so-tp/2015?lang=en", "/review/so-tp/2015/verify?lang=en", "/review/?lang=en"):
        text = page(client.get(path))
        assert "Department of Justice" in text and "Sở Tư pháp" not in text, path
    assert "Criminal record card" in page(client.get("/review/so-tp/2015?lang=en"))
    assert "Cấp Phiếu lý lịch tư pháp" in page(client.get("/review/so-tp/2015?lang=vi"))  # Vietnamese stays
    auth.login(focal.email)
    text = page(client.get("/workspace/so-tp/2015?lang=en"))
    assert "Department of Justice" in text and "Criminal record card" in text


def test_the_queue_says_which_page_of_how_many(client, auth, make, monkeypatch):
    from registry.submissions import review as reviewing

    monkeypatch.setattr(reviewing, "QUEUE_PAGE", 2)
    auditor = make.user("auditor")
    make.period(2015)
    for n in range(5):
        make.submission(make.agency(code=f"so-{n}", name=f"Sở {n}"), 2015, "submitted")
    auth.login(auditor.email)
    first = page(client.get("/review/"))
    assert "Trang 1 trên 3" in first and "Đang chờ xác minh: 5 báo cáo" in first and "so-0" in first
    last = page(client.get("/review/?page=3"))
    assert "Trang 3 trên 3" in last and "so-4" in last and "so-0" not in last
    assert "Trang 3 trên 3" in page(client.get("/review/?page=99"))  # past the end: the last page
    bad = client.get("/review/?page=abc")
    assert bad.status_code == 422 and "Số trang phải là số nguyên" in page(bad)


def test_confirming_verify_of_a_report_that_cannot_be_verified_is_refused(client, auth, db, world):
    submission = world["submission"]
    workflow.return_(db, submission, as_actor(world["auditor"]), "Thiếu")
    db.commit()
    auth.login(world["auditor"].email)
    response = client.get("/review/so-tu-phap/2015/verify")
    assert response.status_code == 200 and "Không xác minh được lúc này:" in page(response)
    assert "Xác nhận xác minh" not in page(response)
    assert client.post("/review/so-tu-phap/2015/verify", data={"version": str(submission.version),
                                                               "confirm": "yes"}).status_code == 409


def test_verify_keeps_a_verified_copy_and_moves_the_state(client, auth, db, world):
    submission = world["submission"]
    auth.login(world["auditor"].email)
    response = client.post("/review/so-tu-phap/2015/verify", data={"version": str(submission.version),
                                                                   "confirm": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/review/so-tu-phap/2015"
    now = fresh(db, submission)
    assert now.state == State.verified.value and now.verified_sequence == 1
    assert copies(db, submission) == 1
    event_ = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.verify")).one()
    assert event_.actor == world["auditor"].email and event_.source == "web"
    text = page(client.get("/review/so-tu-phap/2015"))
    assert "Đã xác minh báo cáo của cơ quan cho kỳ 2015." in text
    assert 'action="/review/so-tu-phap/2015/reopen"' in text
    assert 'action="/review/so-tu-phap/2015/verify"' not in text


def test_return_without_a_comment_is_refused_and_changes_nothing(client, auth, db, world):
    submission = world["submission"]
    version = submission.version
    auth.login(world["auditor"].email)
    response = client.post("/review/so-tu-phap/2015/return", data={"version": str(version), "comment": "   "})
    assert response.status_code == 422
    assert "Hãy ghi lý do trả lại." in page(response)
    now = fresh(db, submission)
    assert now.state == State.submitted.value and now.version == version


def test_return_with_a_comment_reaches_the_focal_point(client, auth, db, world):
    submission = world["submission"]
    auth.login(world["auditor"].email)
    comment = "Thiếu đường dẫn mẫu đơn cho thủ tục 1.001"
    response = client.post("/review/so-tu-phap/2015/return",
                           data={"version": str(submission.version), "comment": comment})
    assert response.status_code == 302
    assert fresh(db, submission).state == State.returned.value
    assert comment in page(client.get("/review/so-tu-phap/2015"))  # in the comments history
    auth.logout()
    auth.login(world["focal"].email)
    workspace = client.get("/workspace/so-tu-phap/2015")
    assert workspace.status_code == 200
    assert comment in page(workspace)


def test_reopen_needs_a_reason(client, auth, db, world):
    submission = world["submission"]
    workflow.verify(db, submission, as_actor(world["auditor"]))
    db.commit()
    version = submission.version
    auth.login(world["auditor"].email)
    refused = client.post("/review/so-tu-phap/2015/reopen", data={"version": str(version), "reason": ""})
    assert refused.status_code == 422
    assert "Hãy ghi lý do mở lại." in page(refused)
    assert fresh(db, submission).state == State.verified.value
    response = client.post("/review/so-tu-phap/2015/reopen",
                           data={"version": str(version), "reason": "Sai số văn bản điện tử"})
    assert response.status_code == 302
    now = fresh(db, submission)
    assert now.state == State.draft.value and now.verified_sequence == 1  # the verified copy still counts
    text = page(client.get("/review/so-tu-phap/2015"))
    assert "mở lại" in text and "Sai số văn bản điện tử" in text


def test_verify_with_a_stale_version_is_a_conflict_and_changes_nothing(client, auth, db, world):
    submission = world["submission"]
    version = submission.version
    auth.login(world["auditor"].email)
    response = client.post("/review/so-tu-phap/2015/verify", data={"version": str(version - 1), "confirm": "yes"})
    assert response.status_code == 409
    assert "Bản ghi đã được người khác thay đổi" in page(response)
    now = fresh(db, submission)
    assert now.state == State.submitted.value and now.version == version
    assert copies(db, submission) == 0
    # the comment typed into a refused form is kept
    stale = client.post("/review/so-tu-phap/2015/return",
                        data={"version": str(version - 1), "comment": "Ý kiến đã gõ"})
    assert stale.status_code == 409 and "Ý kiến đã gõ</textarea>" in page(stale)
    # a missing or garbled version is refused the same way
    assert client.post("/review/so-tu-phap/2015/verify", data={"version": "abc", "confirm": "yes"}).status_code == 409
    # and a transition from the wrong state is a conflict too, never a 500
    assert client.post("/review/so-tu-phap/2015/reopen",
                       data={"version": str(version), "reason": "x"}).status_code == 409
    assert fresh(db, submission).state == State.submitted.value


def test_a_too_long_comment_is_refused(client, auth, db, world):
    submission = world["submission"]
    auth.login(world["auditor"].email)
    response = client.post("/review/so-tu-phap/2015/return",
                           data={"version": str(submission.version), "comment": "x" * 2001})
    assert response.status_code == 422
    assert "Tối đa 2000 ký tự." in page(response)
    assert fresh(db, submission).state == State.submitted.value


REVIEW_GETS = ["/review/", "/review/late", "/review/audit", "/review/so-tu-phap/2015"]
AUDITOR_GETS = ["/review/so-tu-phap/2015/verify"]
REVIEW_POSTS = ["/review/so-tu-phap/2015/verify", "/review/so-tu-phap/2015/return", "/review/so-tu-phap/2015/reopen"]


def _unchanged(db, submission, version):
    now = fresh(db, submission)
    assert now.state == State.submitted.value and now.version == version
    assert copies(db, submission) == 0


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, db, world):
    submission = world["submission"]
    version = submission.version
    for url in REVIEW_GETS + AUDITOR_GETS + REVIEW_POSTS:
        method = client.post if url in REVIEW_POSTS else client.get
        response = method(url, data={"version": str(version), "comment": "x", "reason": "x", "confirm": "yes"})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
    _unchanged(db, submission, version)


def test_focal_point_is_refused_every_review_url_and_nothing_changes(client, auth, db, world):
    submission = world["submission"]
    version = submission.version
    auth.login(world["focal"].email)
    for url in REVIEW_GETS + AUDITOR_GETS + REVIEW_POSTS:
        method = client.post if url in REVIEW_POSTS else client.get
        response = method(url, data={"version": str(version), "comment": "x", "reason": "x", "confirm": "yes"})
        assert response.status_code == 403, url
    _unchanged(db, submission, version)
    refusals = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                                AuditEvent.actor == world["focal"].email)).all()
    assert len(refusals) == len(REVIEW_GETS + AUDITOR_GETS + REVIEW_POSTS)


def test_admin_reads_but_cannot_verify(client, auth, db, world, make_user):
    submission = world["submission"]
    version = submission.version
    admin = make_user("admin")
    auth.login(admin.email)
    for url in REVIEW_GETS:
        assert client.get(url).status_code == 200, url
    text = page(client.get("/review/so-tu-phap/2015"))
    assert "/verify" not in text and "/return" not in text
    assert client.get("/review/so-tu-phap/2015/verify").status_code == 403
    for url in REVIEW_POSTS:
        assert client.post(url, data={"version": str(version), "comment": "x", "reason": "x",
                                      "confirm": "yes"}).status_code == 403
    _unchanged(db, submission, version)


# --- late agencies ----------------------------------------------------------------------

def test_late_list_shows_drafts_and_missing_reports_of_open_periods(client, auth, world, make):
    drafting = make.agency(code="so-nong-nghiep", name="Sở Nông nghiệp")
    make.submission(drafting, 2015, "draft", report={})
    make.agency(code="so-cong-thuong", name="Sở Công Thương")  # nothing at all
    make.agency(code="so-cu", name="Sở đã giải thể", active=False)
    # a closed period is history, not late
    old = make.agency(code="so-lao-dong", name="Sở Lao động")
    make.submission(old, 2013, "draft", report={})
    make.period(2013, PeriodStatus.closed.value)
    auth.login(world["auditor"].email)
    response = client.get("/review/late")
    assert response.status_code == 200
    text = page(response)
    assert "Sở Nông nghiệp" in text and "/review/so-nong-nghiep/2015" in text
    assert "Sở Công Thương" in text
    assert "/review/so-tu-phap/2015" not in text  # submitted
    assert "Sở đã giải thể" not in text  # inactive
    assert "Kỳ báo cáo 2013" not in text
    # every link of the list opens, even for an agency with no report yet
    assert client.get("/review/so-cong-thuong/2015").status_code == 200
    assert client.get("/review/so-nong-nghiep/2015?lang=en").status_code == 200


def test_returned_and_reopened_reports_are_late(client, auth, db, world, make):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu minh chứng")
    db.commit()
    other = make.agency(code="so-van-hoa", name="Sở Văn hóa")
    reopened = make.submission(other, 2015, levels={make.service(other).id: 1}, auditor=world["auditor"])
    make.revise(reopened, auditor=world["auditor"], reason="Sửa số liệu")
    auth.login(world["auditor"].email)
    text = page(client.get("/review/late"))
    assert "/review/so-tu-phap/2015" in text and "bị trả lại" in text
    assert "/review/so-van-hoa/2015" in text and "mở lại" in text


# --- audit log ----------------------------------------------------------------------------

def _event(db, key, action="test.event", at=None, actor=None, after=None):
    db.add(AuditEvent(action=action, entity="submission", entity_key=key, actor=actor, after=after,
                      at=at or datetime.now(timezone.utc)))


def test_audit_log_filters_by_agency_user_and_action(client, auth, world, make):
    similar = make.agency(code="so-tu-phap-2", name="Sở khác")
    make.submission(similar, 2015, "submitted", levels={make.service(similar).id: 1})
    auth.login(world["auditor"].email)

    by_agency = page(client.get("/review/audit?agency=so-tu-phap"))
    assert "so-tu-phap/2015" in by_agency
    assert "so-tu-phap-2/2015" not in by_agency  # a prefix of another code is not a match

    by_user = page(client.get("/review/audit?user=FOCAL@tuphap"))  # a part, any case
    assert "so-tu-phap/2015" in by_user and "so-tu-phap-2/2015" not in by_user

    by_action = client.get("/review/audit?action=submission.submit")
    assert by_action.status_code == 200
    rows = re.findall(r'<td>([^<]+) <span class="code">([a-z_.]+)</span></td>', page(by_action))
    assert rows == [("Gửi báo cáo để xác minh", "submission.submit")] * 2  # in words, the code beside
    assert '<option value="submission.submit" selected>Gửi báo cáo để xác minh</option>' in page(by_action)


def test_audit_log_filters_by_date_in_local_days(client, auth, db, world):
    # 20:00 UTC on 1 March is 03:00 on 2 March in Điện Biên (UTC+7)
    _event(db, "early", at=datetime(2015, 3, 1, 10, 0, tzinfo=timezone.utc))
    _event(db, "late-evening", at=datetime(2015, 3, 1, 20, 0, tzinfo=timezone.utc))
    _event(db, "later", at=datetime(2015, 3, 5, 10, 0, tzinfo=timezone.utc))
    db.commit()
    auth.login(world["auditor"].email)

    def keys(query):
        response = client.get("/review/audit?action=test.event&" + query)
        assert response.status_code == 200
        return re.findall(r"submission <code>([a-z-]+)</code>", page(response))

    assert keys("date_from=2015-03-02") == ["later", "late-evening"]
    assert keys("date_to=2015-03-01") == ["early"]
    assert keys("date_from=2015-03-02&date_to=2015-03-02") == ["late-evening"]
    assert keys("") == ["later", "late-evening", "early"]


@pytest.mark.parametrize("query", ["date_from=notadate", "date_to=2015-02-30", "date_from=99999-01-01",
                                   "date_from=2015-03-05&date_to=2015-03-01", "before=abc",
                                   "date_to=9999-12-31"])
def test_audit_log_rejects_bad_filters_with_a_message(client, auth, world, query):
    auth.login(world["auditor"].email)
    response = client.get("/review/audit?" + query)
    assert response.status_code == 422
    text = page(response)
    assert "Bộ lọc chưa hợp lệ" in text


def test_audit_log_pages_with_counts(client, auth, db, world):
    for i in range(120):
        _event(db, f"key-{i:03d}")
    db.commit()
    auth.login(world["auditor"].email)

    def shown(text):
        return re.findall(r"<code>(key-\d{3})</code>", text)

    def link(text, rel):
        return html.unescape(re.search(rf'<a href="([^"]+)" rel="{rel}"', text).group(1))

    first = page(client.get("/review/audit?action=test.event"))
    assert "120 sự kiện khớp bộ lọc." in first and "Trang 1 trên 3" in first
    assert shown(first) == [f"key-{i:03d}" for i in range(119, 69, -1)]
    assert 'rel="prev"' not in first  # nothing before the first page
    second = page(client.get(link(first, "next")))
    assert "action=test.event" in link(first, "next") and "Trang 2 trên 3" in second
    assert shown(second) == [f"key-{i:03d}" for i in range(69, 19, -1)]
    assert shown(page(client.get(link(second, "prev")))) == shown(first)  # and back
    last = page(client.get("/review/audit?action=test.event&page=3"))
    assert shown(last) == [f"key-{i:03d}" for i in range(19, -1, -1)]
    assert 'rel="next"' not in last and "Trang 3 trên 3" in last
    assert "Trang 3 trên 3" in page(client.get("/review/audit?action=test.event&page=99"))  # past the end: the last
    assert client.get("/review/audit?page=0").status_code == 422


def test_audit_log_reads_in_words_with_links(client, auth, world):
    auth.login(world["auditor"].email)
    text = page(client.get("/review/audit?action=submission.submit"))
    # a field's label, its value before and after in words, and a link to the submission
    assert '<th scope="row">Trạng thái</th><td class="before">bản nháp</td><td class="after">đã gửi</td>' in text \
        or '<td class="after">đã gửi</td>' in text
    assert 'href="/review/so-tu-phap/2015"' in text
    assert "{&#34;state&#34;" not in text and '{"state"' not in text  # no raw JSON
    english = page(client.get("/review/audit?action=submission.submit&lang=en"))
    assert "submission.submit" in english  # the code stays beside the words in every language


def test_audit_log_csv_for_auditors(client, auth, db, world):
    _event(db, "csv-key", after={"staff_total": 40, "has_lan": True}, actor="=cmd|' /C calc'!A0")
    db.commit()
    auth.login(world["auditor"].email)
    response = client.get("/review/audit.csv?action=test.event")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Thời điểm (UTC)", "Người thực hiện", "Nguồn", "Địa chỉ", "Mã thao tác", "Thao tác"]
    by_field = {row[8]: row for row in rows[1:]}
    assert set(by_field) == {"Tổng số cán bộ, công chức, viên chức", "Có mạng nội bộ (LAN)"}
    assert by_field["Tổng số cán bộ, công chức, viên chức"][9:11] == ["", "40"]
    assert by_field["Có mạng nội bộ (LAN)"][10] == "có"
    assert by_field["Có mạng nội bộ (LAN)"][1].startswith("'=")  # never a spreadsheet formula
    assert client.get("/review/audit.csv?date_from=nope").status_code == 302  # back to the page that explains


def test_audit_log_csv_is_for_auditors_only(client, auth, world):
    assert client.get("/review/audit.csv").status_code in (302, 401, 403)
    auth.login(world["focal"].email)
    assert client.get("/review/audit.csv").status_code == 403


def test_audit_log_escapes_values(client, auth, db, world):
    _event(db, "<b>key</b>", after={"name": "<script>alert('x')</script>", "tên": "Sở Tư pháp"},
           actor="<i>someone</i>@example.vn")
    db.commit()
    auth.login(world["auditor"].email)
    text = page(client.get("/review/audit?action=test.event"))
    assert "<script>alert" not in text and "<b>key</b>" not in text and "<i>someone" not in text
    assert "&lt;script&gt;" in text
    assert "Sở Tư pháp" in text  # readable, not \\u escapes
