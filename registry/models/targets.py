"""Targets (SPEC §3)."""

from typing import Optional

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.catalogue.levels import MAX_LEVEL, MIN_LEVEL
from registry.core.vocabulary import Comparator, Formula, Unit
from registry.models.base import VersionColumns, sql_in


class Target(SQLModel, table=True):
    """A target of a plan (SPEC §3). Rows, so that a new plan needs no code."""

    __table_args__ = (
        CheckConstraint(sql_in("unit", [u.value for u in Unit]), name="unit"),
        CheckConstraint(sql_in("comparator", [c.value for c in Comparator]), name="comparator"),
        CheckConstraint(sql_in("formula", [f.value for f in Formula]), name="formula"),
        CheckConstraint("threshold >= 0", name="threshold_non_negative"),
        CheckConstraint(f"min_level IS NULL OR min_level BETWEEN {MIN_LEVEL} AND {MAX_LEVEL}", name="min_level"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True)
    title_vi: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    citation: str = Field(sa_type=Text)
    unit: str = Field(sa_type=String(16))
    comparator: str = Field(sa_type=String(2))
    threshold: int
    deadline: int
    formula: str = Field(sa_type=String(32))
    # service formulas: the level a service must reach
    min_level: Optional[int] = None
    # agency_flag_share: report flags that must all be true, comma-separated
    flags: Optional[str] = Field(default=None, sa_type=String(255))
    # report_sum_ratio: the summed count fields
    numerator_field: Optional[str] = Field(default=None, sa_type=String(64))
    denominator_field: Optional[str] = Field(default=None, sa_type=String(64))
    # agency formulas: which agencies are in scope, as "tier:kind,kind;tier:kind"
    # clauses joined by ";" ("*" for any tier or kind); see targets.parse_scope.
    scope: Optional[str] = Field(default=None, sa_type=String(255))
    position: int = Field(default=0)
    active: bool = Field(default=True)


class TargetVersion(VersionColumns, table=True):
    """A later version of a target (rule 11): its wording, scope, comparator, threshold
    and deadline from the period ``effective_from`` on. The target row itself is
    version 1, in force for every period before the first of these."""

    __tablename__ = "target_version"
    __table_args__ = (
        UniqueConstraint("target_id", "number", name="uq_target_version_target_number"),
        UniqueConstraint("target_id", "effective_from", name="uq_target_version_target_effective_from"),
        CheckConstraint("number >= 2", name="number_after_first"),
        CheckConstraint(sql_in("comparator", [c.value for c in Comparator]), name="comparator"),
        CheckConstraint("threshold >= 0", name="threshold_non_negative"),
    )

    target_id: int = Field(foreign_key="target.id", index=True)
    threshold: int
    scope: Optional[str] = Field(default=None, sa_type=String(255))
