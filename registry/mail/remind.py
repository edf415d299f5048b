"""``registry remind``: one reminder per late agency, to each of its active focal points
(SPEC §3d), written to the outbox; never twice within 24 hours unless forced."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.core.errors import N_, Conflict
from registry.mail.outbox import enqueue
from registry.models import Agency, OutboxMessage, PeriodStatus, ReportingPeriod, utcnow
from registry.submissions import season

QUIET = timedelta(hours=24)


@dataclass
class Reminders:
    year: int
    due: object
    written: list[tuple[Agency, list[str], int]] = field(default_factory=list)  # agency, e-mails, days overdue
    recent: list[Agency] = field(default_factory=list)  # reminded within 24 hours: skipped
    unreachable: list[Agency] = field(default_factory=list)  # late, but no active focal point

    @property
    def messages(self) -> int:
        return sum(len(emails) for _a, emails, _d in self.written)


def topic(year: int, agency: Agency) -> str:
    return f"reminder/{year}/{agency.code}"


def remind(session: Session, actor: Actor, period: ReportingPeriod, force: bool = False,
           now: datetime | None = None) -> Reminders:
    """Write the reminders (the caller rolls back for a dry run)."""
    if period.status != PeriodStatus.open.value:
        raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa; không gửi nhắc nhở."), year=period.year)
    now = now or utcnow()
    result = Reminders(period.year, period.due)
    late = season.late(session, period, now)
    recent = set()
    if late and not force:
        recent = set(session.exec(select(OutboxMessage.topic).where(
            OutboxMessage.kind == "reminder", OutboxMessage.created_at > now - QUIET,
            OutboxMessage.topic.in_([topic(period.year, row.agency) for row in late]))))
    for row in late:
        if not row.focal_points:
            result.unreachable.append(row.agency)
            continue
        key = topic(period.year, row.agency)
        if key in recent:
            result.recent.append(row.agency)
            continue
        payload = {"agency": row.agency.name, "code": row.agency.code, "year": period.year,
                   "due": period.due.isoformat(), "days": row.days_overdue}
        for user in row.focal_points:
            message = enqueue(session, "reminder", key, user, payload)
            message.created_at = now
        emails = [u.email for u in row.focal_points]
        result.written.append((row.agency, emails, row.days_overdue))
        audit.record(session, actor, "submission.remind", "submission", f"{row.agency.code}/{period.year}",
                     after={"to": emails, "days_overdue": row.days_overdue, "forced": force})
    session.flush()
    return result
