"""A file an administrator's dry run checked, kept for a while so that it can be imported
without choosing it again (issue #15). In the database rather than on one server's disk:
the next request may reach another server (the app keeps no state of its own)."""

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String
from sqlmodel import Field, SQLModel

from registry.models.base import utcnow


class ImportStash(SQLModel, table=True):
    __tablename__ = "import_stash"

    token: str = Field(sa_type=String(64), primary_key=True)  # random, from secrets: the only way to it
    user_id: int = Field(foreign_key="user_account.id", index=True)  # only the one who checked it imports it
    kind: str = Field(sa_type=String(16))
    filename: str = Field(sa_type=String(255))
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
