"""Submission workflow (SPEC §2) without HTTP: transitions, versions, verified copies."""

import pytest
from sqlmodel import select

from registry.core.errors import Conflict, ValidationFailed
from registry.models import AuditEvent, PeriodStatus, ReportingPeriod, State, VerifiedCopy, VerifiedServiceStatus
from registry.submissions import workflow
from tests.factories import FULL_REPORT, TEST_ACTOR, as_actor, status


def save_draft(db, submission, actor, version, report=None, services=None) -> bool:
    """A focal point's save: only while editable, and only from the version read."""
    workflow.check_editable(db, submission.period_year, submission)
    workflow.check_version(submission, version)
    return workflow.write_entries(db, submission, actor, report, services)


@pytest.fixture
def setup(db, make):
    agency = make.agency()
    service = make.service(agency)
    focal = as_actor(make.user("focal", agency))
    auditor = as_actor(make.user("auditor"))
    submission = make.submission(agency, 2015, State.draft.value, report={}, focal=focal)
    return agency, service, focal, auditor, submission


def test_save_submit_verify(db, setup):
    agency, service, focal, auditor, submission = setup
    assert submission.state == State.draft.value and submission.version == 1
    save_draft(db, submission, focal, 1, FULL_REPORT, {service.id: status(1, service.code)})
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
    save_draft(db, submission, focal, 1, {"staff_total": 10})
    with pytest.raises(Conflict):
        save_draft(db, submission, focal, 1, {"staff_total": 99})
    assert submission.staff_total == 10


def test_submit_lists_what_is_missing(db, setup):
    agency, service, focal, auditor, submission = setup
    save_draft(db, submission, focal, None, {"staff_total": 10}, {service.id: status(0)})
    with pytest.raises(ValidationFailed) as excinfo:
        workflow.submit(db, submission, focal)
    assert set(excinfo.value.fields) == set(FULL_REPORT) - {"staff_total"}
    assert submission.state == State.draft.value


def test_evidence_is_required_for_the_level(db, setup):
    agency, service, focal, auditor, submission = setup
    with pytest.raises(ValidationFailed) as excinfo:
        save_draft(db, submission, focal, None, None,
                   {service.id: {"level": 3, "info_url": "https://dvc.example/1"}})
    assert set(excinfo.value.fields) == {f"{service.code}.form_url", f"{service.code}.submission_url"}


def test_counts_may_not_exceed_their_total(db, setup):
    agency, service, focal, auditor, submission = setup
    with pytest.raises(ValidationFailed) as excinfo:
        save_draft(db, submission, focal, None, {"staff_total": 10, "staff_with_email": 11})
    assert "staff_with_email" in excinfo.value.fields


def test_verified_is_immutable_until_reopened_and_old_copy_stays(db, setup):
    agency, service, focal, auditor, submission = setup
    save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    with pytest.raises(Conflict):
        save_draft(db, submission, focal, None, {"staff_total": 41})
    with pytest.raises(ValidationFailed):
        workflow.reopen(db, submission, auditor, "  ")
    workflow.reopen(db, submission, auditor, "Sai số cán bộ")
    assert submission.state == State.draft.value
    save_draft(db, submission, focal, None, {"staff_total": 41})
    # the verified copy still says what was verified
    assert workflow.last_verified_copy(db, submission).staff_total == 40
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    copies = db.exec(select(VerifiedCopy).order_by(VerifiedCopy.sequence)).all()
    assert [(c.sequence, c.staff_total) for c in copies] == [(1, 40), (2, 41)]


def test_return_needs_a_comment_and_allows_editing(db, setup):
    agency, service, focal, auditor, submission = setup
    save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    with pytest.raises(ValidationFailed):
        workflow.return_(db, submission, auditor, "")
    workflow.return_(db, submission, auditor, "Thiếu minh chứng")
    assert submission.state == State.returned.value
    save_draft(db, submission, focal, None, {"staff_total": 45})
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
    with pytest.raises(Conflict) as excinfo:
        operation()
    word = {"verify": "xác minh", "return": "trả lại", "reopen": "mở lại"}[action]
    assert excinfo.value.message == f"Không thể {word} báo cáo đang ở trạng thái «bản nháp»."
    assert submission.state == State.draft.value


def test_closed_period_is_read_only(db, setup):
    agency, service, focal, auditor, submission = setup
    db.get(ReportingPeriod, 2015).status = PeriodStatus.closed.value
    with pytest.raises(Conflict):
        save_draft(db, submission, focal, None, {"staff_total": 1})


@pytest.mark.parametrize("state, action", [
    ("draft", "edit"), ("draft", "submit"), ("submitted", "verify"), ("submitted", "return"), ("verified", "reopen"),
])
def test_a_closed_period_refuses_every_action(db, make, state, action):
    agency = make.agency()
    auditor = as_actor(make.user("auditor"))
    submission = make.submission(agency, 2015, state)
    version = submission.version
    make.period(2015, PeriodStatus.closed.value)
    operation = {"edit": lambda: save_draft(db, submission, TEST_ACTOR, None, {"staff_total": 1}),
                 "submit": lambda: workflow.submit(db, submission, TEST_ACTOR),
                 "verify": lambda: workflow.verify(db, submission, auditor),
                 "return": lambda: workflow.return_(db, submission, auditor, "x"),
                 "reopen": lambda: workflow.reopen(db, submission, auditor, "x")}[action]
    with pytest.raises(Conflict) as excinfo:
        operation()
    assert excinfo.value.message == "Kỳ báo cáo 2015 đã khóa; báo cáo của kỳ này không thể thay đổi."
    assert (submission.state, submission.version) == (state, version)


def test_reopen_is_refused_in_a_closed_period(db, setup):
    agency, service, focal, auditor, submission = setup
    save_draft(db, submission, focal, None, FULL_REPORT)
    workflow.submit(db, submission, focal)
    workflow.verify(db, submission, auditor)
    db.get(ReportingPeriod, 2015).status = PeriodStatus.closed.value
    with pytest.raises(Conflict):
        workflow.reopen(db, submission, auditor, "Sửa số liệu cũ")
    assert submission.state == State.verified.value
