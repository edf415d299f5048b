"""What every table shares: constraint names, the sort-key column type, the clock."""

from datetime import datetime, timezone

from sqlalchemy import String
from sqlmodel import SQLModel

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


