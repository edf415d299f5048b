"""The audit trail's table (audit/)."""

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, Index, String, Text
from sqlmodel import Field, SQLModel

from registry.models.base import utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which entry, and what it was before and after. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_key", "entity", "entity_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    # Kept beside the id: the record must still say who even if the account goes.
    actor: Optional[str] = Field(default=None, sa_type=String(254))
    action: str = Field(sa_type=String(64), index=True)
    entity: str = Field(sa_type=String(64))
    entity_key: Optional[str] = Field(default=None, sa_type=String(255))
    before: Optional[Any] = Field(default=None, sa_type=JSON)
    after: Optional[Any] = Field(default=None, sa_type=JSON)
    comment: Optional[str] = Field(default=None, sa_type=Text)
    source: Optional[str] = Field(default=None, sa_type=String(64))
    # The client's address, for sign-in events: failed attempts are counted per address too.
    address: Optional[str] = Field(default=None, sa_type=String(64), index=True)

