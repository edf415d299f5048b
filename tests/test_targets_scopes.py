"""Procedures, the decision's scopes and level 4 (SPEC v2 §2, §3; issue #13), on
hand-computed registries. Every expected figure is worked out in the comments
from the SPEC's words, not taken from the engine or the reference. The suite
runs these on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

import pytest

from registry.core.errors import ValidationFailed
from registry.models import Service, Target
from registry.submissions import workflow
from registry.targets.drilldown import procedure_drilldown, service_drilldown
from registry.targets.engine import compute_targets
from registry.targets.results import TargetResult
from registry.targets.seed import DECISION_1529_TARGETS
from tests.factories import TEST_ACTOR, full_report, status

YEAR = 2015
BIRTH = "1.001193"  # Đăng ký khai sinh: one national code, carried out by every commune


def results(db, basis="verified") -> dict[str, TargetResult]:
    return {r.target.code: r for r in compute_targets(db, YEAR, basis)}


def row(result: TargetResult) -> tuple:
    """(numerator, denominator, value, met, covered, total)"""
    return (result.numerator, result.denominator, result.value, result.met,
            result.coverage.covered, result.coverage.total)


def offerings(result: TargetResult) -> tuple:
    o = result.offerings
    return (o.numerator, o.denominator, o.value, o.coverage.covered, o.coverage.total)


def test_sixteen_shipped_targets_the_last_one_for_staff_on_computers():
    assert len(DECISION_1529_TARGETS) == 16
    last = DECISION_1529_TARGETS[-1]
    assert (last["code"], last["numerator_field"], last["denominator_field"], last["scope"], last["threshold"]) == (
        "computer_staff_email_pct", "computer_staff_with_email", "staff_with_computer",
        "*:department,people_committee", 100)


# --- procedures and offerings ----------------------------------------------------------

def _communes_offering_birth_registration(make, levels):
    """One commune people's committee per level given, each offering BIRTH at that level
    (None: its submission is only a draft, so the offering is unknown)."""
    services = []
    for n, level in enumerate(levels):
        commune = make.agency(code=f"xa-{n}", tier="commune", kind="people_committee")
        service = make.service(commune, code=f"xa-{n}-khai-sinh", procedure_code=BIRTH, name="Đăng ký khai sinh")
        make.submission(commune, YEAR, "draft" if level is None else "verified", levels={service.id: level or 0})
        services.append(service)
    return services


def test_a_commune_procedure_offered_by_sixteen_communes_counts_once_at_its_lowest_level(db, make):
    _communes_offering_birth_registration(make, [3] * 15 + [2])
    department = make.agency(code="so-tp")
    own = make.service(department, code="2.000001")  # no procedure named: its own procedure
    make.submission(department, YEAR, "verified", levels={own.id: 3})
    by_code = results(db)
    # procedures: BIRTH (lowest of 3 ×15 and 2 = level 2) and 2.000001 (level 3) → 2, both known
    assert row(by_code["services_level1_pct"]) == (2, 2, 100.0, True, 2, 2)
    assert row(by_code["services_level2_pct"]) == (2, 2, 100.0, True, 2, 2)
    # level ≥ 3: only 2.000001; the commune procedure is not at level 3 everywhere
    assert row(by_code["services_level3_count"]) == (1, 2, 1, False, 2, 2)
    # beside it, the offerings: 17 services, 16 at level 3 (15 communes and the department)
    assert offerings(by_code["services_level3_count"]) == (16, 17, 16, 17, 17)
    assert offerings(by_code["services_level2_pct"]) == (17, 17, 100.0, 17, 17)
    assert by_code["services_level3_count"].as_dict()["counting_unit"] == "procedure"


def test_a_procedure_is_unknown_while_any_offering_is(db, make):
    _communes_offering_birth_registration(make, [3] * 15 + [None])
    by_code = results(db)
    # BIRTH has an offering whose agency has no verified report: unknown, not meeting
    assert row(by_code["services_level1_pct"]) == (0, 1, 0.0, False, 0, 1)
    assert row(by_code["services_level3_count"]) == (0, 1, 0, False, 0, 1)
    # its offerings: 15 of 16 known, all 15 at level 3 → 15/16 = 93.75 → 93.8
    assert offerings(by_code["services_level1_pct"]) == (15, 16, 93.8, 15, 16)
    # in the reported basis the draft still does not count
    assert row(results(db, "reported")["services_level1_pct"]) == (0, 1, 0.0, False, 0, 1)


def test_a_registry_that_names_no_procedure_counts_each_service(db, make):
    agency = make.agency()
    services = [make.service(agency) for _ in range(4)]
    assert [s.procedure_code for s in services] == [s.code for s in services]
    make.submission(agency, YEAR, "verified", levels={services[0].id: 3, services[1].id: 2, services[2].id: 1})
    by_code = results(db)
    # 4 procedures = 4 services: level ≥ 1: 3 of 4 = 75.0; ≥ 2: 2 of 4 = 50.0; ≥ 3: 1
    assert row(by_code["services_level1_pct"]) == (3, 4, 75.0, False, 4, 4)
    assert row(by_code["services_level2_pct"]) == (2, 4, 50.0, False, 4, 4)
    assert row(by_code["services_level3_count"]) == (1, 4, 1, False, 4, 4)
    for code in ("services_level1_pct", "services_level2_pct", "services_level3_count"):
        r = by_code[code]
        assert offerings(r) == (r.numerator, r.denominator, r.value, r.coverage.covered, r.coverage.total)


def test_an_inactive_offering_does_not_lower_its_procedure(db, make):
    services = _communes_offering_birth_registration(make, [3, 3, 1])
    services[2].active = False  # the commune at level 1 no longer carries it out
    db.commit()
    assert row(results(db)["services_level3_count"]) == (1, 1, 1, False, 1, 1)


def test_drilldown_from_a_procedure_to_its_offerings(db, make):
    _communes_offering_birth_registration(make, [3, 3, 2])
    other = make.agency(code="so-tp")
    alone = make.service(other, code="2.000001", name="Cấp phiếu lý lịch tư pháp")
    make.submission(other, YEAR, "verified", levels={alone.id: 1})
    query = procedure_drilldown(YEAR, "verified", 3)
    rows = {r.code: r for r in db.execute(query).all()}
    assert set(rows) == {BIRTH, "2.000001"}
    birth = rows[BIRTH]
    assert (birth.name, birth.offerings, birth.known, birth.level, birth.in_basis, birth.counted) == (
        "Đăng ký khai sinh", 3, 3, 2, True, False)
    assert (rows["2.000001"].level, rows["2.000001"].counted) == (1, False)
    # filters the public page applies work on the procedures' columns
    assert db.execute(query.where(query.selected_columns.counted)).all() == []
    # its offerings: three communes, two of them at level 3
    offered = db.execute(service_drilldown(YEAR, "verified", 3, BIRTH).order_by(Service.code)).all()
    assert [(r.code, r.level, r.counted) for r in offered] == [
        ("xa-0-khai-sinh", 3, True), ("xa-1-khai-sinh", 3, True), ("xa-2-khai-sinh", 2, False)]


def test_the_public_page_drills_from_procedures_to_offerings(client, db, make):
    _communes_offering_birth_registration(make, [3, 2])
    make.period(YEAR)
    page = client.get(f"/targets/services_level3_count?period={YEAR}&show=all")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Đăng ký khai sinh" in html and f"procedure={BIRTH}" in html
    offered = client.get(f"/targets/services_level3_count?period={YEAR}&show=all&procedure={BIRTH}")
    assert offered.status_code == 200
    assert "xa-0-khai-sinh" in offered.get_data(as_text=True) and "xa-1-khai-sinh" in offered.get_data(as_text=True)


# --- level 4 --------------------------------------------------------------------------------

def test_level_4_counts_in_every_level_at_or_below_it(db, make):
    agency = make.agency()
    s4, s3, s0 = make.service(agency), make.service(agency), make.service(agency)
    make.submission(agency, YEAR, "verified", levels={s4.id: 4, s3.id: 3, s0.id: 0})
    by_code = results(db)
    # level ≥ 3: the level-4 and the level-3 procedure → 2; ≥ 1: 2 of 3 = 66.7
    assert row(by_code["services_level3_count"]) == (2, 3, 2, False, 3, 3)
    assert row(by_code["services_level1_pct"]) == (2, 3, 66.7, False, 3, 3)
    level4 = Target(code="services_level4_count", title_vi="Mức độ 4", title_en="Level 4", citation="test",
                    unit="count", comparator=">=", threshold=1, deadline=2020, formula="service_level_count",
                    min_level=4, position=100)
    db.add(level4)
    db.commit()
    assert row(results(db)["services_level4_count"]) == (1, 3, 1, True, 3, 3)


def test_level_4_needs_the_payment_evidence(db, make):
    agency = make.agency()
    service = make.service(agency)
    submission = workflow.ensure_submission(db, agency, YEAR, TEST_ACTOR)
    without = {k: v for k, v in status(4, service.code).items() if k != "payment_url"}
    with pytest.raises(ValidationFailed) as refused:
        workflow.write_entries(db, submission, TEST_ACTOR, None, {service.id: without})
    assert f"{service.code}.payment_url" in refused.value.fields
    db.rollback()
    submission = workflow.ensure_submission(db, agency, YEAR, TEST_ACTOR)
    workflow.write_entries(db, submission, TEST_ACTOR, None, {service.id: status(4, service.code)})
    assert workflow.statuses_of(db, submission)[service.id].payment_url.endswith("payment_url")


# --- scopes ---------------------------------------------------------------------------------

def test_a_kindergarten_is_never_in_schools_network_pct(db, make):
    make.submission(make.agency(kind="school", tier="commune"), YEAR, "verified",
                    report=full_report(has_lan=False))
    make.submission(make.agency(kind="preschool", tier="commune", name="Trường mầm non Hoa Ban"), YEAR,
                    "verified")
    make.agency(kind="preschool", tier="commune")  # no report: would count as not meeting if it were a school
    # one school, without a LAN → 0 of 1; the kindergartens are in neither figure
    assert row(results(db)["schools_network_pct"]) == (0, 1, 0.0, False, 1, 1)


def test_a_party_committee_is_never_in_the_state_agencies_targets(db, make):
    party = make.agency(code="tinh-uy", kind="political_org", name="Tỉnh ủy Điện Biên")
    make.submission(party, YEAR, "verified", report=full_report(legal_docs_online=False, exchanges_online=False,
                                                                 official_email=False))
    make.submission(make.agency(kind="department"), YEAR, "verified")
    make.submission(make.agency(kind="people_committee", tier="district"), YEAR, "verified")
    by_code = results(db)
    # state agencies: the department and the district committee, both meeting → 2 of 2
    for code in ("agencies_legal_docs_pct", "agencies_exchange_pct", "agencies_email_pct"):
        assert row(by_code[code]) == (2, 2, 100.0, True, 2, 2), code
    # the political system includes the Party committee: network 3 of 3 (every FULL flag is true)
    assert row(by_code["agencies_network_pct"]) == (3, 3, 100.0, True, 3, 3)


def test_computer_staff_email_pct_over_state_agencies(db, make):
    a = make.agency(kind="department")
    make.submission(a, YEAR, "verified", report=full_report(staff_total=12, staff_with_computer=10,
                                                            staff_with_email=10, computer_staff_with_email=10))
    b = make.agency(kind="people_committee", tier="commune")
    make.submission(b, YEAR, "verified", report=full_report(staff_total=20, staff_with_computer=20,
                                                            staff_with_email=18, computer_staff_with_email=15))
    party = make.agency(kind="political_org")  # not a state agency
    make.submission(party, YEAR, "verified", report=full_report(staff_with_computer=5, computer_staff_with_email=0))
    historic = make.agency(kind="department")  # a report from before the question: unknown, left out
    sub = make.submission(historic, YEAR, "draft", report=full_report(computer_staff_with_email=None))
    workflow.force_state(db, sub, TEST_ACTOR, "verified")
    db.commit()
    result = results(db)["computer_staff_email_pct"]
    # (10 + 15) / (10 + 20) = 25 / 30 = 83.3 < 100; coverage: 3 state agencies in the basis of 3
    assert row(result) == (25, 30, 83.3, False, 3, 3)


def test_databases_target_runs_over_province_tier_departments(db, make):
    make.submission(make.agency(kind="department", tier="province"), YEAR, "verified",
                    report=full_report(specialised_database=True))
    make.submission(make.agency(kind="department", tier="province"), YEAR, "verified",
                    report=full_report(specialised_database=False))
    for tier, kind in (("district", "department"), ("commune", "people_committee"), ("province", "political_org"),
                       ("district", "people_committee")):
        make.submission(make.agency(kind=kind, tier=tier), YEAR, "verified",
                        report=full_report(specialised_database=False))
    # 1 of the 2 province departments; the others are not in scope
    assert row(results(db)["agencies_database_pct"]) == (1, 2, 50.0, False, 2, 2)


def test_internet_not_broadband_for_hospitals_of_the_province_and_districts(db, make):
    dial_up = full_report(broadband_internet=False, internet_connected=True)
    make.submission(make.agency(kind="hospital", tier="province"), YEAR, "verified", report=dial_up)
    make.submission(make.agency(kind="hospital", tier="district"), YEAR, "verified",
                    report=full_report(broadband_internet=False, internet_connected=False))
    make.submission(make.agency(kind="hospital", tier="commune"), YEAR, "verified",
                    report=full_report(has_lan=False))  # a commune hospital: not "bệnh viện tỉnh, huyện"
    make.submission(make.agency(kind="health_facility", tier="commune"), YEAR, "verified", report=dial_up)
    by_code = results(db)
    assert row(by_code["hospitals_network_pct"]) == (1, 2, 50.0, False, 2, 2)
    assert row(by_code["health_facilities_network_pct"]) == (1, 1, 100.0, True, 1, 1)


def test_the_province_committee_counts_once_in_documents_online(db, make):
    office = make.agency(code="vp-ubnd-tinh", kind="people_committee", tier="province",
                         name="Văn phòng UBND tỉnh")
    make.submission(office, YEAR, "verified", report=full_report(documents_total=100, documents_online=95))
    make.submission(make.agency(kind="department", tier="province"), YEAR, "verified",
                    report=full_report(documents_total=1000, documents_online=0))
    make.submission(make.agency(kind="people_committee", tier="district"), YEAR, "verified",
                    report=full_report(documents_total=100, documents_online=85))
    # the office and the district committee: (95 + 85) / (100 + 100) = 90.0 ≥ 90
    assert row(results(db)["documents_online_pct"]) == (180, 200, 90.0, True, 2, 2)


def test_broadband_implies_an_internet_connection(db, make):
    agency = make.agency()
    submission = workflow.ensure_submission(db, agency, YEAR, TEST_ACTOR)
    with pytest.raises(ValidationFailed) as refused:
        workflow.write_entries(db, submission, TEST_ACTOR,
                               {"broadband_internet": True, "internet_connected": False}, None)
    assert "internet_connected" in refused.value.fields


def test_the_province_committee_and_its_office_are_never_both_committees(db, make):
    from registry.catalogue import records
    from registry.dataio.importing import import_table

    committee = make.agency(code="ubnd-tinh", kind="people_committee", tier="province")
    with pytest.raises(ValidationFailed) as refused:
        records.create_agency(db, TEST_ACTOR, {"code": "vp-ubnd-tinh", "name": "Văn phòng UBND tỉnh",
                                               "tier": "province", "kind": "people_committee",
                                               "parent_code": committee.code, "active": True})
    assert "kind" in refused.value.fields
    db.rollback()
    header = ["code", "name", "name_en", "tier", "kind", "parent_code"]
    row = dict(code="vp-ubnd-tinh", name="Văn phòng UBND tỉnh", name_en="", tier="province",
               kind="people_committee", parent_code="ubnd-tinh")
    result = import_table(db, TEST_ACTOR, "agencies", header, [(2, row)])
    assert [(e.row, e.column) for e in result.errors] == [(2, "kind")]
    db.rollback()
    # another province's committee (a national registry) is not a second one
    other = records.create_agency(db, TEST_ACTOR, {"code": "ubnd-tinh-lai-chau", "name": "UBND tỉnh Lai Châu",
                                                   "tier": "province", "kind": "people_committee", "active": True})
    assert other.id is not None


def test_a_closed_period_drills_down_what_was_published_by_procedure(client, db, make):
    """Rule 12 with rule 3: after closing, the page reads the published offerings and still lists
    each procedure once at its lowest level; renaming a commune afterwards changes nothing shown."""
    from sqlmodel import select

    from registry.models import Agency, ReportingPeriod
    from registry.submissions import periods

    _communes_offering_birth_registration(make, [3, 3, 2])
    other = make.agency(code="so-tp")
    alone = make.service(other, code="2.000001", name="Cấp phiếu lý lịch tư pháp")
    make.submission(other, YEAR, "verified", levels={alone.id: 3})
    make.period(YEAR)
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR))
    db.commit()
    db.exec(select(Agency).where(Agency.code == "xa-2")).one().name = "Xã mới"
    db.commit()
    base = f"/targets/services_level3_count?period={YEAR}"
    # procedures: BIRTH at level 2 (lowest of 3, 3, 2) is not counted; 2.000001 at level 3 is
    counted = client.get(f"{base}&show=counted").get_data(as_text=True)
    assert "2.000001" in counted and f"procedure={BIRTH}" not in counted
    every = client.get(f"{base}&show=all").get_data(as_text=True)
    table = every.split('<table class="drilldown">')[1].split("</table>")[0]
    assert table.count(f'<td class="code">{BIRTH}</td>') == 1 and "<td>3</td><td>2</td>" in table  # 3 offerings
    offered = client.get(f"{base}&show=all&procedure={BIRTH}").get_data(as_text=True)
    table = offered.split('<table class="drilldown">')[1].split("</table>")[0]
    assert [c for c in ("xa-0-khai-sinh", "xa-1-khai-sinh", "xa-2-khai-sinh") if c in table] == [
        "xa-0-khai-sinh", "xa-1-khai-sinh", "xa-2-khai-sinh"]
    assert "Xã mới" not in table and "2.000001" not in table
