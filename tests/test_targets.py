"""The target engine (SPEC §3), on hand-computed registries.

Every expected number below is worked out in the comments from the SPEC's
rules, not taken from the engine or from tests/reference_targets.py.
"""

import json

import pytest
from sqlalchemy import event

from registry.models import Target
from registry.submissions import workflow
from registry.targets.basis import BASES
from registry.targets.definitions import parse_scope
from registry.targets.engine import compute_target, compute_targets
from registry.targets.results import Coverage, TargetResult
from registry.targets.seed import DECISION_1529_TARGETS, STATE
from tests.factories import TEST_ACTOR, full_report

YEAR = 2015
SHIPPED = [t["code"] for t in DECISION_1529_TARGETS]
FLAGS = ("has_lan", "wan_connected", "broadband_internet", "internet_connected", "official_email",
         "exchanges_online", "legal_docs_online", "specialised_database")

# Every flag true, every count 10 of 10.
FULL = full_report(staff_total=10, staff_with_computer=10, staff_with_email=10, documents_total=10,
                   documents_online=10, specialised_database=True)


def report(**overrides) -> dict:
    """FULL with ``overrides`` (computer_staff_with_email kept within the staff figures unless given)."""
    return full_report(**{**{k: v for k, v in FULL.items() if k != "computer_staff_with_email"}, **overrides})


def no_flags(**overrides) -> dict:
    return report(**{**{f: False for f in FLAGS}, **overrides})


def results(db, basis="verified") -> dict[str, TargetResult]:
    return {r.target.code: r for r in compute_targets(db, YEAR, basis)}


def row(result: TargetResult) -> tuple:
    """(numerator, denominator, value, met, covered, total)"""
    return (result.numerator, result.denominator, result.value, result.met,
            result.coverage.covered, result.coverage.total)


def add_target(db, code, formula="agency_flag_share", comparator=">=", threshold=90, unit="percent",
               position=100, **params) -> Target:
    target = Target(code=code, title_vi=f"Chỉ tiêu {code}", title_en=f"Target {code}", citation="test",
                    unit=unit, comparator=comparator, threshold=threshold, deadline=2015, formula=formula,
                    position=position, **params)
    db.add(target)
    db.commit()
    return target


@pytest.fixture
def auditor(make_user):
    return make_user("auditor")


# --- the shipped targets, the interface ------------------------------------------

def test_empty_registry_gives_no_data_for_every_shipped_target(db):
    for basis in BASES:
        computed = compute_targets(db, YEAR, basis)
        assert [r.target.code for r in computed] == SHIPPED
        for r in computed:
            assert (r.period, r.basis) == (YEAR, basis)
            assert row(r) == (0, 0, None, False, 0, 0), r.target.code
            assert r.coverage == Coverage(0, 0)


def test_default_basis_is_verified(db, make):
    agency = make.agency()
    service = make.service(agency)
    make.submission(agency, YEAR, "submitted", levels={service.id: 3})
    default = compute_targets(db, YEAR)
    assert all(r.basis == "verified" for r in default)
    assert [row(r) for r in default] == [row(r) for r in compute_targets(db, YEAR, "verified")]
    assert row(results(db)["services_level3_count"]) == (0, 1, 0, False, 0, 1)
    assert row(results(db, "reported")["services_level3_count"]) == (1, 1, 1, False, 1, 1)


def test_parse_scope():
    assert parse_scope("district:department,people_committee,political_org;province:people_committee") == [
        ("district", frozenset({"department", "people_committee", "political_org"})),
        ("province", frozenset({"people_committee"})),
    ]
    assert parse_scope(STATE) == [(None, frozenset({"department", "people_committee"}))]
    assert parse_scope("*:school") == [(None, frozenset({"school"}))]
    assert parse_scope("commune:*") == [("commune", None)]
    assert parse_scope("*:*") == [(None, None)]


def test_as_dict_has_exactly_the_spec_shape(db, make):
    agency = make.agency()
    services = [make.service(agency) for _ in range(3)]
    make.submission(agency, YEAR, "verified", levels={services[0].id: 3, services[1].id: 1, services[2].id: 0})
    by_code = results(db)
    level1 = by_code["services_level1_pct"].as_dict()
    assert level1 == {
        "code": "services_level1_pct",
        "title": "95% số dịch vụ công được cung cấp trên mạng ở mức độ 1 trở lên",
        "citation": "Quyết định 1529/QĐ-UBND ngày 25/8/2009 của UBND tỉnh Điện Biên, mục 3.b",
        "unit": "percent", "comparator": ">=", "threshold": 95, "deadline": 2015,
        "numerator": 2, "denominator": 3, "value": 66.7, "met": False,
        "coverage": {"covered": 3, "total": 3},
        # three services, each its own procedure: the same figures over offerings
        "counting_unit": "procedure",
        "offerings": {"numerator": 2, "denominator": 3, "value": 66.7, "coverage": {"covered": 3, "total": 3}},
        # version 2 (SPEC §5): an open period's figures are provisional; with full coverage they have a verdict
        "status": "not_met", "provisional": True, "version": {"number": 1, "effective_from": None},
    }
    assert by_code["services_level1_pct"].as_dict("en")["title"] == (
        "95% of public services provided online at level 1 or above")
    count = by_code["services_level3_count"].as_dict()
    assert (count["unit"], count["numerator"], count["denominator"], count["value"], count["met"]) == (
        "count", 1, 3, 1, False)
    assert isinstance(count["value"], int) and not isinstance(count["value"], bool)
    network = by_code["agencies_network_pct"].as_dict("en")
    assert (network["comparator"], network["threshold"], network["value"], network["met"]) == (">", 90, 100.0, True)
    # no data: value null, met false
    schools = by_code["schools_network_pct"].as_dict()
    assert (schools["value"], schools["met"], schools["coverage"]) == (None, None, {"covered": 0, "total": 0})
    assert schools["status"] == "no_data"
    for r in by_code.values():
        d = r.as_dict()
        service_keys = {"counting_unit", "offerings"} if r.target.formula.startswith("service_") else set()
        assert set(d) == {"code", "title", "citation", "unit", "comparator", "threshold", "deadline",
                          "numerator", "denominator", "value", "met", "coverage", "status", "provisional",
                          "version"} | service_keys
        assert set(d["coverage"]) == {"covered", "total"}
        for key in ("numerator", "denominator", "threshold", "deadline"):
            assert type(d[key]) is int, (r.target.code, key)
        assert (type(d["met"]) is bool) == (d["status"] in ("met", "not_met")), r.target.code
        assert d["met"] is None or d["met"] == (d["status"] == "met")
        assert d["value"] is None or type(d["value"]) in (int, float)
        json.dumps(d)  # serialisable as it is


def test_inactive_and_custom_targets(db, make):
    agency = make.agency(kind="department")
    make.submission(agency, YEAR, "verified")
    add_target(db, "zz_last", flags="has_lan", scope=STATE, position=100)
    add_target(db, "aa_first", flags="has_lan", scope=STATE, position=1)  # same position as the first shipped
    hidden = add_target(db, "hidden", flags="has_lan", scope=STATE, position=2)
    hidden.active = False
    db.commit()
    codes = [r.target.code for r in compute_targets(db, YEAR)]
    assert codes == ["aa_first", *SHIPPED, "zz_last"]
    assert row(compute_target(db, hidden, YEAR)) == (1, 1, 100.0, True, 1, 1)


# --- service targets -------------------------------------------------------------

def test_service_targets_count_only_active_services_of_agencies_in_the_basis(db, make):
    a = make.agency(kind="department")  # verified
    a3, a2, a1, a0, a_none = (make.service(a) for _ in range(5))
    a_inactive = make.service(a, active=False)
    make.submission(a, YEAR, "verified", levels={a3.id: 3, a2.id: 2, a1.id: 1, a0.id: 0, a_inactive.id: 3})
    b = make.agency(kind="people_committee", tier="district")  # submitted only
    b1, b2 = make.service(b), make.service(b)
    make.submission(b, YEAR, "submitted", levels={b1.id: 3, b2.id: 3})
    c = make.agency(kind="department", active=False)  # inactive agency: its active service does not count
    c1 = make.service(c)
    make.submission(c, YEAR, "verified", levels={c1.id: 3})
    d = make.agency(kind="department")  # no submission at all
    make.service(d)

    # active services: a3 a2 a1 a0 a_none b1 b2 d1 = 8
    verified = results(db, "verified")
    # in the basis: a's 5 services; a3 a2 a1 ≥ 1; a3 a2 ≥ 2; a3 = 3
    assert row(verified["services_level1_pct"]) == (3, 8, 37.5, False, 5, 8)
    assert row(verified["services_level2_pct"]) == (2, 8, 25.0, False, 5, 8)
    assert row(verified["services_level3_count"]) == (1, 8, 1, False, 5, 8)
    reported = results(db, "reported")
    # plus b's 2 services at level 3
    assert row(reported["services_level1_pct"]) == (5, 8, 62.5, False, 7, 8)
    assert row(reported["services_level2_pct"]) == (4, 8, 50.0, False, 7, 8)
    assert row(reported["services_level3_count"]) == (3, 8, 3, False, 7, 8)


def test_service_of_an_inactive_agency_is_inactive_even_in_the_denominator(db, make):
    live = make.agency()
    s = make.service(live)
    make.submission(live, YEAR, "verified", levels={s.id: 1})
    gone = make.agency(active=False)
    make.service(gone)
    make.service(gone)
    assert row(results(db)["services_level1_pct"]) == (1, 1, 100.0, True, 1, 1)


def test_no_active_services_is_no_data(db, make):
    a = make.agency()
    s = make.service(a, active=False)
    make.submission(a, YEAR, "verified", levels={s.id: 3})
    for basis in BASES:
        by_code = results(db, basis)
        for code in ("services_level1_pct", "services_level2_pct", "services_level3_count"):
            assert row(by_code[code]) == (0, 0, None, False, 0, 0), (basis, code)


def test_a_status_counts_only_in_its_own_agencys_submission(db, make):
    a = make.agency()
    sa = make.service(a)  # a has no submission
    b = make.agency()
    sb = make.service(b)
    # b's submission (wrongly) carries a status for a's service
    make.submission(b, YEAR, "verified", levels={sb.id: 1, sa.id: 3})
    by_code = results(db)
    assert row(by_code["services_level1_pct"]) == (1, 2, 50.0, False, 1, 2)
    assert row(by_code["services_level3_count"]) == (0, 2, 0, False, 1, 2)


def test_other_periods_do_not_count(db, make):
    a = make.agency()
    s = make.service(a)
    make.submission(a, 2014, "verified", levels={s.id: 3})
    for basis in BASES:
        assert row(results(db, basis)["services_level1_pct"]) == (0, 1, 0.0, False, 0, 1)
        assert row(results(db, basis)["agencies_email_pct"]) == (0, 1, 0.0, False, 0, 1)
    assert row(compute_targets(db, 2014)[0]) == (1, 1, 100.0, True, 1, 1)


def _twenty_services(db, make):
    agency = make.agency()
    services = [make.service(agency) for _ in range(20)]
    # 9 at level 3, 5 at level 2, 5 at level 1, 1 at level 0
    levels = {s.id: 3 if i < 9 else 2 if i < 14 else 1 if i < 19 else 0 for i, s in enumerate(services)}
    submission = make.submission(agency, YEAR, "verified", levels=levels)
    return agency, services, submission


def test_shipped_service_targets_at_their_boundaries(db, make):
    agency, services, submission = _twenty_services(db, make)
    for basis in BASES:
        by_code = results(db, basis)
        # 19/20 = 95.0 ≥ 95; 14/20 = 70.0 ≥ 70; 9 ≥ 9
        assert row(by_code["services_level1_pct"]) == (19, 20, 95.0, True, 20, 20)
        assert row(by_code["services_level2_pct"]) == (14, 20, 70.0, True, 20, 20)
        assert row(by_code["services_level3_count"]) == (9, 20, 9, True, 20, 20)

    # Reopen and lower one service of each band: still draft, so both bases keep the copy.
    make.revise(submission, "draft", levels={services[0].id: 2, services[9].id: 1, services[14].id: 0})
    for basis in BASES:
        by_code = results(db, basis)
        assert row(by_code["services_level1_pct"]) == (19, 20, 95.0, True, 20, 20), basis
        assert row(by_code["services_level2_pct"]) == (14, 20, 70.0, True, 20, 20), basis
        assert row(by_code["services_level3_count"]) == (9, 20, 9, True, 20, 20), basis

    # Resubmitted: "reported" now uses the current figures, "verified" still the copy.
    workflow.submit(db, submission, TEST_ACTOR)
    db.commit()
    reported = results(db, "reported")
    # level 3: 8; level ≥ 2: 8 + 1 (services[0]) + 4 = 13; level ≥ 1: 18
    assert row(reported["services_level1_pct"]) == (18, 20, 90.0, False, 20, 20)
    assert row(reported["services_level2_pct"]) == (13, 20, 65.0, False, 20, 20)
    assert row(reported["services_level3_count"]) == (8, 20, 8, False, 20, 20)
    verified = results(db, "verified")
    assert row(verified["services_level1_pct"]) == (19, 20, 95.0, True, 20, 20)
    assert row(verified["services_level3_count"]) == (9, 20, 9, True, 20, 20)

    # Verified again: the new copy replaces the old one in "verified".
    workflow.verify(db, submission, TEST_ACTOR)
    db.commit()
    verified = results(db, "verified")
    assert row(verified["services_level1_pct"]) == (18, 20, 90.0, False, 20, 20)
    assert row(verified["services_level3_count"]) == (8, 20, 8, False, 20, 20)


def test_returned_after_verification_falls_back_to_the_copy(db, make, auditor):
    agency, services, submission = _twenty_services(db, make)
    make.revise(submission, "returned", levels={s.id: 0 for s in services}, auditor=auditor)
    assert submission.state == "returned"
    for basis in BASES:
        assert row(results(db, basis)["services_level3_count"]) == (9, 20, 9, True, 20, 20), basis


@pytest.mark.parametrize("at_level3, met", [(8, False), (9, True), (10, True)])
def test_count_target_threshold(db, make, at_level3, met):
    agency = make.agency()
    services = [make.service(agency) for _ in range(12)]
    make.submission(agency, YEAR, "verified", levels={s.id: 3 if i < at_level3 else 1 for i, s in enumerate(services)})
    assert row(results(db)["services_level3_count"]) == (at_level3, 12, at_level3, met, 12, 12)


# --- states and bases ------------------------------------------------------------

def test_each_state_in_each_basis(db, make, auditor):
    """agencies_email_pct over state agencies; official_email is the flag."""
    def state_agency(kind="department", **kw):
        return make.agency(kind=kind, **kw)

    dept_v = state_agency()
    make.submission(dept_v, YEAR, "verified", auditor=auditor)
    pc_sub = state_agency("people_committee", tier="district")
    make.submission(pc_sub, YEAR, "submitted")
    po_draft = state_agency("political_org")
    make.submission(po_draft, YEAR, "draft")
    state_agency()  # dept_none: no submission
    dept_ret = state_agency(tier="commune")
    make.submission(dept_ret, YEAR, "returned", auditor=auditor)
    dept_rv = state_agency()  # verified True, reopened, edited False, resubmitted, returned
    make.revise(make.submission(dept_rv, YEAR, "verified", auditor=auditor), "returned",
                report={"official_email": False}, auditor=auditor)
    dept_resub = state_agency()  # verified False, reopened, edited True, resubmitted
    make.revise(make.submission(dept_resub, YEAR, "verified", report=report(official_email=False), auditor=auditor),
                "submitted", report={"official_email": True}, auditor=auditor)
    dept_reopen = state_agency()  # verified True, reopened, edited False (a draft)
    make.revise(make.submission(dept_reopen, YEAR, "verified", auditor=auditor), "draft",
                report={"official_email": False}, auditor=auditor)
    # not counted at all: an inactive state agency and agencies out of scope
    make.submission(state_agency(active=False), YEAR, "verified", auditor=auditor)
    make.submission(state_agency("school"), YEAR, "verified", auditor=auditor)
    make.submission(state_agency("other"), YEAR, "verified", auditor=auditor)
    make.submission(state_agency("hospital"), YEAR, "verified", auditor=auditor)

    # 7 active state agencies (the political organisation is not one).
    # verified basis: in basis dept_v, dept_rv, dept_resub, dept_reopen (4);
    #   with official_email in the copy: dept_v, dept_rv, dept_reopen (3) → 3/7 = 42.9
    assert row(results(db, "verified")["agencies_email_pct"]) == (3, 7, 42.9, False, 4, 7)
    # reported basis: dept_v, pc_sub (current), dept_rv (returned → copy), dept_resub (current),
    #   dept_reopen (draft → copy): 5 in basis, all 5 with official_email → 5/7 = 71.4
    assert row(results(db, "reported")["agencies_email_pct"]) == (5, 7, 71.4, False, 5, 7)


def test_reopened_copy_keeps_counting_until_the_correction_is_verified(db, make):
    a = make.agency(tier="commune", kind="people_committee")
    s = make.service(a)
    sub = make.submission(a, YEAR, "verified", report=report(staff_total=10, staff_with_computer=10),
                          levels={s.id: 3})
    make.revise(sub, "draft", report={"staff_total": 20, "staff_with_computer": 5, "computer_staff_with_email": 5},
                levels={s.id: 0},
                reason="Sai số cán bộ")
    for basis in BASES:  # a draft never counts with its current figures
        by_code = results(db, basis)
        assert row(by_code["commune_staff_computer_pct"]) == (10, 10, 100.0, True, 1, 1), basis
        assert row(by_code["services_level3_count"]) == (1, 1, 1, False, 1, 1), basis
    workflow.submit(db, sub, TEST_ACTOR)
    db.commit()
    assert row(results(db, "reported")["commune_staff_computer_pct"]) == (5, 20, 25.0, False, 1, 1)
    assert row(results(db, "reported")["services_level1_pct"]) == (0, 1, 0.0, False, 1, 1)
    assert row(results(db, "verified")["commune_staff_computer_pct"]) == (10, 10, 100.0, True, 1, 1)
    workflow.verify(db, sub, TEST_ACTOR)
    db.commit()
    for basis in BASES:
        assert row(results(db, basis)["commune_staff_computer_pct"]) == (5, 20, 25.0, False, 1, 1), basis


def test_unknown_figures_of_an_imported_copy(db, make):
    """The import path can verify a report with unknown (NULL) fields: a NULL
    flag is not true, and an agency with an unknown figure is left out of that ratio's sums."""
    partial = make.agency(tier="commune", kind="people_committee")
    sub = make.submission(partial, YEAR, "draft", report={"official_email": True, "staff_total": 10,
                                                          "has_lan": True, "wan_connected": True})
    workflow.force_state(db, sub, TEST_ACTOR, "verified")
    whole = make.agency(tier="commune", kind="people_committee")
    make.submission(whole, YEAR, "verified",
                    report=report(staff_total=10, staff_with_computer=10, staff_with_email=4))
    db.commit()
    by_code = results(db)
    assert row(by_code["agencies_email_pct"]) == (2, 2, 100.0, True, 2, 2)
    assert row(by_code["agencies_network_pct"]) == (1, 2, 50.0, False, 2, 2)  # broadband unknown
    assert row(by_code["agencies_legal_docs_pct"]) == (1, 2, 50.0, False, 2, 2)
    # the partial agency knows its staff but not how many have computers or e-mail
    assert row(by_code["commune_staff_computer_pct"]) == (10, 10, 100.0, True, 2, 2)
    assert row(by_code["staff_email_pct"]) == (4, 10, 40.0, False, 2, 2)


# --- agency-share targets ----------------------------------------------------------

def _ten_state_agencies(db, make, meeting=9):
    """10 verified state agencies; the first ``meeting`` have every flag, the rest
    lack has_lan and exchanges_online only. Numbers 0, 3, 6 and 9 are province
    departments; the others district and commune departments and people's committees."""
    kinds = ("department", "people_committee")
    tiers = ("province", "district", "commune")
    for i in range(10):
        agency = make.agency(kind="department" if i % 3 == 0 else kinds[i % 2], tier=tiers[i % 3])
        rep = FULL if i < meeting else report(has_lan=False, exchanges_online=False)
        make.submission(agency, YEAR, "verified", report=rep)


def test_ninety_percent_meets_at_least_and_fails_more_than(db, make):
    _ten_state_agencies(db, make)
    ge = add_target(db, "custom_ge90", comparator=">=", threshold=90, flags="has_lan", scope=STATE)
    gt = add_target(db, "custom_gt90", comparator=">", threshold=90, flags="has_lan", scope=STATE)
    assert row(compute_target(db, ge, YEAR)) == (9, 10, 90.0, True, 10, 10)
    assert row(compute_target(db, gt, YEAR)) == (9, 10, 90.0, False, 10, 10)
    by_code = results(db)
    assert row(by_code["custom_ge90"]) == (9, 10, 90.0, True, 10, 10)
    assert row(by_code["custom_gt90"]) == (9, 10, 90.0, False, 10, 10)
    # the shipped targets at the same boundary: "Trên 90%" is strict, "90%" is not
    assert row(by_code["agencies_network_pct"]) == (9, 10, 90.0, False, 10, 10)
    assert row(by_code["agencies_exchange_pct"]) == (9, 10, 90.0, True, 10, 10)
    assert row(by_code["agencies_legal_docs_pct"]) == (10, 10, 100.0, True, 10, 10)
    assert row(by_code["agencies_email_pct"]) == (10, 10, 100.0, True, 10, 10)
    # province-tier departments only: 0, 3, 6, 9
    assert row(by_code["agencies_database_pct"]) == (4, 4, 100.0, True, 4, 4)


def test_more_than_ninety_percent(db, make):
    _ten_state_agencies(db, make)
    make.submission(make.agency(kind="department"), YEAR, "verified")  # 10 of 11 = 90.9 %
    by_code = results(db)
    assert row(by_code["agencies_network_pct"]) == (10, 11, 90.9, True, 11, 11)
    assert row(by_code["agencies_exchange_pct"]) == (10, 11, 90.9, True, 11, 11)


def test_unreported_agency_counts_as_not_meeting(db, make):
    """8 of 10 meeting: both comparators fail; one more unreported agency lowers
    the share without changing the numerator."""
    _ten_state_agencies(db, make, meeting=8)
    make.agency(kind="people_committee", tier="district")  # in scope, no submission
    make.agency(kind="political_org", tier="district")  # not a state agency: in neither target
    by_code = results(db)
    assert row(by_code["agencies_exchange_pct"]) == (8, 11, 72.7, False, 10, 11)
    assert row(by_code["agencies_email_pct"]) == (10, 11, 90.9, False, 10, 11)


def test_flag_targets_need_every_flag_and_their_own_kind(db, make):
    # schools: has_lan ∧ internet_connected (any Internet, not only broadband)
    for lan, internet in ((True, True), (True, False), (False, True), (True, True)):
        make.submission(make.agency(kind="school", tier="commune"), YEAR, "verified",
                        report=no_flags(has_lan=lan, internet_connected=internet))
    make.submission(make.agency(kind="school", active=False), YEAR, "verified")  # inactive: not counted
    # hospitals: both meet, with Internet that is not broadband
    for _ in range(2):
        make.submission(make.agency(kind="hospital", tier="district"), YEAR, "verified",
                        report=no_flags(has_lan=True, internet_connected=True))
    # health facilities: 1 of 5 meets; one of the others is only submitted
    make.submission(make.agency(kind="health_facility", tier="commune"), YEAR, "verified")
    for _ in range(3):
        make.submission(make.agency(kind="health_facility", tier="commune"), YEAR, "verified",
                        report=no_flags(internet_connected=True))
    make.submission(make.agency(kind="health_facility", tier="commune"), YEAR, "submitted")
    # a state agency with LAN and WAN but no broadband does not meet agencies_network_pct
    make.submission(make.agency(kind="department"), YEAR, "verified", report=report(broadband_internet=False))
    make.submission(make.agency(kind="department"), YEAR, "verified")

    verified = results(db, "verified")
    assert row(verified["schools_network_pct"]) == (2, 4, 50.0, True, 4, 4)  # 50.0 ≥ 50
    assert row(verified["hospitals_network_pct"]) == (2, 2, 100.0, True, 2, 2)
    assert row(verified["health_facilities_network_pct"]) == (1, 5, 20.0, True, 4, 5)  # 20.0 ≥ 20
    assert row(verified["agencies_network_pct"]) == (1, 2, 50.0, False, 2, 2)
    assert row(verified["broadband_district_up_pct"]) == (1, 2, 50.0, False, 2, 2)
    assert row(verified["agencies_legal_docs_pct"]) == (2, 2, 100.0, True, 2, 2)
    reported = results(db, "reported")
    assert row(reported["health_facilities_network_pct"]) == (2, 5, 40.0, True, 5, 5)


def test_agency_targets_without_agencies_in_scope_are_no_data(db, make):
    make.submission(make.agency(kind="school"), YEAR, "verified")
    by_code = results(db)
    for code in ("agencies_network_pct", "agencies_legal_docs_pct", "agencies_exchange_pct",
                 "agencies_email_pct", "agencies_database_pct", "broadband_district_up_pct",
                 "hospitals_network_pct", "health_facilities_network_pct",
                 "documents_online_pct", "staff_email_pct", "commune_staff_computer_pct",
                 "computer_staff_email_pct"):
        assert row(by_code[code]) == (0, 0, None, False, 0, 0), code
    assert row(by_code["schools_network_pct"]) == (1, 1, 100.0, True, 1, 1)


def test_agencies_in_scope_but_none_in_the_basis(db, make):
    make.agency(kind="department")
    make.submission(make.agency(kind="department"), YEAR, "draft")
    by_code = results(db, "reported")
    assert row(by_code["agencies_email_pct"]) == (0, 2, 0.0, False, 0, 2)
    # a sum target with nothing to sum: no data, but the coverage is known
    assert row(by_code["staff_email_pct"]) == (0, 0, None, False, 0, 2)


# --- scopes and sums ---------------------------------------------------------------

def test_scopes_of_the_sum_and_broadband_targets(db, make):
    def agency(tier, kind, state="verified", active=True, **figures):
        a = make.agency(tier=tier, kind=kind, active=active)
        if state:
            make.submission(a, YEAR, state, report=report(**figures))
        return a

    # name                           tier        kind               docs total/online  staff total/email/computer  broadband
    agency("district", "department", documents_total=100, documents_online=80,
           staff_total=10, staff_with_email=8, staff_with_computer=10)
    agency("district", "people_committee", documents_total=50, documents_online=50,
           staff_total=20, staff_with_email=20, staff_with_computer=20)
    agency("district", "political_org", documents_total=30, documents_online=30,
           staff_total=10, staff_with_email=0, staff_with_computer=0)
    agency("district", "school", documents_total=1000, documents_online=0,
           staff_total=100, staff_with_email=0, staff_with_computer=0, broadband_internet=False)
    agency("province", "people_committee", documents_total=20, documents_online=20,
           staff_total=10, staff_with_email=10, staff_with_computer=10)
    # a province department: its documents must not count
    agency("province", "department", documents_total=1000, documents_online=0,
           staff_total=50, staff_with_email=50, staff_with_computer=0)
    agency("province", "political_org", documents_total=500, documents_online=0,
           staff_total=0, staff_with_email=0, staff_with_computer=0, broadband_internet=False)
    agency("commune", "people_committee", documents_total=400, documents_online=0,
           staff_total=8, staff_with_email=0, staff_with_computer=8, broadband_internet=False)
    agency("commune", "department", documents_total=0, documents_online=0,
           staff_total=2, staff_with_email=2, staff_with_computer=1, broadband_internet=False)
    agency("commune", "school", documents_total=0, documents_online=0,
           staff_total=30, staff_with_email=0, staff_with_computer=0, broadband_internet=False)
    agency("district", "department", state=None)  # in scope, no submission
    agency("district", "department", active=False, documents_total=100, documents_online=0,
           staff_total=1000, staff_with_email=1000, staff_with_computer=0, broadband_internet=False)
    agency("commune", "political_org", state="draft", staff_total=5, staff_with_computer=5, staff_with_email=5)

    by_code = results(db)
    # district state agencies (not the district's political organisation) + the province people's
    #   committee: (80 + 50 + 20) / (100 + 50 + 20) = 150 / 170 = 88.2 < 90; 3 of 4 in the basis
    assert row(by_code["documents_online_pct"]) == (150, 170, 88.2, False, 3, 4)
    # the political system of every tier: email 8+20+0+10+50+0+0+2 = 90 of staff 10+20+10+10+50+0+8+2 = 110
    #   → 81.8 ≥ 80; in scope 10 (8 verified, one without a submission, one draft)
    assert row(by_code["staff_email_pct"]) == (90, 110, 81.8, True, 8, 10)
    # commune agencies of the political system: computers 8 + 1 of staff 8 + 2 → 90.0 < 100; the draft is not in the basis
    assert row(by_code["commune_staff_computer_pct"]) == (9, 10, 90.0, False, 2, 3)
    # province and district agencies of the political system: 7 in scope (d-dept, d-pc, d-po, p-pc, p-dept, p-po, d-none);
    #   broadband in 5 → 71.4; 6 in the basis
    assert row(by_code["broadband_district_up_pct"]) == (5, 7, 71.4, False, 6, 7)
    # every active agency of the political system has every flag except p-po, c-pc and c-dept
    # without broadband
    assert row(by_code["agencies_network_pct"]) == (5, 10, 50.0, False, 8, 10)
    # state agencies: d-dept, d-pc, p-pc, p-dept, c-pc, c-dept verified with e-mail, d-dept without
    #   a submission (the political organisations are not state agencies) → 6 / 7
    assert row(by_code["agencies_email_pct"]) == (6, 7, 85.7, False, 6, 7)
    # both schools lack broadband but are connected to the Internet, with a LAN: both meet
    assert row(by_code["schools_network_pct"]) == (2, 2, 100.0, True, 2, 2)


# --- rounding and exact comparison -------------------------------------------------

@pytest.mark.parametrize("total, online, value", [
    (3, 2, 66.7), (3, 1, 33.3), (8, 1, 12.5), (16, 1, 6.3), (16, 3, 18.8), (16, 7, 43.8), (32, 1, 3.1),
    (80, 1, 1.3), (400, 1, 0.3), (2000, 1, 0.1), (2000, 1999, 100.0), (6, 1, 16.7), (7, 1, 14.3),
    (1, 0, 0.0), (1, 1, 100.0),
])
def test_value_is_rounded_half_up_to_one_decimal(db, make, total, online, value):
    make.submission(make.agency(tier="district", kind="department"), YEAR, "verified",
                    report=report(documents_total=total, documents_online=online))
    result = results(db)["documents_online_pct"]
    assert (result.numerator, result.denominator, result.value) == (online, total, value)
    assert result.met is (online * 100 >= 90 * total)


def test_met_is_decided_on_integers_not_on_the_rounded_value(db, make):
    # 1999 of 2000 is shown as 100.0 but is not 100 %
    make.submission(make.agency(tier="commune", kind="people_committee"), YEAR, "verified",
                    report=report(staff_total=2000, staff_with_computer=1999))
    assert row(results(db)["commune_staff_computer_pct"]) == (1999, 2000, 100.0, False, 1, 1)


def test_met_just_below_a_threshold_that_rounds_up(db, make):
    # 1799 of 2000 = 89.95 → shown 90.0, but below 90
    make.submission(make.agency(tier="district", kind="department"), YEAR, "verified",
                    report=report(documents_total=2000, documents_online=1799))
    assert row(results(db)["documents_online_pct"]) == (1799, 2000, 90.0, False, 1, 1)


# --- the number of SQL statements does not grow with the registry ------------------

def _grow(db, make, agencies, services_each):
    kinds = ("department", "people_committee", "political_org", "school", "hospital", "health_facility")
    tiers = ("province", "district", "commune")
    for i in range(agencies):
        a = make.agency(kind=kinds[i % len(kinds)], tier=tiers[i % len(tiers)])
        services = [make.service(a) for _ in range(services_each)]
        state = ("verified", "submitted", "draft", None)[i % 4]
        if state:
            make.submission(a, YEAR, state, levels={s.id: j % 4 for j, s in enumerate(services)})


def _statements(db, basis):
    engine = db.get_bind()
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        computed = compute_targets(db, YEAR, basis)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(computed) == len(SHIPPED)
    return len(seen)


def test_statement_count_does_not_depend_on_the_registry_size(db, make):
    _grow(db, make, agencies=5, services_each=2)
    db.commit()
    small = {basis: _statements(db, basis) for basis in BASES}
    _grow(db, make, agencies=35, services_each=5)
    db.commit()
    large = {basis: _statements(db, basis) for basis in BASES}
    assert small == large
    assert all(n <= 40 for n in large.values()), large
