"""Versions of the province-wide indicators and their publication (SPEC §3b "published,
versioned and frozen like the targets", rules 11 and 12): a new version applies from a
period on, earlier periods keep their version, a closed period cannot be given a new
one; closing publishes each indicator as it stood, the public reads that, and a
correction lists what changed."""

import pytest
from sqlmodel import select

from registry.audit import Actor
from registry.core.errors import Conflict, ValidationFailed
from registry.indicators import values
from registry.indicators.results import indicator_results
from registry.indicators.versions import INDICATORS, revise_indicator
from registry.models import AuditEvent, Indicator, IndicatorValue, IndicatorVersion, PeriodStatus, ReportingPeriod
from registry.submissions import periods
from registry.targets.publication import pending_corrections
from tests.factories import TEST_ACTOR

STRICTER = {"threshold": "1500", "title_vi": "Dưới 1.500 người/1 điểm phục vụ bưu chính",
            "title_en": "Under 1,500 people per postal service point"}


def indicator(db, code="post_people_per_point") -> Indicator:
    return db.exec(select(Indicator).where(Indicator.code == code)).one()


def standing(db, year, code="post_people_per_point"):
    return next(r for r in indicator_results(db, db.get(ReportingPeriod, year)) if r.indicator.code == code)


@pytest.fixture
def two_years(db, make):
    """1 800 people per point, verified, in 2015 and 2016."""
    first, second = make.user(role="auditor"), make.user(role="auditor")
    for year in (2015, 2016):
        make.period(year)
        values.enter(db, Actor(first, "test"), "post_people_per_point", year, values.Entry(
            "1800", None, None, "Bưu điện tỉnh, báo cáo năm", "https://buudien.example.vn/bao-cao.pdf"))
        values.verify(db, Actor(second, "test"), "post_people_per_point", year)
    db.commit()


def test_a_new_version_judges_its_periods_and_leaves_the_earlier_ones(db, two_years):
    version = revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, **STRICTER})
    db.commit()
    assert (version.number, version.effective_from, version.threshold) == (2, 2016, "1500")
    before, after = standing(db, 2015), standing(db, 2016)
    assert (before.status, before.version, before.indicator.threshold) == ("met", (1, None), "2000")
    assert (after.status, after.version, after.indicator.threshold) == ("not_met", (2, 2016), "1500")
    assert after.title("vi") == STRICTER["title_vi"]
    assert indicator(db).threshold == "2000"  # version 1 is untouched
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "indicator.revise")).one()
    assert (event.entity_key, event.before["threshold"], event.after["threshold"]) == (
        "post_people_per_point", "2000", "1500")
    assert [v["number"] for v in INDICATORS.versions_of(db, indicator(db))] == [1, 2]


def test_the_public_page_shows_each_periods_version(client, db, two_years):
    revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, **STRICTER})
    db.commit()
    earlier, later = (client.get(f"/indicators?period={year}").get_data(as_text=True) for year in (2015, 2016))
    assert "dưới 2.000" in earlier and STRICTER["title_vi"] not in earlier and "Phiên bản 2" not in earlier
    assert "dưới 1.500" in later and STRICTER["title_vi"] in later
    assert "Phiên bản 2 của chỉ số, áp dụng từ kỳ 2016" in later


def test_the_api_names_the_version_each_period_is_judged_by(client, db, two_years):
    revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, **STRICTER})
    db.commit()
    for year, expected in ((2015, ({"number": 1, "effective_from": None}, "2000", True)),
                           (2016, ({"number": 2, "effective_from": 2016}, "1500", False))):
        body = client.get(f"/api/v1/indicators?period={year}").get_json()
        item = next(i for i in body["indicators"] if i["code"] == "post_people_per_point")
        assert (item["version"], item["threshold"], item["met"]) == expected


@pytest.mark.parametrize("change, field", [
    ({"threshold": "1500"}, "title_vi"),  # a new threshold needs titles that state it
    ({"threshold": "abc", "title_vi": "x", "title_en": "y"}, "threshold"),
    ({"threshold": "-3", "title_vi": "x", "title_en": "y"}, "threshold"),
    ({"comparator": "=", "title_vi": "x", "title_en": "y"}, "comparator"),
    ({"deadline": "20x5"}, "deadline"),
])
def test_bad_versions_are_refused_field_by_field_and_write_nothing(db, make, change, field):
    make.period(2016)
    with pytest.raises(ValidationFailed) as refused:
        revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, **change})
    assert field in refused.value.fields
    db.rollback()
    assert db.exec(select(IndicatorVersion)).all() == []


def test_a_percentage_threshold_over_100_is_refused(db, make):
    with pytest.raises(ValidationFailed) as refused:
        revise_indicator(db, TEST_ACTOR, indicator(db, "population_internet_pct"), {
            "effective_from": 2016, "threshold": "120", "title_vi": "120%", "title_en": "120%"})
    assert "threshold" in refused.value.fields


def test_a_closed_period_and_a_year_already_versioned_are_refused(db, make, two_years):
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015))
    db.commit()
    with pytest.raises(ValidationFailed) as closed:
        revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2015, **STRICTER})
    assert "đã khóa" in str(closed.value.fields["effective_from"])
    db.rollback()
    revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, **STRICTER})
    db.commit()
    with pytest.raises(ValidationFailed) as twice:
        revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, "citation": "Kế hoạch khác"})
    assert "effective_from" in twice.value.fields
    db.rollback()
    assert standing(db, 2015).status == "met" and db.get(ReportingPeriod, 2015).status == PeriodStatus.closed.value


def test_a_version_that_changes_nothing_is_refused(db, make):
    make.period(2016)
    with pytest.raises(Conflict):
        revise_indicator(db, TEST_ACTOR, indicator(db), {"effective_from": 2016, "threshold": "2000"})
    db.rollback()


def test_the_administrator_makes_a_version_on_the_page(client, auth, db, make, two_years):
    make.user("admin", email="admin@example.vn")
    assert auth.login("admin@example.vn").status_code == 302
    listed = client.get("/admin/targets").get_data(as_text=True)
    row = indicator(db)
    db.rollback()
    assert f"/admin/indicators/{row.id}/versions" in listed
    page = client.get(f"/admin/indicators/{row.id}/versions")
    assert page.status_code == 200 and "từ đầu" in page.get_data(as_text=True)
    refused = client.post(f"/admin/indicators/{row.id}/versions", data={"effective_from": "2016", "threshold": "1500"})
    assert refused.status_code == 422
    assert "đổi mức cần đạt thì phải có tên mới" in refused.get_data(as_text=True)
    created = client.post(f"/admin/indicators/{row.id}/versions", data={"effective_from": "2016", **STRICTER})
    assert created.status_code == 302
    assert STRICTER["title_vi"] in client.get(f"/admin/indicators/{row.id}/versions").get_data(as_text=True)
    db.rollback()
    assert standing(db, 2016).status == "not_met"


def test_the_command_makes_a_version_and_refuses_a_bad_one(runner, db, make, two_years):
    refused = runner.invoke(args=["indicators", "revise", "post_people_per_point", "--from", "2016",
                                  "--threshold", "1500"])
    assert refused.exit_code != 0 and "title_vi" in refused.output
    db.rollback()
    assert db.exec(select(IndicatorVersion)).all() == []
    made = runner.invoke(args=["indicators", "revise", "post_people_per_point", "--from", "2016",
                               "--threshold", "1500", "--title-vi", STRICTER["title_vi"],
                               "--title-en", STRICTER["title_en"]])
    assert made.exit_code == 0, made.output
    assert "phiên bản 2" in made.output
    db.rollback()
    assert standing(db, 2016).version == (2, 2016)
    unknown = runner.invoke(args=["indicators", "revise", "khong_co", "--from", "2016", "--citation", "x"])
    assert unknown.exit_code != 0 and "khong_co" in unknown.output


# --- published and frozen with the period, corrected like the targets (rule 12) ------------------

def test_a_correction_publishes_an_indicator_change_and_the_public_keeps_the_old_value_meanwhile(
        client, db, make, two_years):
    first, second = make.user(role="auditor"), make.user(role="auditor")
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015))
    db.commit()
    shown = client.get("/api/v1/indicators?period=2015").get_json()
    periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015), "Bưu điện tỉnh báo cáo lại số điểm phục vụ")
    values.enter(db, Actor(first, "test"), "post_people_per_point", 2015, values.Entry(
        "2100", None, None, "Bưu điện tỉnh, báo cáo bổ sung", "https://buudien.example.vn/bo-sung.pdf"))
    values.verify(db, Actor(second, "test"), "post_people_per_point", 2015)
    db.commit()
    assert client.get("/api/v1/indicators?period=2015").get_json()["indicators"] == shown["indicators"]
    pending = pending_corrections(db, db.get(ReportingPeriod, 2015))
    assert {"kind": "indicator", "code": "post_people_per_point", "field": "value", "before": "1800",
            "after": "2100"} in pending
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015))
    db.commit()
    now = client.get("/api/v1/indicators?period=2015").get_json()
    item = next(i for i in now["indicators"] if i["code"] == "post_people_per_point")
    assert (item["value"], item["status"]) == ("2100", "not_met")
    changes = client.get("/api/v1/targets?period=2015").get_json()["corrections"][-1]["changes"]
    assert {"kind": "indicator", "code": "post_people_per_point", "field": "status", "before": "met",
            "after": "not_met"} in changes


def test_a_closed_periods_indicators_are_read_as_published(client, db, make, two_years):
    """What closing published is what the public reads, whatever is in the tables later."""
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015))
    db.commit()
    shown = client.get("/api/v1/indicators?period=2015").get_json()
    row = db.exec(select(IndicatorValue).where(IndicatorValue.period_year == 2015,
                                               IndicatorValue.indicator_code == "post_people_per_point")).one()
    row.value = "2500"  # a write no operation makes (they refuse a closed period): the page must not follow it
    db.commit()
    assert client.get("/api/v1/indicators?period=2015").get_json() == shown


def test_a_period_published_before_its_indicators_were_gets_them_from_registry_init(db, make, two_years):
    from registry.models import PublishedPart
    from registry.targets import publication

    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, 2015))
    db.commit()
    published = db.get(PublishedPart, (2015, "verified", "indicators")).payload
    db.delete(db.get(PublishedPart, (2015, "verified", "indicators")))  # as a release before the part published it
    db.commit()
    assert publication.complete_publications(db) == [2015]
    db.commit()
    assert db.get(PublishedPart, (2015, "verified", "indicators")).payload == published
    assert publication.complete_publications(db) == []  # twice is once
