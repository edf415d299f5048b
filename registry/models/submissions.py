"""Reporting periods, submissions, their service statuses and verified copies (SPEC §2)."""

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.catalogue.levels import DEFAULT_SCALE, MAX_LEVEL, MIN_LEVEL, SCALES
from registry.core.vocabulary import PeriodStatus, State
from registry.models.base import sql_in, utcnow


class AdoptionReport(SQLModel):
    """The adoption report (SPEC §2), shared by a submission and its verified copies,
    in form order: a new field is one line here (and its label in core/vocabulary.py).

    All are optional while a submission is a draft; submitting requires them.
    """

    has_lan: Optional[bool] = None
    wan_connected: Optional[bool] = None
    broadband_internet: Optional[bool] = None
    # any Internet connection (broadband implies it): the schools', hospitals' and
    # health facilities' targets ask for "kết nối Internet", not broadband
    internet_connected: Optional[bool] = None
    official_email: Optional[bool] = None
    staff_total: Optional[int] = None
    staff_with_computer: Optional[int] = None
    staff_with_email: Optional[int] = None
    # of those working on a computer, with an official e-mail account
    # (computer_staff_email_pct); unknown in reports made before it was asked
    computer_staff_with_email: Optional[int] = None
    documents_total: Optional[int] = None
    documents_online: Optional[int] = None
    exchanges_online: Optional[bool] = None
    legal_docs_online: Optional[bool] = None
    specialised_database: Optional[bool] = None


# The adoption report's fields, in form order. Booleans and counts are kept
# apart because targets may only combine flags, or sum counts.
REPORT_FIELDS = tuple(AdoptionReport.model_fields)
REPORT_FLAGS = tuple(f for f, info in AdoptionReport.model_fields.items() if info.annotation == Optional[bool])
REPORT_COUNTS = tuple(f for f, info in AdoptionReport.model_fields.items() if info.annotation == Optional[int])
# part ≤ whole, for every count that is a part of another.
COUNT_BOUNDS = (
    ("staff_with_computer", "staff_total"),
    ("staff_with_email", "staff_total"),
    ("documents_online", "documents_total"),
    ("computer_staff_with_email", "staff_with_computer"),
    ("computer_staff_with_email", "staff_with_email"),
)


# Constraint names of the bounds added after the first schema (kept under
# PostgreSQL's 63 characters with the table's name before them).
_BOUND_NAMES = {
    ("computer_staff_with_email", "staff_with_computer"): "computer_staff_email_within_computer",
    ("computer_staff_with_email", "staff_with_email"): "computer_staff_email_within_email",
}


def _bound_name(part: str, whole: str) -> str:
    return _BOUND_NAMES.get((part, whole), f"{part}_within_total")


def _report_constraints() -> list:
    checks = [CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"{c}_non_negative") for c in REPORT_COUNTS]
    checks += [
        CheckConstraint(f"{part} IS NULL OR {whole} IS NULL OR {part} <= {whole}", name=_bound_name(part, whole))
        for part, whole in COUNT_BOUNDS
    ]
    return checks


def default_due_date(year: int) -> date:
    """31 January of the year after the period (Circular 06/2013)."""
    return date(year + 1, 1, 31)


class ReportingPeriod(SQLModel, table=True):
    __tablename__ = "reporting_period"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(sql_in("status", [s.value for s in PeriodStatus]), name="status"),
        CheckConstraint(sql_in("level_scale", list(SCALES)), name="level_scale"),
    )

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(default=PeriodStatus.open.value, sa_type=String(16))
    # hạn nộp (SPEC §3d): set when the period is made, 31 January of the next year unless
    # an administrator says otherwise; None only for rows written in bulk (synth), read as that default.
    due_date: Optional[date] = Field(default=None, sa_type=Date)
    # The online-level scale this period's levels are read on (catalogue/levels.py).
    level_scale: str = Field(default=DEFAULT_SCALE, sa_type=String(32))
    # While ``correcting``: why the administrator re-opened it; the reason of the correction
    # listed when it is closed again (rule 12).
    correction_reason: Optional[str] = Field(default=None, sa_type=Text)

    @property
    def due(self) -> date:
        return self.due_date or default_due_date(self.year)


class Submission(AdoptionReport, table=True):
    """One agency's entries for one period, and where they are in the workflow."""

    __table_args__ = (
        UniqueConstraint("agency_id", "period_year", name="uq_submission_agency_period"),
        CheckConstraint(sql_in("state", [s.value for s in State]), name="state"),
        CheckConstraint("version >= 1", name="version_positive"),
        *_report_constraints(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    period_year: int = Field(foreign_key="reporting_period.year", index=True)
    state: str = Field(default=State.draft.value, sa_type=String(16), index=True)
    # Bumped by every write; a save must name the version it was read at.
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    submitted_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    # The sequence of the verified copy that counts in the "verified" basis,
    # even while this submission is reopened; None before the first verification.
    # A number, not a foreign key, to keep submission ↔ copy free of a cycle.
    verified_sequence: Optional[int] = None


class StatusValues(SQLModel):
    """A service's online level, its evidence and a note: what a submission states
    for one of the agency's services, and what a verified copy keeps of it."""

    level: int = Field(default=0)
    info_url: Optional[str] = Field(default=None, sa_type=String(2048))
    form_url: Optional[str] = Field(default=None, sa_type=String(2048))
    submission_url: Optional[str] = Field(default=None, sa_type=String(2048))
    payment_url: Optional[str] = Field(default=None, sa_type=String(2048))  # level 4's evidence
    note: Optional[str] = Field(default=None, sa_type=Text)


STATUS_FIELDS = tuple(StatusValues.model_fields)


def _level_range() -> CheckConstraint:
    return CheckConstraint(f"level BETWEEN {MIN_LEVEL} AND {MAX_LEVEL}", name="level_range")


class ServiceStatus(StatusValues, table=True):
    """A service's online level and evidence, as entered in a submission."""

    __tablename__ = "service_status"
    __table_args__ = (
        UniqueConstraint("submission_id", "service_id", name="uq_service_status_submission_service"),
        _level_range(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)


class VerifiedCopy(AdoptionReport, table=True):
    """An immutable copy of a submission as it was verified. Never updated."""

    __tablename__ = "verified_copy"
    __table_args__ = (
        UniqueConstraint("submission_id", "sequence", name="uq_verified_copy_submission_sequence"),
        *_report_constraints(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    # 1 for the first verification of the submission, 2 after a correction, …
    sequence: int
    verified_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    verified_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")


class VerifiedServiceStatus(StatusValues, table=True):
    """A service's status as a verified copy keeps it. Never updated."""

    __tablename__ = "verified_service_status"
    __table_args__ = (
        UniqueConstraint("copy_id", "service_id", name="uq_verified_service_status_copy_service"),
        _level_range(),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    copy_id: int = Field(foreign_key="verified_copy.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)


class SubmissionChange(SQLModel, table=True):
    """What one save changed in a submission's entries: the saved versions of a draft
    (SPEC §8.4), kept so that a save made from an older version changes only what its
    editor changed since then and never writes over another editor's change.

    ``changes`` is ``{"report": {field: [before, after]}, "services": {service id:
    {field: [before, after]}}}`` for the save that made ``version``. A row whose
    ``changes`` is NULL marks the version from which the saves are kept (a submission
    saved before the registry kept them); earlier versions cannot be told apart.
    """

    __tablename__ = "submission_change"
    __table_args__ = (UniqueConstraint("submission_id", "version", name="uq_submission_change_submission_version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    version: int
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    changes: Optional[Any] = Field(default=None, sa_type=JSON)
