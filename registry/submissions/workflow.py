"""Submission operations: save entries, submit, verify, return, reopen.

Each operation checks its transition and the version the caller read, writes,
and records an audit event. Operations flush; they never commit.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.catalogue.levels import check_evidence
from registry.core.errors import N_, Conflict, DomainError, Msg, ValidationFailed
from registry.core.vocabulary import STATE_LABELS
from registry.mail import outbox
from registry.models import (
    REPORT_FIELDS,
    STATUS_FIELDS,
    Agency,
    PeriodStatus,
    ReportingPeriod,
    Service,
    ServiceStatus,
    State,
    Submission,
    VerifiedCopy,
    VerifiedServiceStatus,
    utcnow,
)
from registry.submissions import periods, versions
from registry.submissions.rules import check_report, missing_report_fields

EDITABLE_STATES = (State.draft.value, State.returned.value)

# What a person can do to a submission, in the order the pages offer it.
ACTIONS = ("edit", "submit", "verify", "return", "reopen")
# (from states, to state) of each transition a person can make.
TRANSITIONS = {
    "submit": ((State.draft.value, State.returned.value), State.submitted.value),
    "verify": ((State.submitted.value,), State.verified.value),
    "return": ((State.submitted.value,), State.returned.value),
    "reopen": ((State.verified.value,), State.draft.value),
}
PERIOD_CLOSED = N_("Kỳ báo cáo %(year)s đã khóa; báo cáo của kỳ này không thể thay đổi.")
NOT_FROM_STATE = N_("Không thể %(action)s báo cáo đang ở trạng thái «%(state)s».")
ACTION_WORDS = {"edit": N_("sửa"), "submit": N_("gửi"), "verify": N_("xác minh"), "return": N_("trả lại"),
                "reopen": N_("mở lại")}


def refusal(action: str, period: ReportingPeriod | None, state: str, year: int | None = None) -> Msg | None:
    """Why ``action`` cannot be taken now on a submission in ``state`` of ``period``
    (an agency without a submission is in ``draft``), or None when it can.

    One rule for the operations below, the buttons the pages show and the API
    (permissions.submission_actions): nothing is offered that would be refused.
    """
    if period is None or period.status not in (PeriodStatus.open.value, PeriodStatus.correcting.value):
        return Msg(PERIOD_CLOSED, year=period.year if period is not None else year)
    allowed = EDITABLE_STATES if action == "edit" else TRANSITIONS[action][0]
    if state not in allowed:
        return Msg(NOT_FROM_STATE, action=Msg(ACTION_WORDS[action]), state=Msg(STATE_LABELS[state]))
    return None


def _refuse(session: Session, action: str, year: int, state: str) -> None:
    reason = refusal(action, session.get(ReportingPeriod, year), state, year)
    if reason is not None:
        raise Conflict(reason)


def report_values(entry) -> dict:
    return {f: getattr(entry, f) for f in REPORT_FIELDS}


def status_values(status) -> dict:
    return {f: getattr(status, f) for f in STATUS_FIELDS}


def display_state(state: str, verified_sequence: int | None = None) -> str:
    """The state as people name it: a draft that was verified before is "reopened"."""
    if state == State.draft.value and verified_sequence is not None:
        return "reopened"
    return state


def submission_key(agency: Agency, year: int) -> str:
    return f"{agency.code}/{year}"


# --- periods and submissions -------------------------------------------------

def find_submission(session: Session, agency: Agency, year: int) -> Submission | None:
    return session.exec(
        select(Submission).where(Submission.agency_id == agency.id, Submission.period_year == year)
    ).first()


def ensure_submission(session: Session, agency: Agency, year: int, actor: Actor) -> Submission:
    submission = find_submission(session, agency, year)
    if submission is None:
        submission = create_submission(session, agency, year, actor)
    return submission


def create_submission(session: Session, agency: Agency, year: int, actor: Actor) -> Submission:
    """A new, empty draft. Conflict when another transaction created it since the caller
    saw none: PostgreSQL lets both try and the unique key lets one win, and the loser's
    version 0 is then stale."""
    periods.ensure_period(session, year, actor)
    submission = Submission(agency_id=agency.id, period_year=year, state=State.draft.value)
    try:
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        raise Conflict(STALE_VERSION, current=1, read=0) from None
    audit.record(session, actor, "submission.create", "submission", submission_key(agency, year),
                 after={"state": submission.state})
    return submission


def statuses_of(session: Session, submission: Submission) -> dict[int, ServiceStatus]:
    rows = session.exec(select(ServiceStatus).where(ServiceStatus.submission_id == submission.id))
    return {s.service_id: s for s in rows}


# --- editing -----------------------------------------------------------------

STALE_VERSION = N_("Bản ghi đã được người khác thay đổi (phiên bản %(current)s, bạn đọc phiên bản %(read)s). "
                   "Hãy tải lại, xem thay đổi rồi lưu lại.")


def check_version(submission: Submission | None, version: int | None) -> None:
    """The caller read ``version`` (0: before the submission existed); refuse if it moved on.

    The submission's row is read again and locked until the transaction ends, so that
    of two writers who read the same version only the first passes: PostgreSQL makes
    the second wait here (SELECT … FOR UPDATE) and then shows it the new version;
    on SQLite a writer already holds the database's write lock.
    """
    current = lock_version(submission)
    if version is not None and version != current:
        raise Conflict(STALE_VERSION, current=current, read=version)


def lock_version(submission: Submission | None) -> int:
    """The submission's version as committed now (0: none yet), its row locked until the
    transaction ends (see check_version)."""
    if submission is None:
        return 0
    Session.object_session(submission).refresh(submission, with_for_update=True)
    return submission.version


def check_editable(session: Session, year: int, submission: Submission | None) -> None:
    """The entries of ``year`` may be saved: the period is open, and the submission
    (None: the agency has none yet) is a draft or was returned."""
    _refuse(session, "edit", year, submission.state if submission is not None else State.draft.value)


def write_entries(
    session: Session,
    submission: Submission,
    actor: Actor,
    report: dict | None = None,
    services: dict[int, dict] | None = None,
) -> bool:
    """Write already-parsed values into a submission, with no state checks.

    ``report`` holds any subset of the adoption fields; ``services`` maps a
    service id to any subset of its status fields. Returns whether anything
    changed. Callers check editability and version first (or, for the
    administrator's import, deliberately do not).
    """
    agency = session.get(Agency, submission.agency_id)
    key = submission_key(agency, submission.period_year)
    changed = False
    kept_report, kept_services = {}, {}  # what this save changed, kept as the draft's next version
    if report:
        before = report_values(submission)
        merged = {**before, **report}
        errors = check_report(merged)
        if errors:
            raise ValidationFailed(N_("Báo cáo ứng dụng CNTT chưa hợp lệ."), fields=errors)
        old, new = audit.changes(before, merged)
        if new:
            for field, value in new.items():
                setattr(submission, field, value)
            audit.record(session, actor, "report.update", "submission", key, old, new)
            kept_report = {f: (old[f], new[f]) for f in new}
            changed = True
    if services:
        existing = statuses_of(session, submission)
        codes = dict(session.exec(select(Service.id, Service.code).where(Service.id.in_(list(services)))).all())
        for service_id, values in services.items():
            status = existing.get(service_id)
            before = status_values(status) if status else {f: None for f in STATUS_FIELDS}
            merged = {**before, **values}
            if merged.get("level") is None:
                merged["level"] = 0
            errors = check_evidence(merged["level"], merged)
            if errors:
                code = codes[service_id]
                raise ValidationFailed(
                    N_("Dịch vụ %(code)s: thiếu minh chứng cho mức độ %(level)s."),
                    fields={f"{code}.{f}": m for f, m in errors.items()}, code=code, level=merged["level"],
                )
            old, new = audit.changes(before, merged)
            if not new:
                continue
            if status is None:
                status = ServiceStatus(submission_id=submission.id, service_id=service_id)
                session.add(status)
            for field, value in new.items():
                setattr(status, field, value)
            audit.record(session, actor, "service_status.update", "service_status",
                         f"{key}/{codes[service_id]}", old, new)
            kept_services[service_id] = {f: (old[f], new[f]) for f in new}
            changed = True
    if changed:
        submission.version += 1
        submission.updated_at = utcnow()
        versions.record(session, submission, kept_report, kept_services)
    session.flush()
    return changed


# --- transitions -------------------------------------------------------------

def missing_for_submit(session: Session, submission: Submission) -> dict[str, str]:
    missing = {f: N_("bắt buộc khi gửi") for f in missing_report_fields(report_values(submission))}
    missing.update(check_report(report_values(submission)))
    services = {s.id: s for s in session.exec(select(Service).where(Service.agency_id == submission.agency_id))}
    for service_id, status in statuses_of(session, submission).items():
        service = services.get(service_id)
        if service is None or not service.active:
            continue
        for field, message in check_evidence(status.level, status_values(status)).items():
            missing[f"{service.code}.{field}"] = message
    return missing


def _transition(session: Session, submission: Submission, actor: Actor, action: str,
                comment: str | None = None) -> None:
    _refuse(session, action, submission.period_year, submission.state)
    target = TRANSITIONS[action][1]
    before = submission.state
    submission.state = target
    submission.version += 1
    submission.updated_at = utcnow()
    agency = session.get(Agency, submission.agency_id)
    audit.record(session, actor, f"submission.{action}", "submission",
                 submission_key(agency, submission.period_year),
                 {"state": before}, {"state": target}, comment=comment)
    # who is told (SPEC §3d): written to the outbox in this same transaction
    outbox.submission_changed(session, submission, action, actor, comment)


def submit(session: Session, submission: Submission, actor: Actor, version: int | None = None) -> None:
    _refuse(session, "submit", submission.period_year, submission.state)
    check_version(submission, version)
    missing = missing_for_submit(session, submission)
    if missing:
        raise ValidationFailed(N_("Chưa gửi được: còn thiếu hoặc sai %(count)s mục."),
                               fields=missing, count=len(missing))
    submission.submitted_at = utcnow()
    _transition(session, submission, actor, "submit")
    session.flush()


def verify(session: Session, submission: Submission, actor: Actor, version: int | None = None,
           comment: str | None = None) -> VerifiedCopy:
    check_version(submission, version)
    _transition(session, submission, actor, "verify", comment)
    copy = _copy_verified(session, submission, actor)
    session.flush()
    return copy


def return_(session: Session, submission: Submission, actor: Actor, comment: str,
            version: int | None = None) -> None:
    if not (comment or "").strip():
        raise ValidationFailed(N_("Hãy ghi lý do trả lại."), fields={"comment": N_("bắt buộc")})
    check_version(submission, version)
    _transition(session, submission, actor, "return", comment.strip())
    session.flush()


def reopen(session: Session, submission: Submission, actor: Actor, reason: str,
           version: int | None = None) -> None:
    if not (reason or "").strip():
        raise ValidationFailed(N_("Hãy ghi lý do mở lại."), fields={"reason": N_("bắt buộc")})
    check_version(submission, version)
    _transition(session, submission, actor, "reopen", reason.strip())
    session.flush()


def _copy_verified(session: Session, submission: Submission, actor: Actor) -> VerifiedCopy:
    sequence = (submission.verified_sequence or 0) + 1
    copy = VerifiedCopy(submission_id=submission.id, sequence=sequence,
                        verified_by_id=actor.id, **report_values(submission))
    session.add(copy)
    session.flush()
    session.add_all(
        VerifiedServiceStatus(copy_id=copy.id, service_id=service_id, **status_values(status))
        for service_id, status in statuses_of(session, submission).items()
    )
    submission.verified_sequence = sequence
    return copy


def force_state(session: Session, submission: Submission, actor: Actor, target: str) -> None:
    """The administrator's import path for historic data: the submission becomes
    ``submitted`` or ``verified`` whatever its state was (SPEC §5), audited."""
    if target not in (State.submitted.value, State.verified.value):
        raise DomainError(N_("Trạng thái đích không hợp lệ."))
    if submission.state == target and (target != State.verified.value or not _differs_from_verified(
            session, submission)):
        return
    before = submission.state
    submission.state = target
    submission.version += 1
    submission.updated_at = utcnow()
    if target == State.submitted.value:
        submission.submitted_at = utcnow()
    agency = session.get(Agency, submission.agency_id)
    audit.record(session, actor, f"submission.import_{target}", "submission",
                 submission_key(agency, submission.period_year), {"state": before}, {"state": target})
    if target == State.verified.value:
        _copy_verified(session, submission, actor)
    session.flush()


def _differs_from_verified(session: Session, submission: Submission) -> bool:
    """Whether the current entries differ from the last verified copy."""
    copy = last_verified_copy(session, submission)
    if copy is None:
        return True
    if report_values(copy) != report_values(submission):
        return True
    verified = {s.service_id: status_values(s) for s in session.exec(
        select(VerifiedServiceStatus).where(VerifiedServiceStatus.copy_id == copy.id))}
    current = {sid: status_values(s) for sid, s in statuses_of(session, submission).items()}
    return verified != current


def last_verified_copy(session: Session, submission: Submission) -> VerifiedCopy | None:
    if submission.verified_sequence is None:
        return None
    return session.exec(select(VerifiedCopy).where(
        VerifiedCopy.submission_id == submission.id, VerifiedCopy.sequence == submission.verified_sequence)).one()
