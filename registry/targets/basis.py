"""Which figures count for a period and basis (rule 1), as joins onto a statement."""

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy.orm import aliased

from registry.core.stamps import BASES
from registry.models import ServiceStatus, State, Submission, VerifiedCopy, VerifiedServiceStatus

COUNTED_STATES = (State.submitted.value, State.verified.value)


class BasisJoin:
    """The figures that count for one period and basis, as outer joins onto a
    statement that has an agency id (and, for the service statuses, a service id).

    ``verified``: the submission's last verified copy. ``reported``: the
    submission's current entries while it is submitted or verified, else its
    last verified copy. Drafts never count.

    The joins go through the unique keys (submission: agency and period; copy:
    submission and sequence; status: copy or submission and service), so every
    row costs a few index lookups whatever the size of the registry. Joining a
    derived table of figures instead made SQLite scan it once per outer row.
    Each instance has its own aliases, so that one statement may hold several.
    """

    def __init__(self, period: int, basis: str):
        if basis not in BASES:
            raise ValueError(basis)
        self.period, self.basis = period, basis
        self.submission = aliased(Submission, name="basis_submission")
        self.copy = aliased(VerifiedCopy, name="basis_copy")
        self.copied_status = aliased(VerifiedServiceStatus, name="basis_copied_status")
        self.current_status = aliased(ServiceStatus, name="basis_current_status")
        sub, copy = self.submission, self.copy
        if basis == "verified":
            self.current = false()
            self.in_basis = copy.id.is_not(None)
        else:
            self.current = and_(sub.id.is_not(None), sub.state.in_(COUNTED_STATES))
            self.in_basis = or_(self.current, copy.id.is_not(None))

    def join(self, statement, agency_id):
        """``statement`` with the agency's submission for the period and the copy that counts, outer-joined."""
        sub = self.submission
        statement = statement.join(sub, and_(sub.agency_id == agency_id, sub.period_year == self.period),
                                   isouter=True)
        return statement.join(self.copy, self.copy_condition(), isouter=True)

    def copy_condition(self):
        """The submission's last verified copy, when it is the one that counts."""
        sub, copy = self.submission, self.copy
        condition = and_(copy.submission_id == sub.id, copy.sequence == sub.verified_sequence)
        if self.basis == "reported":
            condition = and_(condition, sub.state.not_in(COUNTED_STATES))
        return condition

    def join_statuses(self, statement, service_id):
        """After ``join``: the service's status that counts, outer-joined."""
        copied = self.copied_status
        statement = statement.join(copied, and_(copied.copy_id == self.copy.id, copied.service_id == service_id),
                                   isouter=True)
        if self.basis == "reported":
            current = self.current_status
            statement = statement.join(current, and_(self.current, current.submission_id == self.submission.id,
                                                     current.service_id == service_id), isouter=True)
        return statement

    def field(self, name: str):
        """An adoption-report column as it counts (NULL outside the basis)."""
        copied = getattr(self.copy, name)
        if self.basis == "verified":
            return copied
        return case((self.current, getattr(self.submission, name)), else_=copied)

    def status(self, name: str):
        """A service-status column as it counts (NULL when there is none). At most
        one of the two status joins matches: the copy is joined only when the
        current entries do not count."""
        copied = getattr(self.copied_status, name)
        if self.basis == "verified":
            return copied
        return func.coalesce(getattr(self.current_status, name), copied)

    def level(self):
        """The level a service counts at: 0 without a status in the basis."""
        return func.coalesce(self.status("level"), 0)

    def known_level(self):
        """The level a service counts at, NULL ("no verified data", rule 3) while its
        agency's submission is not in the basis; 0 when the submission is in the basis
        and does not mention it (§8.3)."""
        return case((self.in_basis, func.coalesce(self.status("level"), 0)), else_=None)

    def flag(self):
        """Whether the row is in the basis, as a boolean (never NULL)."""
        return case((self.in_basis, True), else_=False)
