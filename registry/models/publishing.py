"""What closing a period publishes (rule 12): its figures as they were at that moment, and
the corrections that changed them afterwards."""

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, String, Text
from sqlmodel import Field, SQLModel

from registry.models.base import utcnow


class PublishedPart(SQLModel, table=True):
    """One published part of a closed period in one basis, as JSON: ``targets`` (the
    results, with the version of each target they were judged by), ``agencies`` and
    ``services`` (the per-agency and per-service figures behind them: drill-downs and
    open data). Another part (a ranking, say) is another row under its own name."""

    __tablename__ = "published_part"

    # No foreign key to the period: published figures outlive anything done to the rest.
    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    basis: str = Field(primary_key=True, sa_type=String(16))
    part: str = Field(primary_key=True, sa_type=String(32))
    payload: Any = Field(sa_type=JSON)
    published_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Correction(SQLModel, table=True):
    """A public correction of a closed period: when, why, and each published figure
    before → after (``[{"kind", "code", "field", "before", "after"}]``, SPEC §8.9)."""

    __tablename__ = "correction"

    id: Optional[int] = Field(default=None, primary_key=True)
    period_year: int = Field(index=True)
    made_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    reason: str = Field(sa_type=Text)
    changes: Any = Field(sa_type=JSON)
