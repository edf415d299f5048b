"""What the registry keeps so as not to compute twice: generation tokens, target results and rankings."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlmodel import Field, SQLModel


class Generation(SQLModel, table=True):
    """Tokens of the figures, one per basis: the row of period 0, which everything
    depends on, and a row per period whose own figures have changed. Given new
    tokens in the same transaction as every change (core/generations.py)."""

    __tablename__ = "generation"

    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    verified: str = Field(sa_type=String(32))
    reported: str = Field(sa_type=String(32))


class TargetCache(SQLModel, table=True):
    """The target results of a period and basis, and the tokens they were computed under."""

    __tablename__ = "target_cache"

    # No foreign key to the period: a cache row must never stand in the way of the data it copies.
    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    basis: str = Field(primary_key=True, sa_type=String(16))
    token: str = Field(sa_type=String(65))  # generations.stamp: two tokens
    results: Any = Field(sa_type=JSON)
    computed_at: datetime = Field(sa_type=DateTime(timezone=True))


class RankingCache(SQLModel, table=True):
    """A period's ranking as ``registry ranking`` prints it (the API's object, in one
    language), and the stamp of every period's tokens up to it (core/stamps.stamp_through)."""

    __tablename__ = "ranking_cache"

    period_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    lang: str = Field(primary_key=True, sa_type=String(2))
    token: str = Field(sa_type=String(64))
    body: Any = Field(sa_type=JSON)
    computed_at: datetime = Field(sa_type=DateTime(timezone=True))
