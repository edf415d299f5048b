"""No lost edits (SPEC §8.4): each save is kept as a version, and a save made from an older
version changes only what its editor changed, keeps the others' changes and stops on a
field both changed differently, writing nothing."""

import pytest
from sqlmodel import select

from registry.core.errors import Conflict
from registry.models import AuditEvent, ServiceStatus, State, SubmissionChange
from registry.submissions import versions, workflow
from registry.submissions.entries import EditConflict, load_entries, save
from tests.factories import FULL_REPORT, as_actor


@pytest.fixture
def setup(db, make):
    agency = make.agency(code="so-tp")
    service = make.service(agency, code="1.001")
    make.period(2015)
    focal = as_actor(make.user("focal", agency))
    return agency, service, focal


def doc(db, agency):
    db.expire_all()
    return load_entries(db, agency, 2015).as_document()


def put(db, agency, focal, version, report=None, services=None):
    submission = save(db, agency, 2015, focal, version, report, services)
    db.commit()
    return submission


def test_each_save_is_kept_and_any_version_can_be_read_back(db, setup):
    agency, service, focal = setup
    put(db, agency, focal, 0, {"staff_total": 10})
    submission = put(db, agency, focal, 2, {"staff_total": 11, "has_lan": True},
                     [{"code": "1.001", "level": 1, "info_url": "https://a.example/1"}])
    put(db, agency, focal, 3, None, [{"code": "1.001", "note": "ghi chú"}])
    assert submission.version == 4
    assert [c.version for c in db.exec(select(SubmissionChange).order_by(SubmissionChange.version))] == [2, 3, 4]
    at = {v: versions.values_at(db, submission, v) for v in range(5)}
    assert at[0][0]["staff_total"] is None and at[0][1].get(service.id, versions.DEFAULT_STATUS) == \
        versions.DEFAULT_STATUS
    assert at[2][0]["staff_total"] == 10 and at[2][1].get(service.id, versions.DEFAULT_STATUS)["level"] == 0
    assert at[3][0] == {**at[2][0], "staff_total": 11, "has_lan": True}
    assert at[3][1][service.id] == {**versions.DEFAULT_STATUS, "level": 1, "info_url": "https://a.example/1"}
    assert at[4][1][service.id]["note"] == "ghi chú" and at[3][1][service.id]["note"] is None


def test_a_transition_moves_the_version_but_not_the_values(db, setup, make):
    agency, service, focal = setup
    submission = put(db, agency, focal, 0, FULL_REPORT)
    workflow.submit(db, submission, focal)
    workflow.return_(db, submission, as_actor(make.user("auditor")), "Thiếu")
    db.commit()
    assert versions.values_at(db, submission, 2) == versions.current_values(db, submission)


def test_changes_the_other_editor_made_are_kept(db, setup):
    agency, service, focal = setup
    put(db, agency, focal, 0, FULL_REPORT, [{"code": "1.001", "level": 1, "info_url": "https://a.example/1"}])
    read = doc(db, agency)
    # A: a note and a level
    put(db, agency, focal, read["version"], None, [{"code": "1.001", "level": 2, "note": "của A",
                                                      "form_url": "https://a.example/f"}])
    # B sends back the whole document as read, with one change of its own
    mine = {**read["report"], "staff_total": 41}
    put(db, agency, focal, read["version"], mine, [{k: v for k, v in s.items()} for s in read["services"]])
    now = doc(db, agency)
    assert now["report"]["staff_total"] == 41
    assert now["services"][0] | {} == {"code": "1.001", "level": 2, "info_url": "https://a.example/1",
                                       "form_url": "https://a.example/f", "submission_url": None, "payment_url": None,
                                       "note": "của A"}


def test_a_field_both_changed_differently_is_a_conflict_and_nothing_is_written(db, setup):
    agency, service, focal = setup
    put(db, agency, focal, 0, FULL_REPORT, [{"code": "1.001", "level": 1, "info_url": "https://a.example/1"}])
    read = doc(db, agency)
    put(db, agency, focal, read["version"], {"staff_total": 50}, [{"code": "1.001", "note": "A"}])
    events = db.exec(select(AuditEvent)).all()
    before = doc(db, agency)
    with pytest.raises(EditConflict) as excinfo:
        save(db, agency, 2015, focal, read["version"], {"staff_total": 60, "has_lan": False},
             [{"code": "1.001", "note": "B", "level": 0}])
    db.rollback()
    error = excinfo.value
    assert error.status == 409
    assert sorted(error.extra["conflicts"], key=lambda c: c["field"]) == [
        {"field": "report.staff_total", "base": 40, "theirs": 50, "yours": 60},
        {"field": "services.1.001.note", "base": None, "theirs": "A", "yours": "B"},
    ]
    assert set(error.fields) == {"report.staff_total", "services.1.001.note"}
    assert error.kept == {"report.has_lan", "services.1.001.level"}  # would have merged cleanly
    assert doc(db, agency) == before and db.exec(select(AuditEvent)).all() == events


def test_the_same_change_by_both_is_no_conflict(db, setup):
    agency, service, focal = setup
    put(db, agency, focal, 0, {"staff_total": 10})
    put(db, agency, focal, 2, {"staff_total": 12})
    submission = put(db, agency, focal, 2, {"staff_total": 12})
    assert submission.version == 3  # nothing left to write


def test_a_save_from_before_the_draft_existed_merges_with_it(db, setup):
    agency, service, focal = setup
    put(db, agency, focal, 0, {"staff_total": 10})
    put(db, agency, focal, 0, {"has_lan": True})
    assert (doc(db, agency)["report"]["staff_total"], doc(db, agency)["report"]["has_lan"]) == (10, True)
    with pytest.raises(EditConflict):
        save(db, agency, 2015, focal, 0, {"staff_total": 11}, None)


@pytest.mark.parametrize("version", [-1, 99])
def test_a_version_that_never_was_is_a_conflict(db, setup, version):
    agency, service, focal = setup
    put(db, agency, focal, 0, {"staff_total": 10})
    with pytest.raises(Conflict):
        save(db, agency, 2015, focal, version, {"staff_total": 11}, None)


def test_before_the_kept_history_every_difference_is_a_conflict(db, setup):
    """A submission saved before versions were kept starts its history at a marker; a save
    from an older version cannot be merged blind, so whatever differs must be chosen."""
    agency, service, focal = setup
    submission = put(db, agency, focal, 0, {"staff_total": 10, "has_lan": True})
    for row in db.exec(select(SubmissionChange)):  # as the upgrade leaves a submission saved before it
        db.delete(row)
    db.flush()
    db.add(SubmissionChange(submission_id=submission.id, version=submission.version, changes=None))
    db.commit()
    with pytest.raises(EditConflict) as excinfo:
        save(db, agency, 2015, focal, 1, {"staff_total": 11, "has_lan": True}, None)
    assert excinfo.value.extra["conflicts"] == [
        {"field": "report.staff_total", "base": None, "theirs": 10, "yours": 11}]
    db.rollback()
    put(db, agency, focal, submission.version, {"staff_total": 11})  # from the marked version on, as usual
    assert doc(db, agency)["report"]["staff_total"] == 11


def test_a_submitted_report_is_not_saved_even_without_conflicts(db, setup):
    agency, service, focal = setup
    submission = put(db, agency, focal, 0, FULL_REPORT)
    workflow.submit(db, submission, focal)
    db.commit()
    with pytest.raises(Conflict):
        save(db, agency, 2015, focal, submission.version, {"staff_total": 1}, None)
    assert db.exec(select(ServiceStatus)).all() == [] and submission.state == State.submitted.value
