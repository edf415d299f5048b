"""`registry targets` and `registry ranking` answered from what the registry shares, through
the database's own driver (registry/targets/shared.py, registry/rankings/shared.py): the same
output as the full way, never stale, and without SQLAlchemy, on both engines."""

import json
import os
import subprocess
import sys

import pytest
from sqlmodel import Session

from registry.core import generations
from registry.rankings import ranking as rankings
from registry.rankings.shared import kept_ranking
from registry.submissions import workflow
from registry.targets import cache as target_cache
from registry.targets.shared import kept_results
from registry.web.db import get_engine
from tests.factories import TEST_ACTOR
from tests.test_rankings import build_province

YEAR = 2015


def share_results(app, basis="verified"):
    """What a page or the full command does: compute in a reading session, which shares them."""
    with app.app_context():
        engine = get_engine()
    target_cache.clear_memo()
    with Session(engine) as reader:
        return target_cache.target_results(generations.only_reads(reader), YEAR, basis)


def verified_world(make):
    agency = make.agency(code="so-tttt", tier="province", kind="department")
    services = [make.service(agency, code=f"1.00{n}") for n in range(4)]
    make.submission(agency, YEAR, "verified", levels={services[0].id: 1, services[1].id: 2})
    make.session.commit()
    return agency, services


def test_kept_results_are_the_shared_ones(app, make):
    verified_world(make)
    url = app.config["DATABASE_URL"]
    assert kept_results(url, YEAR, "verified") is None  # nothing shared yet: the full way computes
    for basis in ("verified", "reported"):
        shared = share_results(app, basis)
        kept = kept_results(url, YEAR, basis)
        assert kept is not None
        assert [r.as_dict("en") for r in kept] == [r.as_dict("en") for r in shared]
        assert [r.status for r in kept] == [r.status for r in shared]
        level1 = next(r for r in kept if r.target.code == "services_level1_pct")
        assert (level1.numerator, level1.denominator) == (2, 4)


def test_a_change_makes_the_kept_results_unusable(app, make):
    agency, _services = verified_world(make)
    url = app.config["DATABASE_URL"]
    share_results(app)
    assert kept_results(url, YEAR, "verified") is not None
    make.service(agency, code="1.009")  # one more service: every period's figures may change
    make.session.commit()
    assert kept_results(url, YEAR, "verified") is None
    fresh = share_results(app)
    kept = kept_results(url, YEAR, "verified")
    level1 = next(r for r in kept if r.target.code == "services_level1_pct")
    assert level1.denominator == 5
    assert [r.as_dict() for r in kept] == [r.as_dict() for r in fresh]


def test_nothing_is_answered_for_what_it_cannot_tell(app, make, tmp_path):
    verified_world(make)
    share_results(app)
    url = app.config["DATABASE_URL"]
    assert kept_results(url, YEAR + 1, "verified") is None  # no such period
    assert kept_results(url, YEAR, "everything") is None
    missing = tmp_path / "nowhere.db"
    assert kept_results(f"sqlite:///{missing}", YEAR, "verified") is None
    assert not missing.exists()  # read-only: never creates a database
    assert kept_results("sqlite://", YEAR, "verified") is None
    assert kept_results("mysql://localhost/registry", YEAR, "verified") is None


def test_the_command_answers_the_same_either_way(app, make, runner):
    verified_world(make)
    full = runner.invoke(args=["targets", "--period", str(YEAR)])  # computes and shares
    assert full.exit_code == 0, full.output
    assert kept_results(app.config["DATABASE_URL"], YEAR, "verified") is not None
    shared = runner.invoke(args=["targets", "--period", str(YEAR)])
    assert shared.exit_code == 0, shared.output
    assert shared.output == full.output
    english = runner.invoke(args=["--lang", "en", "targets", "--period", str(YEAR)])
    assert "services_level1_pct" in english.output and "50.0%" in english.output
    missing = runner.invoke(args=["targets", "--period", "2031"])
    assert missing.exit_code != 0 and "2031" in missing.output


HEAVY = ("sqlalchemy", "sqlmodel", "flask")


def run_apart(app, tmp_path, args: list[str]) -> tuple[str, list[str]]:
    """``registry ARGS`` in a process of its own: its output, and the heavy modules it imported."""
    script = ("import sys\nfrom registry.cli import main\n"
              f"try:\n    main({args!r})\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}"
              " or m.startswith('registry.models'))\nprint('HEAVY', heavy)\n")
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output, _, heavy = done.stdout.rpartition("HEAVY ")
    return output, eval(heavy)  # nosec B307: our own script's printed list


def test_the_shared_answers_import_no_sqlalchemy(app, make, runner, tmp_path):
    """The point of the shared answers: start-up without SQLAlchemy, SQLModel or the tables."""
    verified_world(make)
    assert runner.invoke(args=["targets", "--period", str(YEAR)]).exit_code == 0
    assert runner.invoke(args=["ranking", "--period", str(YEAR)]).exit_code == 0
    output, heavy = run_apart(app, tmp_path, ["targets", "--period", str(YEAR)])
    assert "services_level1_pct" in output and heavy == []
    output, heavy = run_apart(app, tmp_path, ["ranking", "--period", str(YEAR)])
    assert "so-tttt" in output and heavy == []


# --- the ranking -----------------------------------------------------------------------------

@pytest.fixture
def province(make):
    """test_rankings.py's registry: ties, a group of one, an agency not assessed."""
    return build_province(make)


def test_the_ranking_is_kept_by_the_command_in_both_languages(app, db, runner, province):
    url = app.config["DATABASE_URL"]
    assert kept_ranking(url, 2014, "vi") is None
    computed = {lang: runner.invoke(args=["--lang", lang, "ranking", "--period", "2014"]) for lang in ("vi", "en")}
    for lang in ("vi", "en"):
        assert computed[lang].exit_code == 0, computed[lang].output
        kept = kept_ranking(url, 2014, lang)
        assert kept == rankings.compute_ranking(db, 2014).as_dict(lang)
        again = runner.invoke(args=["--lang", lang, "ranking", "--period", "2014"])
        assert again.output == computed[lang].output
    as_json = runner.invoke(args=["ranking", "--period", "2014", "--json"])
    assert json.loads(as_json.output) == kept_ranking(url, 2014, "vi")
    assert "155,5" in computed["vi"].output and "155.5" in computed["en"].output
    assert kept_ranking(url, 2013, "vi") is None  # each period is kept when asked for


def test_a_verification_makes_the_kept_ranking_unusable(app, db, make, runner, province):
    url = app.config["DATABASE_URL"]
    before = runner.invoke(args=["ranking", "--period", "2014"]).output
    assert kept_ranking(url, 2014, "vi") is not None
    _a, _b, _c, d, _e, _school = province
    workflow.verify(db, workflow.find_submission(db, d, 2014), TEST_ACTOR)  # Sở D was not assessed; now it is
    db.commit()
    assert kept_ranking(url, 2014, "vi") is None
    after = runner.invoke(args=["ranking", "--period", "2014"]).output
    assert after != before
    assert [line for line in after.splitlines() if "so-d" in line] != [
        line for line in before.splitlines() if "so-d" in line]
    assert "chưa đánh giá" not in next(line for line in after.splitlines() if "so-d" in line)
    assert kept_ranking(url, 2014, "vi") == rankings.compute_ranking(db, 2014).as_dict("vi")


def test_a_session_that_wrote_keeps_nothing(app, db, make, province):
    _a, _b, _c, d, _e, _school = province
    db.add(d)
    d.name = "Sở D (mới)"
    db.flush()  # not committed: no other process may see what this transaction sees
    generations.only_reads(db)
    rankings.share_ranking(db, 2014)
    db.rollback()
    assert kept_ranking(app.config["DATABASE_URL"], 2014, "vi") is None
