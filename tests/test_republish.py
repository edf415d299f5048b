"""A change of the registry's counting rules republishes the closed periods (SPEC §8.1): each
closed period published under older rules, or closed before publication existed (its
figures never stored), is published again by `registry init` as one correction with the
reason "cách tính theo đặc tả phiên bản 2"; nothing else is touched, and twice is once."""

from click.testing import CliRunner
from sqlmodel import Session, select

from registry.models import AuditEvent, PublishedPart
from registry.submissions import periods
from registry.targets import publication
from registry.targets.engine import compute_targets
from tests.factories import TEST_ACTOR, Factory

REASON = "cách tính theo đặc tả phiên bản 2"


def two_closed_periods(make: Factory):
    """2013 closed the old way (nothing published, as before publication existed); 2014 closed
    and published now; 2015 open."""
    agency = make.agency(code="so-tttt", tier="province", kind="department")
    services = [make.service(agency, code=f"1.00{n}") for n in range(4)]
    for year, at_level_1 in ((2013, 1), (2014, 2), (2015, 3)):
        make.submission(agency, year, levels={s.id: 1 for s in services[:at_level_1]})
    make.period(2013, "closed")  # the status only: what a period closed before publication has
    periods.close_period(make.session, TEST_ACTOR, make.period(2014))
    make.session.commit()
    return agency, services


def level1(session, year: int) -> dict:
    return next(r for r in compute_targets(session, year, "verified") if r.target.code == "services_level1_pct")


def test_a_period_closed_before_publication_is_published_as_one_correction(db, make):
    two_closed_periods(make)
    assert [(p.year, rules) for p, rules in publication.outdated_periods(db)] == [(2013, None)]
    expected = level1(db, 2013)
    done = periods.republish_outdated(db, TEST_ACTOR)
    db.commit()
    assert [p.year for p in done] == [2013]
    [correction] = publication.corrections(db, 2013)
    assert correction["reason"] == REASON
    changes = {(c["code"], c["field"]): c for c in correction["changes"]}
    numerator = changes[("services_level1_pct", "numerator")]
    assert numerator["before"] is None and numerator["after"] == expected.numerator == 1
    assert changes[("services_level1_pct", "denominator")]["after"] == 4
    assert all(c["kind"] == "target" and c["before"] is None for c in correction["changes"])
    assert publication.counted_under(publication.published_part(db, 2013, "verified", "targets")) == 2
    assert publication.corrections(db, 2014) == []  # published under these rules: untouched
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "period.republish")).one()
    assert (event.entity_key, event.comment, event.after["rules"]) == ("2013", REASON, 2)
    # twice is once
    assert periods.republish_outdated(db, TEST_ACTOR) == []
    assert len(publication.corrections(db, 2013)) == 1


def test_figures_counted_under_older_rules_are_corrected_where_they_differ(db, make):
    two_closed_periods(make)
    periods.republish_outdated(db, TEST_ACTOR)
    part = db.get(PublishedPart, (2014, "verified", "targets"))
    old = {**part.payload, "rules": 1}  # as an older release would have counted 2014
    old["results"] = [{**item, "numerator": item["numerator"] + 1} if item["target"]["code"] == "services_level1_pct"
                      else item for item in old["results"]]
    part.payload = old
    db.commit()
    assert [(p.year, rules) for p, rules in publication.outdated_periods(db)] == [(2014, 1)]
    periods.republish_outdated(db, TEST_ACTOR)
    db.commit()
    [correction] = publication.corrections(db, 2014)
    assert correction["reason"] == REASON
    figures = {(c["code"], c["field"]): (c["before"], c["after"]) for c in correction["changes"]}
    assert figures[("services_level1_pct", "numerator")] == (3, 2)
    assert ("services_level2_pct", "numerator") not in figures  # what did not change is not listed


def test_the_public_reads_the_correction(client, db, make):
    two_closed_periods(make)
    periods.republish_outdated(db, TEST_ACTOR)
    db.commit()
    body = client.get("/api/v1/targets?period=2013").get_json()
    assert [c["reason"] for c in body["corrections"]] == [REASON]
    page = client.get("/targets/services_level1_pct?period=2013").get_data(as_text=True)
    assert REASON in page


def test_registry_init_republishes_after_an_upgrade(tmp_path, monkeypatch):
    from registry.cli import main
    from registry.core.db import make_engine

    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        two_closed_periods(Factory(session))
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    assert "2013" in first.output and REASON in first.output
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 0 and "2013" not in again.output
    english = runner.invoke(main, ["--lang", "en", "init"])
    assert english.exit_code == 0
    with Session(engine) as session:
        assert len(publication.corrections(session, 2013)) == 1
    engine.dispose()
