"""Submission workflow (SPEC §2) without HTTP: transitions, versions, verified copies."""

import pytest
from sqlmodel import select

from registry.core.errors import Conflict, ValidationFailed
from registry.models import AuditEvent, PeriodStatus, ReportingPeriod, State, VerifiedCopy, VerifiedServiceStatus
from registry.submissions import workflow

FULL_REPORT = dict(has_lan=True, wan_connected=True, broadband_internet=True, official_email=True,
                   staff_total=40, staff_with_computer=38, staff_with_email=30, documents_total=1000,
                   documents_online=900, exchanges_online=True, legal_docs_online=True,
                   specialised_database=False)


@pytest.fixture
def setup(db, make_agency, make_service, make_user):
    agency = make_agency()
    service = make_service(agency)
    focal = make_user("focal", agency)
    auditor = make_user("auditor")
    submission = workflow.ensure_submission(db, agency, 2015, focal)
    db.commit()
    return agency, service, focal, auditor, submission


def test_save_submit_verify(db, setup):
    agency, service, focal, auditor, submission = setup
    assert submission.state == State.draft.value and submission.version == 1
    workflow.save_draft(db, submission, focal, 1, FULL_REPORT,
                        {service.id: {"level": 1, "info_url": "https://dvc.example/1"}})
    assert submission.version == 2
    workflow.submit(db, submission, focal, 2)
    assert submission.state == State.submitted.value
    copy = workflow.verify(db, submission, auditor)
    assert submission.state == State.verified.value
    assert submission.verified_sequence == copy.sequence == 1
    assert copy.staff_total == 40
    statuses = db.exec(select(VerifiedServiceStatus).where(VerifiedServiceStatus.copy_id == copy.id)).all()
    assert [(s.service_id, s.level) for s in statuses] == [(service.id, 1)]
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["submission.submit", "submission.verify"]
    assert {"report.update", "service_status.update", "submission.submit", "submission.verify"} <= set(actions)


def test_stale_version_is_refused_and_nothing_written(db, setup):
    agency, service, focal, auditor, submission = setup
    workflow.save_draft(db, submission, focal, 1, {"staff_total": 10})
    with pytest.raises(Conflict):
        workflow.save_draft(db, submission, focal, 1, {"staff_total": 99})
    assert submission.staff_total == 10


def test_submit_lists_what_is_missing(db, setup):
    agency, service, focal, auditor, submission = setup
    workflow.save_draft(db, submission, focal, None, {"staff_total": 10},
                        {service.id: {"level": 0}})
    with pytest.raises(ValidationFailed) as excinfo:
        workflow.submit(db, submission, focal)
    assert set(excinfo.value.fields) == set(FULL_REPORT) - {"staff_total"}
    assert submission.state == State.draft.value


def test_evidence_is_required_for_the_level(db, setup):
    agency, service, focal, auditor, submission = setup
    with pytest.raises(ValidationFailed) as excinfo:
        workflow.save_draft(db, submission, focal, None, None,
                            {service.id: {"level": 3, "info_url": "https://dvc.example/1"}})
    assert set(excinfo.value.fields) == {f"{service.code}.form_url", f"{service.code}.submission_url"}


def test_counts_may_not_exceed_their_total(db, setup):
    agency, service, focal, auditor, submission = setup
    with pytest.raises(ValidationFailed) as excinfo:
        workflow.save_draft(db, submission, focal, None, {"staff_total": 10, "staff_with_email": 11})
    assert "staff_with_email" in excinfo.value.fields


def test_verified_is_immutable_until_reopened_and_old_copy_stays(db, setup):
    agency, service, focal, auditor, submission = setup
    workflow.save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    with pytest.raises(Conflict):
        workflow.save_draft(db, submission, focal, None, {"staff_total": 41})
    with pytest.raises(ValidationFailed):
        workflow.reopen(db, submission, auditor, "  ")
    workflow.reopen(db, submission, auditor, "Sai số cán bộ")
    assert submission.state == State.draft.value
    workflow.save_draft(db, submission, focal, None, {"staff_total": 41})
    # the verified copy still says what was verified
    assert workflow.last_verified_copy(db, submission).staff_total == 40
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    copies = db.exec(select(VerifiedCopy).order_by(VerifiedCopy.sequence)).all()
    assert [(c.sequence, c.staff_total) for c in copies] == [(1, 40), (2, 41)]


def test_return_needs_a_comment_and_allows_editing(db, setup):
    agency, service, focal, auditor, submission = setup
    workflow.save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    with pytest.raises(ValidationFailed):
        workflow.return_(db, submission, auditor, "")
    workflow.return_(db, submission, auditor, "Thiếu minh chứng")
    assert submission.state == State.returned.value
    workflow.save_draft(db, submission, focal, None, {"staff_total": 45})
    workflow.submit(db, submission, focal)
    assert submission.state == State.submitted.value
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "submission.return")).one()
    assert event.comment == "Thiếu minh chứng"


@pytest.mark.parametrize("action", ["verify", "return", "reopen"])
def test_transitions_from_draft_are_refused(db, setup, action):
    agency, service, focal, auditor, submission = setup
    operation = {"verify": lambda: workflow.verify(db, submission, auditor),
                 "return": lambda: workflow.return_(db, submission, auditor, "x"),
                 "reopen": lambda: workflow.reopen(db, submission, auditor, "x")}[action]
    with pytest.raises(Conflict):
        operation()
    assert submission.state == State.draft.value


def test_closed_period_is_read_only(db, setup):
    agency, service, focal, auditor, submission = setup
    db.get(ReportingPeriod, 2015).status = PeriodStatus.closed.value
    with pytest.raises(Conflict):
        workflow.save_draft(db, submission, focal, None, {"staff_total": 1})


def test_reopen_is_refused_in_a_closed_period(db, setup):
    agency, service, focal, auditor, submission = setup
    workflow.save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    db.get(ReportingPeriod, 2015).status = PeriodStatus.closed.value
    with pytest.raises(Conflict):
        workflow.reopen(db, submission, auditor, "Sửa số liệu cũ")
    assert submission.state == State.verified.value
