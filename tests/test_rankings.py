"""Scorecards and the ranking (SPEC §3c, §8.7), computed by hand.

2014, by the shipped 200-point method:
* Sở A and Sở B: the full report (LAN, WAN, broadband 30; computers 38/40 → 28.5; e-mail box 10;
  staff e-mail 30/40 → 15; documents 900/1000 → 27; legal documents and exchanges 20; no
  database 0) and two services at levels 3 and 1 (≥1: 2/2 → 10; ≥2: 1/2 → 7.5; ≥3: 1/2 → 7.5):
  155.5, Khá; equal, so both first.
* Sở C: a LAN only, no staff, no documents, no services: zero denominators score 0: 10, Thấp, third.
* Sở D: submitted, never verified: not assessed, no rank, never 0.
* UBND huyện E, alone in its group: full flags, 1 of 3 staff on a computer (10), 2 of 3 with
  e-mail (40/3), documents 27, no services: 331/3 = 110.3, Trung bình, first.
* A school: the full report, no services: 130.5, scored, not ranked.
2013 (closed): Sở A had the LAN and one of two services at level 1 (10 + 5), Sở C the full report without services.
"""

from fractions import Fraction

import pytest
from sqlmodel import select

from registry.models import RankingMethod
from registry.rankings import ranking as rankings
from registry.rankings.method import DEFAULT, edited_document, method_for, parse, save_method
from registry.rankings.ranking import competition_ranks, compute_ranking
from tests.factories import TEST_ACTOR, full_report

NOTHING = dict(has_lan=True, wan_connected=False, broadband_internet=False, internet_connected=False,
               official_email=False, staff_total=0, staff_with_computer=0, staff_with_email=0,
               computer_staff_with_email=0, documents_total=0, documents_online=0,
               exchanges_online=False, legal_docs_online=False, specialised_database=False)


def build_province(make):
    """The registry of this module's docstring."""
    a = make.agency(code="so-a", name="Sở A")
    b = make.agency(code="so-b", name="Sở B")
    c = make.agency(code="so-c", name="Sở C")
    d = make.agency(code="so-d", name="Sở D")
    e = make.agency(code="ubnd-e", name="UBND huyện E", tier="district", kind="people_committee")
    school = make.agency(code="truong-f", name="Trường F", tier="district", kind="school", parent=e)
    services = {}
    for agency in (a, b):
        services[agency.code] = [make.service(agency), make.service(agency)]
    make.submission(a, 2013, report=NOTHING, levels={services["so-a"][0].id: 1})
    make.submission(c, 2013, report=full_report())
    make.period(2013, "closed")
    for agency in (a, b):
        s1, s2 = services[agency.code]
        make.submission(agency, 2014, levels={s1.id: 3, s2.id: 1})
    make.submission(c, 2014, report=NOTHING)
    make.submission(d, 2014, "submitted")
    make.submission(e, 2014, report=full_report(staff_total=3, staff_with_computer=1, staff_with_email=2))
    make.submission(school, 2014)
    return a, b, c, d, e, school


@pytest.fixture
def province(make):
    return build_province(make)


def test_the_ranking_by_hand(db, province):
    ranked = compute_ranking(db, 2014)
    assert ranked.provisional and ranked.previous_period == 2013
    rows = {e.card.agency.code: e for e in ranked.entries}
    assert rows["so-a"].card.score == Fraction(311, 2) and rows["so-b"].card.score == Fraction(311, 2)
    assert [(e.card.agency.code, e.rank) for e in ranked.group_entries("departments")] == [
        ("so-a", 1), ("so-b", 1), ("so-c", 3), ("so-d", None)]
    assert rows["so-a"].card.band.code == "good" and rows["so-c"].card.band.code == "low"
    assert rows["so-c"].card.score == 10
    assert rows["so-d"].card.score is None and rows["so-d"].card.band is None
    assert rows["ubnd-e"].card.score == Fraction(331, 3) and rows["ubnd-e"].rank == 1
    assert rows["ubnd-e"].card.band.code == "average"
    assert rows["truong-f"].group is None and rows["truong-f"].rank is None and rows["truong-f"].card.score == Fraction(261, 2)
    # movement since 2013: A rose from second (15) to first; C fell from first to third
    assert rows["so-a"].previous.rank == 2 and rows["so-a"].movement == 1
    assert rows["so-c"].previous.rank == 1 and rows["so-c"].movement == -2
    assert rows["so-a"].change == Fraction(311, 2) - 15
    assert rows["so-b"].movement is None  # not assessed in 2013


def test_a_period_is_ranked_on_what_was_valid_in_it(db, make, province):
    """Rule 2: a service closed after 2014 still counts in 2014's scorecard, one added later
    does not, and an agency dissolved since is still ranked in 2014; 2015 sees neither."""
    a, b = province[0], province[1]
    make.service(a, code="a-later", valid_from=2015)
    make.service(b, code="b-closed", active=False, valid_to=2014)
    gone = make.agency(code="so-g", name="Sở G", active=False, valid_to=2014)
    make.submission(gone, 2014)
    ranked = compute_ranking(db, 2014)
    assert ranked.entry("so-a").card.as_dict()["services"]["total"] == 2  # not the one of 2015
    assert ranked.entry("so-b").card.as_dict()["services"]["total"] == 3  # the closed one counted, at level 0
    assert ranked.entry("so-g").rank is not None
    later = compute_ranking(db, 2015)
    assert later.entry("so-g") is None and later.entry("so-a").card.as_dict()["services"]["total"] == 3
    assert later.entry("so-b").card.as_dict()["services"]["total"] == 2


def test_scorecard_lines_flag_zero_denominators(db, province):
    card = compute_ranking(db, 2014).entry("so-c").card
    flags = {line.criterion.code: line.flag for line in card.lines}
    assert flags["staff_with_computer"] == "zero_denominator"
    assert flags["documents_online"] == "zero_denominator"
    assert flags["services_level1"] == "zero_denominator"
    assert flags["has_lan"] is None
    body = card.as_dict()
    assert body["score"] == 10.0 and body["score_exact"] == "10" and body["grade"]["title"] == "Thấp"
    e = compute_ranking(db, 2014).entry("ubnd-e").card.as_dict("en")
    assert e["score"] == 110.3 and e["score_exact"] == "331/3" and e["grade"]["title"] == "Average"
    email = next(c for c in e["criteria"] if c["code"] == "staff_with_email")
    assert (email["numerator"], email["denominator"], email["ratio"], email["points"]) == (2, 3, 66.7, 13.3)


def test_the_services_by_level(db, province):
    card = compute_ranking(db, 2014).entry("so-a").card.as_dict()
    assert card["services"]["total"] == 2
    assert card["services"]["by_level"] == {"0": 0, "1": 1, "2": 0, "3": 1, "4": 0}


def test_equal_scores_share_a_rank_and_the_next_skips():
    assert competition_ranks([Fraction(9), Fraction(9), Fraction(7), Fraction(7), Fraction(1)]) == [1, 1, 3, 3, 5]
    assert competition_ranks([]) == []


def test_grades_come_from_the_exact_score():
    assert DEFAULT.band(Fraction(150)).code == "good"
    assert DEFAULT.band(Fraction(1499, 10)).code == "average"
    assert DEFAULT.band(Fraction(100)).code == "average"
    assert DEFAULT.band(Fraction(999999, 10000)).code == "low"
    assert DEFAULT.maximum == 200


def test_the_contributions_sum_to_the_targets(db, province):
    from registry.targets.engine import compute_targets

    results = compute_targets(db, 2014, "verified")
    ranked = compute_ranking(db, 2014)
    for result in results:
        parts = [ranked.contributions([result.target], a)[0] for a in ranked.figures.values()]
        assert {(p.province_numerator, p.province_denominator) for p in parts} == {
            (sum(p.numerator for p in parts), sum(p.denominator for p in parts))}
        if result.target.formula.startswith("service"):
            assert sum(p.denominator for p in parts) == result.denominator
            if result.target.unit == "percent":
                assert sum(p.numerator for p in parts) == result.numerator
        else:
            assert (sum(p.numerator for p in parts), sum(p.denominator for p in parts)) == (
                result.numerator, result.denominator), result.target.code


def test_a_method_version_applies_from_its_year(db, province):
    document = edited_document(DEFAULT, {"specialised_database": "0"}, {"good": "140"})
    save_method(db, TEST_ACTOR, 2014, document)
    db.commit()
    assert method_for(db, 2013) == DEFAULT
    method = method_for(db, 2014)
    assert method.maximum == 180 and method.band(Fraction(140)).code == "good"
    ranked = compute_ranking(db, 2014)
    assert ranked.entry("ubnd-e").card.score == Fraction(331, 3)  # had no database: unchanged
    assert ranked.entry("so-a").card.band.code == "good"
    assert len(db.exec(select(RankingMethod)).all()) == 1


def test_bad_method_edits_are_refused_and_change_nothing(db, province):
    from registry.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        edited_document(DEFAULT, {"has_lan": "mười"}, {"good": "-1"})
    assert set(refused.value.fields) == {"points-has_lan", "minimum-good"}
    with pytest.raises(ValidationFailed):
        save_method(db, TEST_ACTOR, 2013, DEFAULT.document())  # 2013 is closed
    with pytest.raises(ValidationFailed):
        parse({"criteria": []}, 2014)
    assert len(db.exec(select(RankingMethod)).all()) == 0


def test_the_memo_follows_the_figures(db, make, province):
    first = rankings.ranking(db, 2014)
    assert rankings.ranking(db, 2014) is first
    from registry.models import Submission
    from registry.submissions import workflow

    sub = db.exec(select(Submission).where(Submission.agency_id == province[3].id, Submission.period_year == 2014)).one()
    workflow.verify(db, sub, TEST_ACTOR)
    db.commit()
    again = rankings.ranking(db, 2014)
    assert again is not first and again.entry("so-d").card.score is not None


def test_editing_a_document_leaves_the_method_it_came_from_alone():
    edited_document(DEFAULT, {"has_lan": "0"}, {"good": "1"})
    assert DEFAULT.criteria[0].points == 10 and DEFAULT.bands[0].minimum == 150


def test_each_target_broken_down_by_agency_sums_to_the_province(db, province):
    from registry.rankings.breakdown import breakdown
    from registry.targets.engine import compute_targets

    ranked = compute_ranking(db, 2014)
    for result in compute_targets(db, 2014, "verified"):
        split = breakdown(ranked, result.target)
        assert split.denominator == result.denominator, result.target.code
        if result.target.unit == "percent":
            assert split.numerator == result.numerator, result.target.code
        missing = [r.missing for r in split.rows]
        assert missing == sorted(missing, reverse=True)
    documents = breakdown(ranked, next(r.target for r in compute_targets(db, 2014)
                                       if r.target.code == "documents_online_pct"))
    # its scope is the district tier's state agencies and the province's people's committee: E alone here
    assert [(r.agency.code, r.numerator, r.denominator, r.missing, r.meets) for r in documents.rows] == [
        ("ubnd-e", 900, 1000, 100, True)]
