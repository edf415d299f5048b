"""Writing to the outbox, and who is told what (SPEC §3d).

The workflow calls these inside its own operations, so a message is added to
the outbox in the same transaction as the change: both land, or neither does.
Nothing here talks to an SMTP server (sender.py does, after the commit).
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlmodel import Session, select

from registry.models import Agency, OutboxMessage, Role, Submission, User, utcnow

# a "new submissions" digest waits this long for more before it is sent
DIGEST_WAIT = timedelta(minutes=15)
# session.info key: while set, transitions write no mail (made-up or historic data)
SILENT = "mail.silent"


@contextmanager
def silenced(session: Session):
    """Transitions made inside the block tell nobody: the demonstration data's history."""
    session.info[SILENT] = True
    try:
        yield
    finally:
        session.info.pop(SILENT, None)


def language_of(user: User) -> str:
    return user.language if user.language in ("vi", "en") else "vi"


def focal_points(session: Session, agency_id: int) -> list[User]:
    """The agency's active focal points, by e-mail."""
    return list(session.exec(select(User).where(User.role == Role.focal.value, User.agency_id == agency_id,
                                                User.active).order_by(User.email)))


def auditors(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.role == Role.auditor.value, User.active).order_by(User.email)))


def enqueue(session: Session, kind: str, topic: str, user: User, payload: dict,
            not_before: datetime | None = None) -> OutboxMessage:
    message = OutboxMessage(kind=kind, topic=topic, recipient=user.email, recipient_id=user.id,
                            language=language_of(user), payload=payload)
    if not_before is not None:
        message.next_attempt_at = not_before
    session.add(message)
    return message


def _about(agency: Agency, submission: Submission) -> dict:
    return {"agency": agency.name, "code": agency.code, "year": submission.period_year}


def _topic(kind: str, agency: Agency, year: int) -> str:
    return f"{kind}/{year}/{agency.code}"


def submission_changed(session: Session, submission: Submission, action: str, actor, comment: str | None) -> None:
    """The messages a transition sends: a return and a verification to the agency's focal
    points (with the auditor's comment), a submission to the auditors (a digest)."""
    if session.info.get(SILENT):
        return
    agency = session.get(Agency, submission.agency_id)
    if action in ("return", "verify"):
        kind = "returned" if action == "return" else "verified"
        payload = {**_about(agency, submission), "comment": comment, "by": actor.email}
        for user in focal_points(session, agency.id):
            enqueue(session, kind, _topic(kind, agency, submission.period_year), user, payload)
    elif action == "submit":
        item = _about(agency, submission)
        for user in auditors(session):
            _add_to_digest(session, user, item)
    session.flush()


def _add_to_digest(session: Session, user: User, item: dict) -> None:
    """Add ``item`` to the auditor's waiting digest, or start one. The digest row is
    locked first (PostgreSQL): a sender that claimed it meanwhile leaves it "sending"
    and a new digest is started instead, so no submission is left out of every digest."""
    waiting = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "submitted", OutboxMessage.recipient_id == user.id,
                                    OutboxMessage.status == "pending", OutboxMessage.attempts == 0)
        .order_by(OutboxMessage.id.desc()).limit(1).with_for_update()
    ).first()
    if waiting is not None:
        session.refresh(waiting)
    if waiting is not None and waiting.status == "pending":
        items = [i for i in (waiting.payload or {}).get("items", []) if i != item]
        waiting.payload = {"items": items + [item]}
        return
    enqueue(session, "submitted", f"submitted/{item['year']}", user, {"items": [item]},
            not_before=utcnow() + DIGEST_WAIT)


def comment_written(session: Session, submission: Submission, actor, comment: str) -> None:
    """A note on a submission's conversation: to the focal points when an auditor wrote
    it, to the auditors who returned or verified it (else every auditor) when the agency did."""
    agency = session.get(Agency, submission.agency_id)
    payload = {**_about(agency, submission), "comment": comment, "by": actor.email}
    if getattr(actor.user, "role", None) == Role.focal.value:
        recipients = auditors(session)
        payload["audience"] = "auditor"
    else:
        recipients = focal_points(session, agency.id)
        payload["audience"] = "focal"
    for user in recipients:
        if user.id != actor.id:
            enqueue(session, "comment", _topic("comment", agency, submission.period_year), user, payload)
    session.flush()
