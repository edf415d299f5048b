"""The demonstration set as the province would recognise it (issue #13, item 6): agencies
only from when they existed, staff and documents in the ranges real units have, some
units silent in some years, a level-3 count that starts at nothing, and one national
code per procedure however many agencies carry it out."""

from collections import Counter, defaultdict

from sqlmodel import func, select

from registry.models import Agency, Service, Submission
from registry.sample.demo import DEMO_USERS, FIRST_YEAR, OPEN_YEAR
from registry.sample.demo_data import ESTABLISHED
from registry.targets.engine import compute_targets


def submissions_by_agency(db) -> dict[str, dict[int, Submission]]:
    reports = defaultdict(dict)
    for code, submission in db.exec(select(Agency.code, Submission).join(Submission,
                                                                         Submission.agency_id == Agency.id)).all():
        reports[code][submission.period_year] = submission
    return reports


def test_nam_po_and_its_units_exist_from_2012_only(db, demo_data):
    agencies = list(db.exec(select(Agency)))
    code_of = {a.id: a.code for a in agencies}
    nam_po = [a for a in agencies if a.code in ESTABLISHED or code_of.get(a.parent_id) in ESTABLISHED]
    assert {a.code for a in nam_po} >= {"ubnd-huyen-nam-po", "ubnd-xa-na-hy", "tyt-xa-na-hy"}
    years = defaultdict(set)
    for agency_id, year in db.exec(select(Submission.agency_id, Submission.period_year)):
        years[agency_id].add(year)
    for agency in nam_po:
        assert agency.valid_from == 2012
        assert years[agency.id] and min(years[agency.id]) >= 2012, agency.code
    # the targets of 2010 do not count them: Nậm Pồ's committee is in no denominator
    by_code = {r.target.code: r for r in compute_targets(db, 2010)}
    with_nam_po = {r.target.code: r for r in compute_targets(db, 2012)}
    assert by_code["agencies_network_pct"].denominator < with_nam_po["agencies_network_pct"].denominator


def test_staff_and_documents_are_in_the_ranges_real_units_have(db, demo_data):
    agencies = {a.code: a for a in db.exec(select(Agency))}
    for code, by_year in submissions_by_agency(db).items():
        agency = agencies[code]
        for year, report in by_year.items():
            if report.documents_total is None:
                continue  # a draft half-way through
            if (agency.tier, agency.kind) == ("commune", "people_committee"):
                assert 18 <= report.staff_total <= 23, (code, year, report.staff_total)  # Decree 92/2009
                assert report.documents_total < 1000, (code, year)
            if (agency.tier, agency.kind) == ("commune", "health_facility"):
                assert report.staff_total <= 7 and report.documents_total < 150, (code, year)
            assert report.staff_with_email <= report.staff_total
            assert report.documents_online <= report.documents_total


def test_some_units_send_nothing_in_some_years_but_the_demo_logins_always_report(db, demo_data):
    agencies = {a.code: a for a in db.exec(select(Agency))}
    reports = submissions_by_agency(db)
    expected_years = {code: set(range(max(FIRST_YEAR, a.valid_from or FIRST_YEAR), OPEN_YEAR + 1))
                      for code, a in agencies.items()}
    silent = {(code, year) for code, years in expected_years.items() for year in years
              if year not in reports.get(code, {})}
    assert len({year for _, year in silent if year < OPEN_YEAR}) >= 3  # across the closed years
    assert all(agencies[code].tier != "province" for code, _ in silent)
    for _role, _email, _password, code in DEMO_USERS:
        if code:
            assert set(reports[code]) == expected_years[code]


def test_level_3_starts_at_nothing_and_procedures_have_one_code(db, demo_data):
    assert next(r for r in compute_targets(db, FIRST_YEAR) if r.target.code == "services_level3_count").value == 0
    offerings = Counter(db.exec(select(Service.procedure_code)))
    communes = db.exec(select(func.count()).select_from(Agency)
                       .where(Agency.tier == "commune", Agency.kind == "people_committee")).one()
    assert max(offerings.values()) == communes  # a commune procedure: one code, every commune's offering
