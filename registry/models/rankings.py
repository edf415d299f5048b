"""The method of the agency ranking (SPEC §3c), versioned by period like the targets."""

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, DateTime
from sqlmodel import Field, SQLModel

from registry.models.base import utcnow


class RankingMethod(SQLModel, table=True):
    """A version of the ranking method, in force from ``effective_from`` until the next
    version's year: its criteria, weights, grade bands and groups as one document
    (read and checked by registry/rankings/method.py). Without any row the registry
    ranks by the method the specification ships."""

    __tablename__ = "ranking_method"
    __table_args__ = (CheckConstraint("effective_from BETWEEN 2000 AND 2100", name="effective_from_range"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    effective_from: int = Field(unique=True)
    document: Any = Field(sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
