"""How many sign-ins failed lately, per account and per client address.

Counted in the audit log, so the limit holds across every worker and server
sharing the database.
"""

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from registry.accounts.passwords import normalise_email
from registry.models import AuditEvent, utcnow

# Failed sign-ins allowed within the window, per account and per client address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def recent_failures(session: Session, email: str, address: str | None) -> tuple[int, int]:
    """Failed sign-ins within the window: for this account, and from this address."""
    since = utcnow() - THROTTLE_WINDOW
    failed = (AuditEvent.action == "login.failed") & (AuditEvent.at >= since)
    per_account = session.exec(select(func.count()).select_from(AuditEvent).where(
        failed, AuditEvent.entity_key == normalise_email(email)[:254])).one()
    per_address = session.exec(select(func.count()).select_from(AuditEvent).where(
        failed, AuditEvent.address == address)).one() if address else 0
    return per_account, per_address


