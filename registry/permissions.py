"""Who may do what (SPEC §4), as plain predicates of a user and an object.

Every view, API call and command asks here; templates receive the answers as
booleans and never look at roles themselves. ``user`` may be None (anonymous).
What a user may do to one submission is answered once, by
``submission_actions``, for the buttons of the pages and the API's checks alike.
"""

from registry.core.errors import Msg
from registry.models import Agency, ReportingPeriod, Role, State, Submission, User
from registry.submissions import workflow


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


def can_enter_indicators(user: User | None) -> bool:
    """Enter province-wide indicator values (SPEC §3b): the DIC's auditors."""
    return _role(user) == Role.auditor.value


def can_verify_indicators(user: User | None) -> bool:
    """Verify them: another auditor or an administrator (the operation refuses whoever entered it)."""
    return _role(user) in (Role.auditor.value, Role.admin.value)


def can_administer(user: User | None) -> bool:
    """Agencies, the service catalogue, users, periods and targets."""
    return _role(user) == Role.admin.value


def can_use_workspace(user: User | None) -> bool:
    return _role(user) == Role.focal.value


# Who may take each action on a submission, whatever its state: the focal point of its
# agency edits and submits; an auditor verifies, returns and reopens.
_ACTION_ROLES = {"edit": "focal", "submit": "focal", "verify": "auditor", "return": "auditor", "reopen": "auditor"}


def submission_actions(user: User | None, agency: Agency, period: ReportingPeriod | None,
                       submission: Submission | None) -> dict[str, Msg | None]:
    """The actions ``user`` may take on ``agency``'s submission of ``period`` (None when it
    has none yet): each maps to None when it can be taken now, or to the reason it
    cannot (the workflow's rule, workflow.refusal). Actions missing from the answer are
    not the user's to take at all (a refusal is then a 403, not a 409)."""
    role = _role(user)
    state = submission.state if submission is not None else State.draft.value
    answer = {}
    for action in workflow.ACTIONS:
        needed = _ACTION_ROLES[action]
        if role != needed or (needed == Role.focal.value and not is_focal_of(user, agency)):
            continue
        answer[action] = workflow.refusal(action, period, state, getattr(period, "year", None))
    return answer


def offered(actions: dict[str, Msg | None]) -> frozenset[str]:
    """The actions the page shows as buttons: those that can be taken now."""
    return frozenset(action for action, reason in actions.items() if reason is None)
