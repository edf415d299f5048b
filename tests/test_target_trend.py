"""Trend over periods, projection to the deadline, shortfall, and drill-down (SPEC §3)."""

import pytest
from sqlmodel import select

from registry.models import Target
from registry.targets import results
from registry.targets.drilldown import agency_drilldown, service_drilldown
from registry.targets.engine import compute_target, compute_targets
from registry.targets.trend import project, trend

from .test_targets import no_flags, report


def target(db, code) -> Target:
    return db.exec(select(Target).where(Target.code == code)).one()


@pytest.fixture
def history(make):
    """One department with four services whose levels rise over 2012–2014, verified each year
    and closed (a projection follows closed periods only, §8.8):
    level ≥ 1 by 1, 2, 3 services; level ≥ 2 by 0, 1, 2; level 3 by 0, 0, 1."""
    agency = make.agency(tier="province", kind="department")
    services = [make.service(agency) for _ in range(4)]
    for year, levels in ((2012, [1, 0, 0, 0]), (2013, [2, 1, 0, 0]), (2014, [3, 2, 1, 0])):
        make.submission(agency, year, levels={s.id: lv for s, lv in zip(services, levels)})
        make.period(year, "closed")
    return agency, services


def test_trend_gives_each_target_every_period(db, history):
    series = trend(db)
    level1 = series["services_level1_pct"]
    assert [(r.period, r.numerator, r.denominator, r.value) for r in level1] == [
        (2012, 1, 4, 25.0), (2013, 2, 4, 50.0), (2014, 3, 4, 75.0)]


def test_projection_follows_the_line_to_the_deadline(db, history):
    t = target(db, "services_level1_pct")
    projection = project(t, trend(db)["services_level1_pct"])
    # 25, 50, 75 over 2012–2014: +25 a year reaches 100 in 2015, which meets ≥ 95
    assert projection.points == 3 and projection.projected == 100.0
    assert projection.will_meet is True and projection.deadline_passed is False
    # 0, 0, 1 services at level 3: the line (slope ½) reaches 1.3 in 2015, far from 9
    slow = project(target(db, "services_level3_count"), trend(db)["services_level3_count"])
    assert slow.projected == 1.3 and slow.will_meet is False


def test_projection_needs_two_periods(db, make):
    agency = make.agency()
    service = make.service(agency)
    make.submission(agency, 2014, levels={service.id: 1})
    projection = project(target(db, "services_level1_pct"), trend(db)["services_level1_pct"])
    assert projection.will_meet is None and projection.projected is None


def test_at_the_deadline_the_actual_result_decides(db, history, make):
    agency, services = history
    make.submission(agency, 2015, levels={s.id: 1 for s in services})
    make.period(2015, "closed")
    projection = project(target(db, "services_level1_pct"), trend(db)["services_level1_pct"])
    assert projection.deadline_passed is True and projection.will_meet is True and projection.projected == 100.0


def test_shortfall_is_the_smallest_number_missing(db, history):
    by_code = {r.target.code: r for r in compute_targets(db, 2014)}
    # 3 of 4 at level 1; ≥ 95% of 4 needs 4 (3.8 rounded up)
    assert by_code["services_level1_pct"].shortfall == 1
    # 9 services at level 3 are needed and 1 is there
    assert by_code["services_level3_count"].shortfall == 8
    assert by_code["agencies_email_pct"].shortfall == 0  # met: nothing missing


@pytest.mark.parametrize("comparator, threshold, denominator, needed", [
    (">=", 90, 10, 9), (">", 90, 10, 10), (">=", 95, 4, 4), (">", 50, 4, 3), (">=", 50, 4, 2), (">=", 100, 7, 7),
])
def test_needed_is_exact(comparator, threshold, denominator, needed):
    t = Target(code="t", title_vi="t", title_en="t", citation="", unit="percent", comparator=comparator,
               threshold=threshold, deadline=2015, formula="agency_flag_share", flags="has_lan")
    assert results.needed(t, denominator) == needed
    assert results.is_met(t, needed, denominator) and not results.is_met(t, needed - 1, denominator)


def test_service_drilldown_lists_exactly_the_services_counted(db, history, make):
    agency, services = history
    other = make.agency()
    unreported = make.service(other)
    t = target(db, "services_level2_pct")
    rows = db.exec(service_drilldown(2014, "verified", t.min_level)).all()
    result = compute_target(db, t, 2014)
    assert len(rows) == result.denominator == 5
    counted = {r.code for r in rows if r.counted}
    assert len(counted) == result.numerator == 2
    assert counted == {services[0].code, services[1].code}
    by_code = {r.code: r for r in rows}
    # no verified data: no level (rule 3), and not counted
    assert by_code[unreported.code].in_basis is False and by_code[unreported.code].level is None
    assert sum(1 for r in rows if r.in_basis) == result.coverage.covered == 4


def test_agency_drilldown_lists_exactly_the_agencies_counted(db, make):
    meets = make.agency(tier="province", kind="department")
    misses = make.agency(tier="district", kind="people_committee")
    silent = make.agency(tier="commune", kind="political_org")
    out_of_scope = make.agency(tier="province", kind="school")
    make.submission(meets, 2015, report=report())
    make.submission(misses, 2015, report=no_flags())
    make.submission(out_of_scope, 2015, report=report())
    t = target(db, "agencies_network_pct")
    rows = db.exec(agency_drilldown(t, 2015, "verified")).all()
    result = compute_target(db, t, 2015)
    assert {r.code for r in rows} == {meets.code, misses.code, silent.code}
    assert len(rows) == result.denominator
    assert {r.code for r in rows if r.counted} == {meets.code} and result.numerator == 1
    assert {r.code for r in rows if r.in_basis} == {meets.code, misses.code} and result.coverage.covered == 2
