"""The `registry` command speaks the user's language (issue #17): ``registry --lang en`` or
REGISTRY_LANG=en puts its messages, the domain's refusals and the mail server's answers in
English; Vietnamese stays the default."""

import re

from sqlmodel import select

from registry.models import ReportingPeriod, User
from tests.mailserver import free_port

# letters only Vietnamese uses (đ, ơ, ư, ă, â, ê, ô and every tone mark): none may be left in English
VIETNAMESE = re.compile(r"[đĐơƠưƯăĂâÂêÊôÔàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]")


def english(result) -> str:
    assert not VIETNAMESE.search(result.output), result.output
    return result.output


def test_a_refusal_and_its_fields_in_english_nothing_written(runner, db):
    result = runner.invoke(args=["--lang", "en", "user", "add", "not-an-email", "--role", "focal",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "email" in english(result)
    assert db.exec(select(User)).all() == []


def test_import_errors_row_by_row_in_english(runner, db, tmp_path):
    bad = tmp_path / "agencies.csv"
    bad.write_text("code,name,tier,kind\nso-a,Sở A,planet,department\n", encoding="utf-8")
    result = runner.invoke(args=["--lang", "en", "import", "agencies", str(bad)])
    assert result.exit_code != 0
    output = result.output
    assert re.search(r"agencies\.csv: row 2, column tier: ", output), output
    assert "1 errors; no row was written." in output
    assert not VIETNAMESE.search(output.replace("Sở A", ""))


def test_targets_table_in_english_from_the_environment_vietnamese_by_default(runner, db, make):
    make.period(2015)
    db.commit()
    shown = runner.invoke(args=["targets", "--period", "2015"], env={"REGISTRY_LANG": "en"})
    assert shown.exit_code == 0, shown.output
    text = english(shown)
    assert text.startswith("Reporting period 2015, computed on: verified data")
    assert re.search(r"\b(not met|no data|insufficient data|met)\b", text) and "coverage " in text
    vietnamese = runner.invoke(args=["targets", "--period", "2015"])
    assert vietnamese.output.startswith("Kỳ báo cáo 2015, cơ sở tính: số liệu đã xác minh")
    # the command's own --lang still wins
    assert runner.invoke(args=["--lang", "en", "targets", "--period", "2015", "--lang", "vi"]).output.startswith(
        "Kỳ báo cáo 2015")
    refused = runner.invoke(args=["--lang", "en", "targets", "--period", "1990"])
    assert refused.exit_code != 0 and english(refused).strip()


def test_a_period_opened_and_closed_in_english(runner, db):
    opened = runner.invoke(args=["--lang", "en", "period", "open", "2016", "--due", "2017-02-15"])
    assert english(opened).strip() == "Opened the reporting period 2016, due 15/02/2017."
    again = runner.invoke(args=["--lang", "en", "period", "open", "2016"])
    assert again.exit_code != 0 and english(again).strip()
    declined = runner.invoke(args=["--lang", "en", "period", "close", "2016"], input="n\n")
    assert declined.exit_code != 0
    assert "Close and publish the reporting period 2016?" in english(declined)
    assert "The reporting period was not closed." in declined.output
    assert db.get(ReportingPeriod, 2016).status == "open"


def test_the_mail_servers_failure_in_english(runner, db, make):
    unused_port = free_port()  # nothing listens there
    agency = make.agency(code="so-a")
    make.user("focal", agency, email="focal@example.vn")
    make.period(2015)
    db.commit()
    written = runner.invoke(args=["--lang", "en", "remind", "--period", "2015"])
    assert written.exit_code == 0, written.output
    assert "The messages are delivered when `registry mail send` runs." in english(written)
    sent = runner.invoke(args=["--lang", "en", "mail", "send"],
                         env={"SMTP_URL": f"smtp://127.0.0.1:{unused_port}", "MAIL_FROM": "registry@example.vn"})
    assert sent.exit_code == 1
    assert f"could not connect to the mail server 127.0.0.1:{unused_port}" in english(sent)
    assert "the other messages stay in the outbox" in sent.output


def test_synth_progress_and_summary_in_english(runner, db):
    made = runner.invoke(args=["--lang", "en", "synth", "--services", "30", "--agencies", "6", "--periods", "2"])
    assert made.exit_code == 0, made.output
    text = english(made)
    assert "6 agencies, 30 services, 2 reporting periods (2010–2011; 2011 open, the earlier ones closed)" in text
    assert "2010: closed and published" in text  # a progress line (standard error, mixed in here)
    again = runner.invoke(args=["--lang", "en", "synth", "--services", "30", "--agencies", "6", "--periods", "2"])
    assert again.exit_code != 0 and english(again).strip()
