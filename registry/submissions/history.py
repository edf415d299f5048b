"""What an agency's figures were when last verified, and what changed sharply since.

"The previous period" means one thing everywhere (the focal point's workspace,
the auditor's review): the agency's latest earlier period with a verified copy.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from registry.models import REPORT_COUNTS, REPORT_FIELDS, Agency, Submission, VerifiedCopy, VerifiedServiceStatus
from registry.submissions import workflow

# A count that changes by more than this share against the previous period is pointed out.
SUDDEN_CHANGE = 0.5


@dataclass
class VerifiedBasis:
    """A verified copy to compare with: which period, which copy, its values."""

    year: int
    copy: VerifiedCopy
    report: dict
    statuses: dict[int, dict]


def verified_basis(session: Session, submission: Submission | None) -> VerifiedBasis | None:
    copy = workflow.last_verified_copy(session, submission) if submission is not None else None
    if copy is None:
        return None
    statuses = {s.service_id: workflow.status_values(s) for s in session.exec(
        select(VerifiedServiceStatus).where(VerifiedServiceStatus.copy_id == copy.id))}
    return VerifiedBasis(submission.period_year, copy, workflow.report_values(copy), statuses)


def previous_verified(session: Session, agency: Agency, year: int) -> VerifiedBasis | None:
    """The agency's latest period before ``year`` that has a verified copy."""
    submission = session.exec(
        select(Submission).where(Submission.agency_id == agency.id, Submission.period_year < year,
                                 Submission.verified_sequence.is_not(None))
        .order_by(Submission.period_year.desc()).limit(1)
    ).first()
    return verified_basis(session, submission)


def sudden_changes(previous: VerifiedBasis | None, report: dict, levels: dict[int, tuple[str, int]]) -> set[str]:
    """The report fields and service levels (``"<code>.level"``) that differ sharply from
    ``previous``: a count by more than half (or from nothing), a yes/no that flipped, a
    service whose level fell. ``levels`` maps a service id to (code, current level)."""
    if previous is None:
        return set()
    sudden = set()
    for name in REPORT_FIELDS:
        old, new = previous.report.get(name), report.get(name)
        if old is None or new is None:
            continue
        if name in REPORT_COUNTS:
            if (old and abs(new - old) / old > SUDDEN_CHANGE) or (old == 0 and new > 0):
                sudden.add(name)
        elif old != new:
            sudden.add(name)
    for service_id, (code, level) in levels.items():
        before = previous.statuses.get(service_id)
        if before is not None and level < before["level"]:
            sudden.add(f"{code}.level")
    return sudden
