"""Province-wide indicators (SPEC §3b): targets of the decision that agencies do not
report, entered per period by an auditor with their source and verified by another."""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models.base import VersionColumns, sql_in, utcnow

INDICATOR_STATES = ("entered", "verified")
INDICATOR_UNITS = ("percent", "count", "people_per_point", "km")
INDICATOR_COMPARATORS = ("<", "<=", ">", ">=")


class Indicator(SQLModel, table=True):
    """An indicator of a plan: what is measured and what the plan asks of it. Rows, so that
    a later plan needs no code. The threshold is an exact decimal kept as text."""

    __table_args__ = (
        CheckConstraint(sql_in("unit", list(INDICATOR_UNITS)), name="unit"),
        CheckConstraint(sql_in("comparator", list(INDICATOR_COMPARATORS)), name="comparator"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True)
    title_vi: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    citation: str = Field(sa_type=Text)
    unit: str = Field(sa_type=String(16))
    comparator: str = Field(sa_type=String(2))
    threshold: str = Field(sa_type=String(32))
    deadline: int
    position: int = Field(default=0)


class IndicatorValue(SQLModel, table=True):
    """One indicator's value for one period: a decimal as written, or (for a percentage)
    a numerator and denominator; where it comes from; who entered and who verified it."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("indicator_code", "period_year", name="uq_indicator_value_indicator_period"),
        CheckConstraint(sql_in("state", list(INDICATOR_STATES)), name="state"),
        CheckConstraint("value IS NOT NULL OR (numerator IS NOT NULL AND denominator IS NOT NULL)",
                        name="value_or_ratio"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    indicator_code: str = Field(sa_type=String(64), foreign_key="indicator.code", index=True)
    period_year: int = Field(foreign_key="reporting_period.year", index=True)
    value: Optional[str] = Field(default=None, sa_type=String(40))
    numerator: Optional[int] = None
    denominator: Optional[int] = None
    source: str = Field(sa_type=Text)
    evidence_url: str = Field(sa_type=Text)
    state: str = Field(default="entered", sa_type=String(16))
    entered_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    entered_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    verified_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    verified_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))


class IndicatorVersion(VersionColumns, table=True):
    """A later version of an indicator (SPEC §3b, versioned like the targets, rule 11): its
    wording, comparator, threshold and deadline from the period ``effective_from`` on. The
    indicator row itself is version 1, in force for every period before the first of these."""

    __tablename__ = "indicator_version"
    __table_args__ = (
        UniqueConstraint("indicator_id", "number", name="uq_indicator_version_indicator_number"),
        UniqueConstraint("indicator_id", "effective_from", name="uq_indicator_version_indicator_effective_from"),
        CheckConstraint("number >= 2", name="number_after_first"),
        CheckConstraint(sql_in("comparator", list(INDICATOR_COMPARATORS)), name="comparator"),
    )

    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    threshold: str = Field(sa_type=String(32))
