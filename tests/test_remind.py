"""`registry remind` (SPEC §3d, §8.13): one reminder per late agency to its focal points,
none to agencies that submitted, none twice within 24 hours unless forced."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from registry.mail.remind import remind
from registry.mail.sender import MailSettings, send_due
from registry.models import OutboxMessage, ReportingPeriod
from registry.submissions import season, workflow
from registry.web.db import get_engine
from tests.factories import TEST_ACTOR, as_actor
from tests.mailserver import MailServer


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def season_world(make, db):
    """2015 is open and its due date (31 January 2016) has passed."""
    late = make.agency(code="so-y-te", name="Sở Y tế")
    late_focals = [make.user("focal", late, email="yte1@example.vn"), make.user("focal", late, email="yte2@example.vn")]
    make.submission(late, 2015, "draft", report={})
    nobody = make.agency(code="so-noi-vu", name="Sở Nội vụ")  # late, and no focal point to tell
    done = make.agency(code="so-tu-phap", name="Sở Tư pháp")
    make.user("focal", done, email="tuphap@example.vn")
    make.submission(done, 2015, "submitted", levels={make.service(done).id: 1})
    idle = make.agency(code="so-xay-dung", name="Sở Xây dựng")  # never started
    make.user("focal", idle, email="xaydung@example.vn")
    gone = make.agency(code="so-cu", name="Sở cũ", active=False)
    make.user("focal", gone, email="cu@example.vn")
    return {"late": late, "focals": late_focals, "nobody": nobody, "done": done, "idle": idle}


def reminders(db) -> list[str]:
    db.rollback()
    db.expire_all()
    return sorted(m.recipient for m in db.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))


def test_reminders_reach_exactly_the_late_agencies_focal_points(app, db, runner, smtp, season_world):
    result = runner.invoke(["remind", "--period", "2015"])
    assert result.exit_code == 0, result.output
    assert "so-noi-vu" in result.output and "không có cán bộ đầu mối" in result.output
    assert "so-tu-phap" not in result.output
    assert reminders(db) == ["xaydung@example.vn", "yte1@example.vn", "yte2@example.vn"]
    with app.app_context():
        engine = get_engine()
    send_due(engine, MailSettings(smtp.url, "khaosat@dienbien.example.vn", "https://sdk.example"))
    assert sorted(r for rcpts, _m in smtp.messages for r in rcpts) == [
        "xaydung@example.vn", "yte1@example.vn", "yte2@example.vn"]
    [message] = smtp.to("yte1@example.vn")
    text = smtp.text(message)
    assert "31/01/2016" in text and "quá hạn" in text and "https://sdk.example/workspace/so-y-te/2015" in text
    assert smtp.to("tuphap@example.vn") == [] and smtp.to("cu@example.vn") == []


def test_not_twice_within_a_day_unless_forced(db, runner, season_world):
    assert runner.invoke(["remind", "--period", "2015"]).exit_code == 0
    again = runner.invoke(["remind", "--period", "2015"])
    assert again.exit_code == 0 and "đã nhắc trong 24 giờ qua" in again.output
    assert len(reminders(db)) == 3
    assert runner.invoke(["remind", "--period", "2015", "--force"]).exit_code == 0
    assert len(reminders(db)) == 6


def test_a_day_later_the_reminder_goes_again(db, season_world):
    period = db.get(ReportingPeriod, 2015)
    now = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert len(remind(db, TEST_ACTOR, period, now=now).written) == 2
    assert remind(db, TEST_ACTOR, period, now=now + timedelta(hours=23)).written == []
    assert len(remind(db, TEST_ACTOR, period, now=now + timedelta(hours=25)).written) == 2


def test_dry_run_writes_nothing(db, runner, season_world):
    result = runner.invoke(["remind", "--period", "2015", "--dry-run"])
    assert result.exit_code == 0 and "Chạy thử" in result.output and "so-y-te" in result.output
    assert reminders(db) == []


def test_before_the_due_date_nobody_is_late(db, season_world):
    period = db.get(ReportingPeriod, 2015)
    assert period.due == date(2016, 1, 31)
    on_time = datetime(2016, 1, 31, 16, 0, tzinfo=timezone.utc)  # 23:00 in Điện Biên, still the due date
    assert remind(db, TEST_ACTOR, period, now=on_time).written == []
    assert len(remind(db, TEST_ACTOR, period, now=on_time + timedelta(hours=1)).written) == 2


def test_a_report_returned_after_the_due_date_is_not_late(db, season_world, make):
    auditor = make.user("auditor")
    done = workflow.find_submission(db, season_world["done"], 2015)
    done.submitted_at = datetime(2016, 1, 20, tzinfo=timezone.utc)  # sent in time…
    db.commit()
    workflow.return_(db, done, as_actor(auditor), "Thiếu")  # …returned after the due date
    db.commit()
    rows = {r.agency.code: r for r in season.not_submitted(db, db.get(ReportingPeriod, 2015))}
    assert rows["so-tu-phap"].state == "returned" and not rows["so-tu-phap"].late
    assert rows["so-y-te"].late and rows["so-y-te"].days_overdue > 3000


def test_unknown_or_closed_period_is_refused_clearly(runner, make, season_world):
    result = runner.invoke(["remind", "--period", "1999"])
    assert result.exit_code == 1 and "Không có kỳ báo cáo 1999" in result.output
    make.period(2014, "closed")
    result = runner.invoke(["remind", "--period", "2014"])
    assert result.exit_code == 1 and "đã khóa" in result.output
