"""The conversation on a submission (SPEC §3d): the auditor's comments on a return or a
verification, the reasons for a reopening, and notes either side writes in between,
kept in the audit trail and shown to both on the submission's pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.core.errors import N_, Conflict, ValidationFailed
from registry.mail import outbox
from registry.models import Agency, AuditEvent, PeriodStatus, ReportingPeriod, Submission, User
from registry.submissions.workflow import PERIOD_CLOSED, submission_key

MAX_NOTE = 2000
# the audit actions whose comment belongs to the conversation, and what each was
THREAD_ACTIONS = ("submission.return", "submission.verify", "submission.reopen", "submission.comment")


@dataclass
class Note:
    at: datetime
    author: str | None  # the e-mail of who wrote it
    role: str | None  # focal, auditor, admin (None: unknown or gone)
    action: str  # return, verify, reopen, comment
    text: str


def thread(session: Session, agency: Agency, year: int) -> list[Note]:
    """The conversation on ``agency``'s report of ``year``, oldest first (one query)."""
    rows = session.exec(
        select(AuditEvent, User.role).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity == "submission", AuditEvent.entity_key == f"{agency.code}/{year}",
               AuditEvent.action.in_(THREAD_ACTIONS), AuditEvent.comment.is_not(None))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [Note(e.at, e.actor, role, e.action.split(".", 1)[1], e.comment) for e, role in rows]


def write_note(session: Session, submission: Submission, actor: Actor, text: str) -> None:
    """Add a note to the conversation (the focal point's answer, or the auditor's reply),
    audited; the other side is told by e-mail."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(N_("Hãy viết nội dung trao đổi."), fields={"note": N_("bắt buộc")})
    if len(text) > MAX_NOTE:
        raise ValidationFailed(N_("Nội dung trao đổi tối đa %(max)s ký tự."), fields={"note": N_("quá dài")},
                               max=MAX_NOTE)
    period = session.get(ReportingPeriod, submission.period_year)
    if period is None or period.status != PeriodStatus.open.value:
        raise Conflict(PERIOD_CLOSED, year=submission.period_year)
    agency = session.get(Agency, submission.agency_id)
    audit.record(session, actor, "submission.comment", "submission", submission_key(agency, submission.period_year),
                 comment=text)
    outbox.comment_written(session, submission, actor, text)
    session.flush()


def latest_returns(session: Session, agency: Agency, submissions: dict[int, Submission]) -> dict[int, Note]:
    """For each returned submission of ``agency`` (by year), the comment it was returned with:
    what the focal point sees on their list of reports. One query."""
    keys = {f"{agency.code}/{year}": year for year, s in submissions.items() if s.state == "returned"}
    if not keys:
        return {}
    latest = {}
    for event in session.exec(select(AuditEvent).where(
            AuditEvent.entity == "submission", AuditEvent.entity_key.in_(list(keys)),
            AuditEvent.action == "submission.return").order_by(AuditEvent.at, AuditEvent.id)):
        latest[keys[event.entity_key]] = Note(event.at, event.actor, None, "return", event.comment or "")
    return latest
