"""The outbox (SPEC §3d): e-mail written in the same transaction as the change that
causes it, delivered after the commit by ``registry mail send`` (registry/mail/)."""

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, String, Text
from sqlmodel import Field, SQLModel

from registry.models.base import sql_in, utcnow

# pending: waiting for a sender (again, after a failed attempt); sending: claimed by a
# sender; sent: the SMTP server accepted it; dead: given up after MAIL_MAX_ATTEMPTS failures.
OUTBOX_STATUSES = ("pending", "sending", "sent", "dead")
# what a message is about (registry/mail/messages.py writes each)
OUTBOX_KINDS = ("reminder", "returned", "verified", "submitted", "comment")


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient. Its words are written when it is sent, from
    ``payload``, in ``language``, so that a digest can still grow while it waits."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(sql_in("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint(sql_in("kind", OUTBOX_KINDS), name="kind"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_topic", "topic", "created_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    kind: str = Field(sa_type=String(16))
    # what the message is about, e.g. "reminder/2025/so-tttt": "not twice within a day" looks here
    topic: str = Field(sa_type=String(255))
    recipient: str = Field(sa_type=String(254))
    recipient_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    language: str = Field(default="vi", sa_type=String(8))
    payload: Any = Field(default=None, sa_type=JSON)
    status: str = Field(default="pending", sa_type=String(16))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # a sender's claim: who (a random token) and since when; a claim older than the lease is stale
    claim: Optional[str] = Field(default=None, sa_type=String(32))
    claimed_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    sent_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    last_error: Optional[str] = Field(default=None, sa_type=Text)
