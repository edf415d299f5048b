"""E-mail through a real SMTP server on loopback (SPEC §3d): the outbox is written with the
change, delivered after it, once, with retries; reminders go to exactly the late agencies."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from registry.mail import outbox
from registry.mail.sender import MailSettings, retry_dead, send_due
from registry.mail.smtp import MailSettingsError, parse_smtp_url
from registry.models import AuditEvent, OutboxMessage, User, utcnow
from registry.submissions import workflow
from registry.submissions.conversation import write_note
from registry.submissions.season import aware
from registry.web.db import get_engine
from tests.factories import as_actor
from tests.mailserver import MailServer, free_port

BASE = "https://sodangky.dienbien.example"


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def engine(app):
    with app.app_context():
        return get_engine()


def settings(server_or_url, **kw) -> MailSettings:
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    return MailSettings(url, "Sở TT&TT Điện Biên <khaosat@dienbien.example.vn>", BASE, **kw)


def outbox_rows(db) -> list[OutboxMessage]:
    db.rollback()
    db.expire_all()
    return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def world(make):
    agency = make.agency(code="so-tu-phap", name="Sở Tư pháp")
    service = make.service(agency, code="1.001")
    focal = make.user("focal", agency, email="focal@tuphap.example.vn")
    auditor = make.user("auditor", email="auditor@tttt.example.vn")
    submission = make.submission(agency, 2015, "submitted", levels={service.id: 1}, focal=focal)
    return {"agency": agency, "focal": focal, "auditor": auditor, "submission": submission}


def test_a_return_mails_the_comment_to_the_focal_points_with_a_link(db, engine, smtp, world):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu minh chứng cho dịch vụ 1.001 <b>")
    db.commit()
    report = send_due(engine, settings(smtp))
    assert report.error is None
    [message] = smtp.to("focal@tuphap.example.vn")
    assert "trả lại" in message["Subject"] and "Sở Tư pháp" in message["Subject"]
    assert message["From"].addresses[0].addr_spec == "khaosat@dienbien.example.vn"
    text, html = smtp.text(message), smtp.html(message)
    assert "Thiếu minh chứng cho dịch vụ 1.001 <b>" in text
    assert "Thiếu minh chứng cho dịch vụ 1.001 &lt;b&gt;" in html  # escaped in HTML
    assert f"{BASE}/workspace/so-tu-phap/2015" in text
    assert f'href="{BASE}/workspace/so-tu-phap/2015"' in html
    [row] = [r for r in outbox_rows(db) if r.kind == "returned"]
    assert row.status == "sent" and row.sent_at is not None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "mail.sent")).first() is not None


def test_verification_tells_the_focal_points_and_english_users_get_english_mail(db, engine, smtp, world, make):
    english = make.user("focal", world["agency"], email="en@tuphap.example.vn")
    english.language = "en"
    db.commit()
    workflow.verify(db, world["submission"], as_actor(world["auditor"]))
    db.commit()
    send_due(engine, settings(smtp, department="Sở KH&CN Lai Châu", department_en="Lai Chau Department of S&T"))
    [vietnamese] = smtp.to("focal@tuphap.example.vn")
    [message] = smtp.to("en@tuphap.example.vn")
    assert message["Content-Language"] == "en"
    assert 'lang="en"' in smtp.html(message)
    # the verifying department as the settings name it, in each reader's language, body and signature
    assert smtp.text(vietnamese).count("Sở KH&CN Lai Châu") == 2
    assert smtp.text(message).count("Lai Chau Department of S&T") == 2
    assert "Lai Chau Department of S&amp;T" in smtp.html(message)


def test_with_the_smtp_server_down_the_change_commits_and_the_next_run_delivers_once(db, engine, world, runner):
    down = MailServer()  # not started: nothing listens on its port
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Sửa lại số cán bộ")
    db.commit()
    env = {"SMTP_URL": down.url, "MAIL_FROM": "khaosat@dienbien.example.vn", "REGISTRY_URL": BASE}
    result = runner.invoke(["mail", "send"], env=env)
    assert result.exit_code == 1
    assert "không kết nối được máy chủ thư" in result.output
    assert db.get(type(world["submission"]), world["submission"].id).state == "returned"
    [row] = [r for r in outbox_rows(db) if r.kind == "returned"]
    assert row.status == "pending" and row.attempts == 0 and row.claim is None  # not counted against it
    down.start()
    try:
        result = runner.invoke(["mail", "send"], env=env)
        assert result.exit_code == 0, result.output
        assert "Đã gửi 1 thư" in result.output
        result = runner.invoke(["mail", "send"], env=env)
        assert "Đã gửi 0 thư" in result.output
        assert len(down.to("focal@tuphap.example.vn")) == 1
    finally:
        down.stop()


def test_two_senders_at_once_deliver_each_message_once(db, engine, smtp, make):
    agency = make.agency()
    users = [User(email=f"fp{n}@example.vn", password_hash="-", role="focal", agency_id=agency.id) for n in range(40)]
    db.add_all(users)
    db.flush()
    for user in users:
        outbox.enqueue(db, "reminder", f"reminder/2015/{agency.code}", user,
                       {"agency": agency.name, "code": agency.code, "year": 2015, "due": "2016-01-31", "days": 3})
    db.commit()
    reports, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            while True:
                report = send_due(engine, settings(smtp), limit=7)
                reports.append(report)
                if not report.claimed:
                    return
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == 40
    received = sorted(rcpt for rcpts, _m in smtp.messages for rcpt in rcpts)
    assert received == sorted(u.email for u in users)  # each once
    assert {r.status for r in outbox_rows(db)} == {"sent"}


def test_bad_smtp_url_gives_a_clear_message_and_loses_nothing(db, world, runner):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu")
    db.commit()
    for url, words in [("smtp://mail.example.vn:cổng", "cổng phải là một số"),
                       ("http://mail.example.vn", "phải bắt đầu bằng smtp://"),
                       ("smtp://", "thiếu tên máy chủ"), ("", "Chưa đặt SMTP_URL")]:
        result = runner.invoke(["mail", "send"], env={"SMTP_URL": url, "MAIL_FROM": "a@example.vn"})
        assert result.exit_code == 2, url
        assert words in result.output, (url, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(["mail", "send"], env={"SMTP_URL": "smtp://127.0.0.1:25", "MAIL_FROM": "không phải thư"})
    assert result.exit_code == 2 and "MAIL_FROM" in result.output
    assert [(r.status, r.attempts) for r in outbox_rows(db) if r.kind == "returned"] == [("pending", 0)]


def test_smtp_url_forms():
    s = parse_smtp_url("smtp+starttls://so%40tttt:p%C3%A1ss@mail.example.vn:587?timeout=10")
    assert (s.scheme, s.host, s.port, s.username, s.password, s.timeout) == (
        "smtp+starttls", "mail.example.vn", 587, "so@tttt", "páss", 10.0)
    assert parse_smtp_url("smtps://mail.example.vn").port == 465
    assert parse_smtp_url("smtp://mail.example.vn").port == 25
    with pytest.raises(MailSettingsError) as refused:
        parse_smtp_url("smtp://user:secret@mail.example.vn:99999")
    assert "secret" not in str(refused.value.message)


def test_a_server_refusing_the_sender_stops_the_run_and_loses_nothing(db, engine, smtp, world):
    smtp.handler.refuse_sender = True
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu")
    db.commit()
    report = send_due(engine, settings(smtp))
    assert "từ chối địa chỉ gửi" in report.error and "550" in report.error
    assert [(r.status, r.attempts) for r in outbox_rows(db) if r.kind == "returned"] == [("pending", 0)]
    smtp.handler.refuse_sender = False
    assert send_due(engine, settings(smtp)).sent == 1


def test_a_refused_recipient_is_retried_with_backoff_then_set_aside(db, engine, smtp, world):
    smtp.handler.refuse.add("focal@tuphap.example.vn")
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu")
    db.commit()
    first = send_due(engine, settings(smtp, max_attempts=3))
    assert (first.sent, first.failed, first.error) == (0, 1, None)
    [row] = [r for r in outbox_rows(db) if r.kind == "returned"]
    assert row.status == "pending" and row.attempts == 1 and "550" in row.last_error
    assert aware(row.next_attempt_at) > utcnow() + timedelta(seconds=50)
    assert send_due(engine, settings(smtp, max_attempts=3)).claimed == 0  # not due yet
    later = utcnow() + timedelta(hours=1)
    assert send_due(engine, settings(smtp, max_attempts=3), now=later).failed == 1
    assert send_due(engine, settings(smtp, max_attempts=3), now=later + timedelta(hours=1)).dead == 1
    [row] = [r for r in outbox_rows(db) if r.kind == "returned"]
    assert row.status == "dead" and row.attempts == 3
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.entity == "outbox_message",
                                                                  AuditEvent.entity_key == str(row.id))
                                         .order_by(AuditEvent.id))]
    assert actions == ["mail.failed", "mail.failed", "mail.dead"]
    # an administrator puts it back once the address is fixed
    smtp.handler.refuse.clear()
    assert retry_dead(db, as_actor(None), row.id) == 1
    db.commit()
    assert send_due(engine, settings(smtp)).sent == 1


def test_submissions_reach_the_auditors_as_one_digest(db, engine, smtp, make):
    auditors = [make.user("auditor", email=f"kiemtra{n}@tttt.example.vn") for n in range(2)]
    for n in range(3):
        agency = make.agency(name=f"Sở số {n}")
        make.submission(agency, 2015, "submitted", levels={make.service(agency).id: 1})
    assert send_due(engine, settings(smtp)).claimed == 0  # the digest waits for more
    send_due(engine, settings(smtp), now=utcnow() + timedelta(minutes=20))
    for auditor in auditors:
        [message] = smtp.to(auditor.email)
        assert "3 báo cáo mới" in message["Subject"]
        assert all(f"Sở số {n}" in smtp.text(message) for n in range(3))
        assert f"{BASE}/review/" in smtp.text(message)


def test_the_focal_points_answer_reaches_the_auditors(db, engine, smtp, world):
    workflow.return_(db, world["submission"], as_actor(world["auditor"]), "Thiếu minh chứng")
    db.commit()
    write_note(db, world["submission"], as_actor(world["focal"]), "Đã bổ sung đường dẫn, xin kiểm tra lại.")
    db.commit()
    send_due(engine, settings(smtp))
    [message] = smtp.to("auditor@tttt.example.vn")
    assert "Đã bổ sung đường dẫn" in smtp.text(message)
    assert f"{BASE}/review/so-tu-phap/2015" in smtp.text(message)


def test_an_import_of_history_sends_no_mail(db, world, make):
    before = len(outbox_rows(db))
    workflow.force_state(db, world["submission"], as_actor(None), "verified")
    db.commit()
    assert len(outbox_rows(db)) == before


def test_unused_port_is_free():
    assert free_port() > 0


def test_the_demonstration_history_sends_no_mail(db, demo_data):
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "submission.return")).first() is not None
    assert outbox_rows(db) == []
