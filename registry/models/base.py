"""What tables share: constraint names, the sort-key column type, the clock, the columns of a version."""

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import DateTime, String, Text
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so that migrations can name what they alter
# on every engine (SQLite batch mode needs names to drop constraints).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Sort keys compare byte by byte; PostgreSQL's locale collations would reorder them.
BINARY_SORT = String(1200).with_variant(String(1200, collation="C"), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC: SQLite gives them back without a zone, and every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def sql_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class VersionColumns(SQLModel):
    """What a later version of a definition (a target, an indicator) replaces from the period
    ``effective_from`` on (rule 11); each version table adds its definition's key, its
    threshold's type and anything else it versions."""

    id: Optional[int] = Field(default=None, primary_key=True)
    number: int
    effective_from: int
    title_vi: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    citation: str = Field(sa_type=Text)
    comparator: str = Field(sa_type=String(2))
    deadline: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
