"""Delivering the outbox (``registry mail send``): claim, send, record.

A run claims due messages in a short transaction of its own (PostgreSQL: the
rows are picked with ``FOR UPDATE SKIP LOCKED``, so a second sender running at
the same time takes other rows; SQLite: one atomic UPDATE under the database's
single write lock), commits the claim, then sends each message and records the
outcome in a transaction per message. So two senders never deliver the same
message, a failed delivery never touches the change that wrote it, and a crash
loses nothing: a claim older than CLAIM_LEASE is taken again by the next run.

A failure of one message (its recipient refused, say) counts as an attempt: it
is retried after a growing delay and set aside as ``dead`` after
``max_attempts``. A failure of the server itself (down, refusing the sign-in or
the sender) counts against no message: the run stops, the messages go back to
the queue unchanged, and the run reports why.
"""

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from registry import audit
from registry.audit import Actor
from registry.config import DEFAULT_DEPARTMENT, DEFAULT_DEPARTMENT_EN
from registry.core.db import open_session
from registry.core.errors import N_, Msg
from registry.mail.messages import compose
from registry.mail.smtp import Connection, DeliveryError, parse_sender, parse_smtp_url
from registry.models import OutboxMessage, utcnow

SENDER = Actor.system("mail")
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 50
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


@dataclass
class MailSettings:
    smtp_url: str | None
    mail_from: str | None
    base_url: str = "http://localhost:5000"
    max_attempts: int = MAX_ATTEMPTS
    department: str = DEFAULT_DEPARTMENT  # the verifying department, named in the messages
    department_en: str = DEFAULT_DEPARTMENT_EN

    @classmethod
    def from_config(cls, config: dict) -> "MailSettings":
        return cls(config.get("SMTP_URL"), config.get("MAIL_FROM"),
                   config.get("REGISTRY_URL") or "http://localhost:5000",
                   int(config.get("MAIL_MAX_ATTEMPTS") or MAX_ATTEMPTS),
                   config.get("REGISTRY_DEPARTMENT") or DEFAULT_DEPARTMENT,
                   config.get("REGISTRY_DEPARTMENT_EN") or DEFAULT_DEPARTMENT_EN)

    def department_in(self, language: str) -> str:
        return self.department_en if language == "en" else self.department


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0  # failed this time, to be retried
    dead: int = 0  # failed for the last time
    error: str | None = None  # why the run stopped (the server could not be used), a Msg
    details: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.dead


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failure, at most LONGEST_RETRY."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def claim(engine: Engine, now: datetime, limit: int = BATCH) -> tuple[str, list[OutboxMessage]]:
    """Claim up to ``limit`` due messages for this run; committed before anything is sent."""
    token = secrets.token_hex(16)
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - CLAIM_LEASE),
    )
    picked = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if engine.dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    session = open_session(engine)
    try:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(picked.scalar_subquery()), due)
                        .values(status="sending", claim=token, claimed_at=now)
                        .execution_options(synchronize_session=False))
        session.commit()
        messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.claim == token)
                                        .order_by(OutboxMessage.id)))
        session.commit()
        return token, messages
    finally:
        session.close()


def _finish(engine: Engine, message: OutboxMessage, token: str, values: dict, action: str | None,
            comment: str | None = None) -> None:
    """Record one message's outcome, if this run's claim on it still holds."""
    session = open_session(engine)
    try:
        done = session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                           OutboxMessage.claim == token)
                               .values(**values).execution_options(synchronize_session=False))
        if done.rowcount and action:
            audit.record(session, SENDER, action, "outbox_message", message.id,
                         after={"to": message.recipient, "kind": message.kind, "topic": message.topic,
                                "attempts": values.get("attempts", message.attempts)}, comment=comment)
        session.commit()
    finally:
        session.close()


def send_due(engine: Engine, settings: MailSettings, now: datetime | None = None, limit: int = BATCH) -> RunReport:
    """One run of the sender: deliver what is due. Bad settings raise MailSettingsError
    before anything is claimed."""
    smtp = parse_smtp_url(settings.smtp_url)
    sender = parse_sender(settings.mail_from)
    report = RunReport()
    token, messages = claim(engine, now or utcnow(), limit)
    if not messages:
        return report
    remaining = list(messages)
    try:
        with Connection(smtp) as connection:
            while remaining:
                message = remaining[0]
                try:
                    email = compose(message, sender, settings.base_url, settings.department_in(message.language))
                    connection.send(email)
                except DeliveryError as exc:
                    if exc.whole_run:
                        raise
                    _failed(engine, message, token, exc.message, settings, report)
                except Exception as exc:  # a message that cannot be written: count it, keep going
                    _failed(engine, message, token, f"{type(exc).__name__}: {exc}", settings, report)
                else:
                    _finish(engine, message, token, {"status": "sent", "sent_at": utcnow(), "claim": None,
                                                     "attempts": message.attempts + 1, "last_error": None},
                            "mail.sent")
                    report.sent += 1
                remaining.pop(0)
    except DeliveryError as exc:
        report.error = exc.message
        for message in remaining:  # back to the queue as they were: the server failed, not they
            _finish(engine, message, token, {"status": "pending", "claim": None, "claimed_at": None,
                                             "last_error": str(exc)}, None)
    return report


def _failed(engine, message, token, reason: str, settings, report) -> None:
    attempts, error = message.attempts + 1, str(reason)  # stored in Vietnamese, as every stored message
    if attempts >= settings.max_attempts:
        _finish(engine, message, token, {"status": "dead", "attempts": attempts, "claim": None,
                                         "last_error": error}, "mail.dead", error)
        report.dead += 1
    else:
        _finish(engine, message, token, {"status": "pending", "attempts": attempts, "claim": None,
                                         "next_attempt_at": utcnow() + retry_delay(attempts),
                                         "last_error": error}, "mail.failed", error)
        report.failed += 1
    report.details.append(Msg("#%(id)s %(to)s: %(error)s", id=message.id, to=message.recipient, error=reason))


def send_loop(engine: Engine, settings: MailSettings, interval: float = 60.0, say=print,
              should_stop=lambda: False) -> None:
    """``registry mail send --loop``: a run every ``interval`` seconds (at once again while
    a full batch was claimed), until stopped."""
    while not should_stop():
        try:
            report = send_due(engine, settings)
        except Exception as exc:  # the database away for a moment: say so, keep running
            say(Msg(N_("Lỗi khi gửi thư: %(error)s"), error=f"{type(exc).__name__}: {exc}"))
            time.sleep(interval)
            continue
        if report.claimed or report.error:
            say(summary(report))
        if report.claimed < BATCH or report.error:
            time.sleep(interval)


def summary(report: RunReport) -> Msg:
    """A run's outcome, as a message for the command to translate."""
    counts = {"sent": report.sent, "failed": report.failed, "dead": report.dead}
    if report.error:
        return Msg(N_("Đã gửi %(sent)s thư; %(failed)s thư lỗi sẽ gửi lại sau; %(dead)s thư bỏ (quá số lần thử). "
                      "Dừng: %(error)s; các thư còn lại vẫn nằm trong hộp thư đi."), error=report.error, **counts)
    return Msg(N_("Đã gửi %(sent)s thư; %(failed)s thư lỗi sẽ gửi lại sau; %(dead)s thư bỏ (quá số lần thử)."),
               **counts)


def retry_dead(session, actor: Actor, message_id: int | None = None) -> int:
    """Put dead messages (or one) back in the queue, as an administrator decides."""
    query = select(OutboxMessage).where(OutboxMessage.status == "dead")
    if message_id is not None:
        query = query.where(OutboxMessage.id == message_id)
    count = 0
    for message in session.scalars(query):
        message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
        audit.record(session, actor, "mail.retry", "outbox_message", message.id, after={"to": message.recipient})
        count += 1
    session.flush()
    return count
