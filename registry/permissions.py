"""Who may do what (SPEC §4), as plain predicates of a user and an object.

Every view, API call and command asks here; templates receive the answers as
booleans and never look at roles themselves. ``user`` may be None (anonymous).
"""

from registry.models import Agency, Role, User


def _role(user: User | None) -> str | None:
    if user is None or getattr(user, "is_anonymous", False) or not user.active:
        return None
    return user.role


def is_focal_of(user: User | None, agency: Agency) -> bool:
    return _role(user) == Role.focal.value and user.agency_id == agency.id


def can_read_private(user: User | None, agency: Agency) -> bool:
    """Drafts, history and the submission of an agency: its focal point, auditors, admins."""
    return _role(user) in (Role.auditor.value, Role.admin.value) or is_focal_of(user, agency)


def can_edit(user: User | None, agency: Agency) -> bool:
    """Edit the agency's draft and submit it (the workflow then checks period and state)."""
    return is_focal_of(user, agency)


def can_review(user: User | None) -> bool:
    """Verify, return and reopen submissions."""
    return _role(user) == Role.auditor.value


def can_see_review_lists(user: User | None) -> bool:
    """The queue, late agencies and the DIC's report."""
    return _role(user) in (Role.auditor.value, Role.admin.value)


def can_read_audit_log(user: User | None) -> bool:
    return _role(user) in (Role.auditor.value, Role.admin.value)


def can_administer(user: User | None) -> bool:
    """Agencies, the service catalogue, users, periods and targets."""
    return _role(user) == Role.admin.value


def can_use_workspace(user: User | None) -> bool:
    return _role(user) == Role.focal.value
