"""Read queries for the auditor's pages: the queue, late agencies, the audit log,
and what changed in a submission against what was verified before.

Plain Python over a database session (no Flask): each list is a bounded
number of queries whatever the number of agencies, and the views only render.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from registry.models import (
    REPORT_FIELDS,
    STATUS_FIELDS,
    Agency,
    PeriodStatus,
    ReportingPeriod,
    Service,
    State,
    Submission,
)
from registry.submissions import history, workflow
from registry.submissions.entries import Entries

# The states a review list counts, in workflow order; "none" is an active agency
# with no submission for the period.
COUNTED_STATES = ("none", State.draft.value, State.submitted.value, State.returned.value, State.verified.value)
# An agency is late for an open period while its entries have not reached the auditor.
LATE_STATES = (State.draft.value, State.returned.value)

QUEUE_PAGE = 100  # submissions per page of the auditors' queue
LATE_PAGE = 100  # agencies per page of a period's late list
UNSTAFFED_PAGE = 300  # agencies per page of the list of agencies with no focal point
AUDIT_PAGE_SIZE = 50


def display_state(state: str | None, verified_sequence: int | None) -> str:
    """workflow.display_state, with "none" for an agency that has no submission."""
    return "none" if state is None else workflow.display_state(state, verified_sequence)


# --- the queue -----------------------------------------------------------------

@dataclass
class QueueRow:
    agency: Agency
    submission: Submission


def review_queue(session: Session, limit: int = QUEUE_PAGE, offset: int = 0) -> tuple[list[QueueRow], int]:
    """Submissions waiting for an auditor, oldest submitted first (at most ``limit``, after
    ``offset`` of them: a page), and how many there are in all."""
    rows = session.exec(
        select(Submission, Agency).join(Agency, Agency.id == Submission.agency_id)
        .where(Submission.state == State.submitted.value)
        .order_by(Submission.submitted_at.asc(), Submission.id.asc())
        .offset(offset).limit(limit)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Submission).where(Submission.state == State.submitted.value)
    ).one()
    return [QueueRow(agency, submission) for submission, agency in rows], total


def periods_with_status(session: Session, status: PeriodStatus) -> list[ReportingPeriod]:
    """The periods with ``status``, newest first (open ones; closed ones re-opened for a correction)."""
    return list(session.exec(select(ReportingPeriod).where(ReportingPeriod.status == status.value)
                             .order_by(ReportingPeriod.year.desc())))


def open_periods(session: Session) -> list[ReportingPeriod]:
    return periods_with_status(session, PeriodStatus.open)


def state_counts(session: Session) -> dict[int, dict[str, int]]:
    """For each open period: how many active agencies are in each state
    (``none``: no submission yet). Three queries whatever the number of agencies."""
    periods = [p.year for p in open_periods(session)]
    if not periods:
        return {}
    active = session.exec(select(func.count()).select_from(Agency).where(Agency.active)).one()
    counts = {year: {state: 0 for state in COUNTED_STATES} for year in periods}
    rows = session.exec(
        select(Submission.period_year, Submission.state, func.count())
        .join(Agency, Agency.id == Submission.agency_id)
        .where(Agency.active, Submission.period_year.in_(periods))
        .group_by(Submission.period_year, Submission.state)
    ).all()
    for year, state, count in rows:
        counts[year][state] = counts[year].get(state, 0) + count
    for year in periods:
        counts[year]["none"] = active - sum(n for s, n in counts[year].items() if s != "none")
    return counts


# --- what changed ----------------------------------------------------------------

@dataclass
class ReportChange:
    name: str
    current: Any
    previous: Any = None
    verified: Any = None
    changed_from_previous: bool = False
    changed_from_verified: bool = False


@dataclass
class ServiceChange:
    service: Service
    current: dict
    previous: dict | None = None
    verified: dict | None = None
    changed_from_previous: set = field(default_factory=set)
    changed_from_verified: set = field(default_factory=set)

    @property
    def marks(self) -> dict[str, list[str]]:
        """For each status field: against what it changed ("previous", "verified")."""
        return {name: [basis for basis, changed in (("previous", self.changed_from_previous),
                                                     ("verified", self.changed_from_verified)) if name in changed]
                for name in STATUS_FIELDS}

    @property
    def level_dropped(self) -> bool:
        return self.previous is not None and self.current["level"] < self.previous["level"]


@dataclass
class Changes:
    previous: history.VerifiedBasis | None  # the latest earlier period with a verified copy
    verified: history.VerifiedBasis | None  # this period's last verified copy (e.g. while reopened)
    report: list[ReportChange]
    services: list[ServiceChange]

    @property
    def count_from_previous(self) -> int:
        return (sum(1 for r in self.report if r.changed_from_previous)
                + sum(1 for s in self.services if s.changed_from_previous))

    @property
    def count_from_verified(self) -> int:
        return (sum(1 for r in self.report if r.changed_from_verified)
                + sum(1 for s in self.services if s.changed_from_verified))


def _unreported() -> dict:
    """A service with no status in a verified copy counted at level 0, without evidence."""
    return {name: None for name in STATUS_FIELDS} | {"level": 0}


def changes(session: Session, entries: Entries) -> Changes:
    """Each report field and service status of ``entries`` beside the previous
    verified period's and this period's last verified copy, with what differs."""
    previous = history.previous_verified(session, entries.agency, entries.period.year)
    verified = history.verified_basis(session, entries.submission)
    report = []
    for name in REPORT_FIELDS:
        row = ReportChange(name, entries.report.get(name))
        if previous is not None:
            row.previous = previous.report.get(name)
            row.changed_from_previous = row.previous != row.current
        if verified is not None:
            row.verified = verified.report.get(name)
            row.changed_from_verified = row.verified != row.current
        report.append(row)
    services = []
    for entry in entries.services:
        current = entry.values()
        row = ServiceChange(entry.service, current)
        if previous is not None:
            row.previous = previous.statuses.get(entry.service.id) or _unreported()
            row.changed_from_previous = {n for n in STATUS_FIELDS if row.previous.get(n) != current.get(n)}
        if verified is not None:
            row.verified = verified.statuses.get(entry.service.id) or _unreported()
            row.changed_from_verified = {n for n in STATUS_FIELDS if row.verified.get(n) != current.get(n)}
        services.append(row)
    return Changes(previous, verified, report, services)
