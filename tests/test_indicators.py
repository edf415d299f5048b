"""Province-wide indicators (SPEC §3b, §8.5, §8.10): entered with a source by an auditor,
verified by another person, judged exactly, public only once verified, frozen when the
period is closed; the same through the pages, the API and the command."""

from decimal import Decimal

import pytest
from sqlmodel import select

from registry.audit import Actor
from registry.core.errors import Conflict, ValidationFailed
from registry.indicators import values
from registry.indicators.definitions import DECISION_1529_INDICATORS
from registry.indicators.results import indicator_results
from registry.indicators.values import Entry, parse_decimal, parse_whole
from registry.models import AuditEvent, IndicatorValue, PeriodStatus

SOURCE = "Niên giám thống kê tỉnh Điện Biên 2015"
EVIDENCE = "https://thongke.dienbien.gov.vn/nien-giam-2015.pdf"


def entry(value=None, numerator=None, denominator=None, source=SOURCE, evidence_url=EVIDENCE) -> Entry:
    return Entry(value, numerator, denominator, source, evidence_url)


@pytest.fixture
def people(make):
    return {"first": make.user(role="auditor"), "second": make.user(role="auditor"),
            "admin": make.user(role="admin")}


def enter_and_verify(db, people, code, year, **typed):
    values.enter(db, Actor(people["first"], "test"), code, year, entry(**typed))
    values.verify(db, Actor(people["second"], "test"), code, year)
    db.commit()


def result(db, year, code):
    from registry.models import ReportingPeriod

    return next(r for r in indicator_results(db, db.get(ReportingPeriod, year)) if r.indicator.code == code)


def test_every_indicator_of_the_decision_is_shipped(db):
    from registry.indicators.definitions import all_indicators

    shipped = {i.code: i for i in all_indicators(db)}
    assert len(shipped) == len(DECISION_1529_INDICATORS) == 18
    assert (shipped["post_people_per_point"].comparator, shipped["post_people_per_point"].threshold) == ("<", "2000")
    assert (shipped["post_radius_km"].comparator, shipped["post_radius_km"].threshold) == ("<", "3.5")
    assert (shipped["key_databases_count"].comparator, shipped["key_databases_count"].threshold) == (">", "14")


@pytest.mark.parametrize("typed, exact", [("3,5", "3.5"), ("3.5", "3.5"), ("2.000", "2"), ("47,25 %", "47.25"),
                                          (" 1 999,9 ", "1999.9"), ("0", "0")])
def test_decimals_are_read_as_people_write_them(typed, exact):
    assert parse_decimal(typed) == Decimal(exact)


@pytest.mark.parametrize("typed", ["", "abc", "-1", "1e3", "3,5,1", "NaN", "1.0000001", "٣"])
def test_what_is_not_a_decimal_is_refused(typed):
    assert parse_decimal(typed) is None


@pytest.mark.parametrize("typed, whole", [("3813", 3813), ("3.813", 3813), ("1.234.567", 1234567), ("0", 0)])
def test_whole_numbers_take_dots_that_group_thousands(typed, whole):
    assert parse_whole(typed) == whole


@pytest.mark.parametrize("typed", ["3.81", "3,813", "-5", "1.5", "x"])
def test_a_whole_number_with_a_misplaced_dot_is_refused(typed):
    assert parse_whole(typed) is None


def test_strictly_below_is_decided_exactly_at_the_boundary(db, make, people):
    """'dưới 2.000 người/1 điểm phục vụ': 2000 people per point does not meet it; 1999.9 does."""
    make.period(2015)
    enter_and_verify(db, people, "post_people_per_point", 2015, value="2000")
    assert result(db, 2015, "post_people_per_point").status == "not_met"
    values.enter(db, Actor(people["first"], "test"), "post_people_per_point", 2015, entry(value="1999,9"))
    values.verify(db, Actor(people["admin"], "test"), "post_people_per_point", 2015)
    db.commit()
    r = result(db, 2015, "post_people_per_point")
    assert (r.status, r.met, r.value) == ("met", True, "1999.9")


def test_a_percentage_from_a_ratio_is_judged_on_the_exact_ratio_not_its_rounding(db, make, people):
    make.period(2015)
    enter_and_verify(db, people, "population_internet_pct", 2015, numerator="4.999", denominator="10.000")
    r = result(db, 2015, "population_internet_pct")
    assert (r.value, r.numerator, r.denominator) == ("50", 4999, 10000)  # 49.99 shown as 50.0 …
    assert r.status == "not_met"  # … but 49.99 % is below 50 %
    enter_and_verify(db, people, "population_internet_pct", 2015, numerator="1", denominator="2")
    assert result(db, 2015, "population_internet_pct").status == "met"


def test_more_than_fourteen_databases_needs_fifteen(db, make, people):
    make.period(2015)
    enter_and_verify(db, people, "key_databases_count", 2015, value="14")
    assert result(db, 2015, "key_databases_count").status == "not_met"
    enter_and_verify(db, people, "key_databases_count", 2015, value="15")
    assert result(db, 2015, "key_databases_count").status == "met"


def test_an_unverified_value_is_not_public_and_the_open_period_lacks_data(db, make, people):
    make.period(2015)
    values.enter(db, Actor(people["first"], "test"), "post_radius_km", 2015, entry(value="3,2"))
    db.commit()
    r = result(db, 2015, "post_radius_km")
    assert (r.status, r.met, r.value, r.provisional) == ("insufficient_data", None, None, True)


def test_a_closed_period_without_a_value_has_no_data(db, make):
    make.period(2010, PeriodStatus.closed.value)
    r = result(db, 2010, "mobile_coverage_communes_pct")
    assert (r.status, r.met, r.provisional) == ("no_data", None, False)


def test_whoever_entered_a_value_cannot_verify_it(db, make, people):
    make.period(2015)
    first = Actor(people["first"], "test")
    values.enter(db, first, "post_radius_km", 2015, entry(value="3,2"))
    with pytest.raises(Conflict):
        values.verify(db, first, "post_radius_km", 2015)
    with pytest.raises(Conflict):  # nor the command without a person
        values.verify(db, Actor.system("cli"), "post_radius_km", 2015)


def test_re_entering_a_verified_value_needs_a_new_verification(db, make, people):
    make.period(2015)
    enter_and_verify(db, people, "post_radius_km", 2015, value="3,2")
    values.enter(db, Actor(people["second"], "test"), "post_radius_km", 2015, entry(value="3,6"))
    db.commit()
    assert result(db, 2015, "post_radius_km").status == "insufficient_data"
    events = db.exec(select(AuditEvent).where(AuditEvent.entity == "indicator_value")).all()
    assert [e.action for e in events] == ["indicator.enter", "indicator.verify", "indicator.enter"]
    assert events[-1].before["value"] == "3.2" and events[-1].after["value"] == "3.6"


@pytest.mark.parametrize("typed, field", [
    (dict(value=""), "value"),
    (dict(value="ba"), "value"),
    (dict(value="101"), "value"),
    (dict(value="50", numerator="1", denominator="2"), "value"),
    (dict(numerator="3", denominator="0"), "denominator"),
    (dict(numerator="3", denominator="2"), "numerator"),
    (dict(value="50", source=" "), "source"),
    (dict(value="50", evidence_url="javascript:alert(1)"), "evidence_url"),
    (dict(value="50", evidence_url="thongke.dienbien.gov.vn"), "evidence_url"),
])
def test_bad_entries_say_which_field_and_write_nothing(db, make, people, typed, field):
    make.period(2015)
    with pytest.raises(ValidationFailed) as refused:
        values.enter(db, Actor(people["first"], "test"), "population_internet_pct", 2015, entry(**typed))
    assert field in refused.value.fields
    db.rollback()
    assert db.exec(select(IndicatorValue)).all() == []


def test_a_ratio_is_only_for_percentages(db, make, people):
    make.period(2015)
    with pytest.raises(ValidationFailed) as refused:
        values.enter(db, Actor(people["first"], "test"), "post_radius_km", 2015,
                     entry(numerator="1", denominator="2"))
    assert "numerator" in refused.value.fields


def test_a_closed_periods_values_are_frozen(db, make, people):
    period = make.period(2015)
    enter_and_verify(db, people, "post_radius_km", 2015, value="3,2")
    period.status = PeriodStatus.closed.value
    db.commit()
    with pytest.raises(Conflict) as refused:
        values.enter(db, Actor(people["first"], "test"), "post_radius_km", 2015, entry(value="9"))
    assert "khoá" in str(refused.value.message)
    db.rollback()
    assert result(db, 2015, "post_radius_km").value == "3.2"


# --- the doors ----------------------------------------------------------------------------


def test_the_public_page_and_api_show_verified_values_only(client, db, make, people):
    make.period(2015)
    enter_and_verify(db, people, "post_radius_km", 2015, value="3,2")
    values.enter(db, Actor(people["first"], "test"), "population_internet_pct", 2015, entry(value="47,5"))
    db.commit()
    page = client.get("/indicators?period=2015")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "3,2 km" in html and "47,5" not in html and "tạm tính" in html
    body = client.get("/api/v1/indicators?period=2015").get_json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["post_radius_km"] | {} == by_code["post_radius_km"]
    assert (by_code["post_radius_km"]["value"], by_code["post_radius_km"]["met"]) == ("3.2", True)
    assert by_code["post_radius_km"]["threshold"] == "3.5"
    assert (by_code["population_internet_pct"]["value"], by_code["population_internet_pct"]["status"]) == (
        None, "insufficient_data")


def test_a_verification_shows_on_the_shared_public_page_at_once(client, db, make, people):
    make.period(2015)
    values.enter(db, Actor(people["first"], "test"), "post_radius_km", 2015, entry(value="3,2"))
    db.commit()
    assert "3,2 km" not in client.get("/indicators?period=2015").get_data(as_text=True)
    values.verify(db, Actor(people["second"], "test"), "post_radius_km", 2015)
    db.commit()
    assert "3,2 km" in client.get("/indicators?period=2015").get_data(as_text=True)


def test_an_auditor_enters_on_the_page_and_another_verifies(app, db, make, people):
    make.period(2015)
    first, second = app.test_client(), app.test_client()
    first.post("/login", data={"email": people["first"].email, "password": "correct horse battery"})
    second.post("/login", data={"email": people["second"].email, "password": "correct horse battery"})
    form = {"post_radius_km-value": "3,4", "post_radius_km-source": SOURCE,
            "post_radius_km-evidence_url": EVIDENCE}
    assert first.post("/review/indicators/2015/post_radius_km", data=form).status_code == 302
    assert "Xác minh giá trị này" not in first.get("/review/indicators/2015").get_data(as_text=True)
    assert first.post("/review/indicators/2015/post_radius_km/verify").status_code == 409
    assert "Xác minh giá trị này" in second.get("/review/indicators/2015").get_data(as_text=True)
    assert second.post("/review/indicators/2015/post_radius_km/verify").status_code == 302
    db.rollback()  # read what the command committed
    assert result(db, 2015, "post_radius_km").value == "3.4"


def test_a_bad_value_on_the_page_is_explained_beside_its_field(app, db, make, people):
    make.period(2015)
    client = app.test_client()
    client.post("/login", data={"email": people["first"].email, "password": "correct horse battery"})
    page = client.post("/review/indicators/2015/post_radius_km", data={
        "post_radius_km-value": "ba phẩy hai", "post_radius_km-source": SOURCE,
        "post_radius_km-evidence_url": EVIDENCE})
    assert page.status_code == 422
    assert "dấu thập phân" in page.get_data(as_text=True)
    assert db.exec(select(IndicatorValue)).all() == []


def test_focal_points_and_visitors_cannot_enter(app, client, make):
    make.period(2015)
    agency = make.agency()
    focal = make.user(role="focal", agency=agency)
    form = {"post_radius_km-value": "3", "post_radius_km-source": SOURCE, "post_radius_km-evidence_url": EVIDENCE}
    assert client.post("/review/indicators/2015/post_radius_km", data=form).status_code in (302, 401)
    client.post("/login", data={"email": focal.email, "password": "correct horse battery"})
    assert client.post("/review/indicators/2015/post_radius_km", data=form).status_code == 403
    assert client.get("/review/indicators/2015").status_code == 403


def test_the_command_imports_all_rows_or_none_and_verifies_as_another_person(runner, db, make, people, tmp_path):
    make.period(2015)
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_code,period,value,source,evidence_url\n"
                   f"post_radius_km,2015,\"3,2\",{SOURCE},{EVIDENCE}\n"
                   f"no_such_thing,2015,5,{SOURCE},{EVIDENCE}\n"
                   f"population_internet_pct,2015,150,{SOURCE},{EVIDENCE}\n", encoding="utf-8")
    refused = runner.invoke(args=["indicators", "import", str(bad), "--as", people["first"].email])
    assert refused.exit_code != 0
    assert "dòng 3, cột indicator_code" in refused.output and "dòng 4, cột value" in refused.output
    db.rollback()  # read what the command committed
    assert db.exec(select(IndicatorValue)).all() == []

    good = tmp_path / "good.csv"
    good.write_text("indicator_code,period,value,numerator,denominator,source,evidence_url\n"
                    f"post_radius_km,2015,\"3,2\",,,{SOURCE},{EVIDENCE}\n"
                    f"population_internet_pct,2015,,3.813,8.020,{SOURCE},{EVIDENCE}\n", encoding="utf-8")
    dry = runner.invoke(args=["indicators", "import", str(good), "--as", people["first"].email, "--dry-run"])
    assert dry.exit_code == 0 and "Chạy thử" in dry.output
    assert db.exec(select(IndicatorValue)).all() == []
    done = runner.invoke(args=["indicators", "import", str(good), "--as", people["first"].email])
    assert done.exit_code == 0, done.output
    same = runner.invoke(args=["indicators", "verify", "2015", "post_radius_km", "--as", people["first"].email])
    assert same.exit_code != 0 and "tự xác minh" in same.output
    other = runner.invoke(args=["indicators", "verify", "2015", "population_internet_pct", "--as",
                                people["admin"].email])
    assert other.exit_code == 0, other.output
    db.rollback()  # read what the command committed
    r = result(db, 2015, "population_internet_pct")
    assert (r.numerator, r.denominator, r.value, r.status) == (3813, 8020, "47.5", "not_met")


def test_a_focal_point_cannot_import_indicators(runner, make, tmp_path):
    make.period(2015)
    focal = make.user(role="focal", agency=make.agency())
    good = tmp_path / "good.csv"
    good.write_text(f"indicator_code,period,value,source,evidence_url\npost_radius_km,2015,3,{SOURCE},{EVIDENCE}\n")
    assert runner.invoke(args=["indicators", "import", str(good), "--as", focal.email]).exit_code != 0


def test_auditors_find_the_entry_page_from_the_review_queue(app, make, people):
    make.period(2014, PeriodStatus.closed.value)
    make.period(2015)
    client = app.test_client()
    client.post("/login", data={"email": people["first"].email, "password": "correct horse battery"})
    assert "/review/indicators" in client.get("/review/").get_data(as_text=True)
    latest = client.get("/review/indicators")
    assert latest.status_code == 302 and latest.headers["Location"].endswith("/review/indicators/2015")


def test_the_demo_shows_verified_indicators_with_their_sources_and_keeps_the_rest_waiting(client, demo_data):
    body = client.get("/api/v1/indicators?period=2014").get_json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["post_radius_km"]["value"] == "3.8" and by_code["post_radius_km"]["status"] == "not_met"
    assert "minh họa" in by_code["post_radius_km"]["source"]
    assert by_code["households_phone_pct"]["status"] == "no_data"  # 2014 is closed: nothing was entered
    open_period = {i["code"]: i for i in client.get("/api/v1/indicators?period=2015").get_json()["indicators"]}
    assert open_period["post_people_per_point"]["status"] == "insufficient_data"  # entered, not verified
    assert "Chỉ số toàn tỉnh" in client.get("/").get_data(as_text=True)


def test_the_dic_workbook_lists_the_indicators_with_exact_numbers(db, make, people):
    import io

    from openpyxl import load_workbook

    from registry.dataio.dic_report import dic_report_xlsx

    make.period(2015)
    enter_and_verify(db, people, "post_radius_km", 2015, value="3,25")
    book = load_workbook(io.BytesIO(dic_report_xlsx(db, 2015)), read_only=True)
    rows = [r for r in book["Chỉ số toàn tỉnh"].iter_rows(values_only=True) if r and r[0] == "post_radius_km"]
    (row,) = rows
    assert row[3] == "dưới 3,5 km" and row[4] == 3.25 and row[7] == "đạt"
    # thresholds in the workbook's text as Vietnamese writes them: thousands grouped by a dot
    thresholds = {r[0]: r[3] for r in book["Chỉ số toàn tỉnh"].iter_rows(values_only=True) if len(r) > 3}
    assert thresholds["post_people_per_point"] == "dưới 2.000 người/điểm"
    assert thresholds["fibre_commune_centres_pct"] == "từ 100\u00a0%"


def test_open_data_lists_the_indicators_with_exact_verified_values(db, make, people):
    """The public downloads the indicators too: verified values only, exact (a number in CSV
    and XLSX, a string in JSON, as the API gives it)."""
    import csv
    import io
    import json

    from openpyxl import load_workbook

    from registry.dataio import opendata

    make.period(2015)
    enter_and_verify(db, people, "post_radius_km", 2015, value="3,25")
    values.enter(db, Actor(people["first"], "test"), "post_people_per_point", 2015, entry(value="1800"))
    db.commit()
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(
        opendata.open_data(db, "indicators", 2015, "csv").decode("utf-8-sig")))}
    assert len(rows) == 18
    radius = rows["post_radius_km"]
    assert (radius["value"], radius["threshold"], radius["comparator"], radius["met"], radius["status"]) == (
        "3.25", "3.5", "<", "true", "met")
    waiting = rows["post_people_per_point"]  # entered, not verified: not public
    assert (waiting["value"], waiting["met"], waiting["status"]) == ("", "", "insufficient_data")
    document = json.loads(opendata.open_data(db, "indicators", 2015, "json"))
    assert {r["code"]: r["value"] for r in document["rows"]}["post_radius_km"] == "3.25"
    book = load_workbook(io.BytesIO(opendata.open_data(db, "indicators", 2015, "xlsx")), read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    value_column = sheet[0].index("value")
    assert next(r for r in sheet if r[0] == "post_radius_km")[value_column] == 3.25
