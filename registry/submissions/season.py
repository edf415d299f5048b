"""The reporting season (SPEC §3d, §8.13): due dates, who is late and how to reach them,
and how the open period's reports moved over time.

An agency is late when the period's due date has passed, it has not submitted
now, and it did not submit by the due date (a report returned after the due
date is "returned", not late). Dates are the province's (Asia/Ho_Chi_Minh).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.catalogue.paging import page_count
from registry.core.errors import N_, Conflict, ValidationFailed
from registry.models import (
    Agency,
    AuditEvent,
    PeriodStatus,
    ReportingPeriod,
    Role,
    State,
    Submission,
    User,
    aware,
    default_due_date,
    utcnow,
)
from registry.submissions import workflow

PROVINCE = ZoneInfo("Asia/Ho_Chi_Minh")
NOT_SUBMITTED = (State.draft.value, State.returned.value)


def local_day(moment: datetime) -> date:
    return aware(moment).astimezone(PROVINCE).date()


def today(now: datetime | None = None) -> date:
    """The province's date now."""
    return local_day(now or utcnow())


def days_overdue(due: date, on: date) -> int:
    """Days past the due date (0 on the due date itself and before it)."""
    return max((on - due).days, 0)


@dataclass
class SeasonRow:
    """An active agency that has not submitted the period's report."""

    agency: Agency
    state: str  # display state: none, draft, reopened or returned
    updated_at: datetime | None
    submitted_at: datetime | None
    days_overdue: int
    focal_points: list[User] = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.days_overdue > 0


def _submitted_in_time(submitted_at: datetime | None, due: date) -> bool:
    return submitted_at is not None and local_day(submitted_at) <= due


def _not_submitted_in(query, period: ReportingPeriod):
    """``query`` over active agencies outer-joined to the period's submission, kept when it has
    not been submitted: the list and its counts read the same rows."""
    return (query.outerjoin(Submission, and_(Submission.agency_id == Agency.id, Submission.period_year == period.year))
            .where(Agency.active, or_(Submission.id.is_(None), Submission.state.in_(NOT_SUBMITTED))))


def not_submitted(session: Session, period: ReportingPeriod, now: datetime | None = None,
                  limit: int | None = None, offset: int = 0) -> list[SeasonRow]:
    """Every active agency that has not submitted the period's report (no report, a draft,
    a reopened or a returned one), with days overdue and its active focal points; by code,
    ``limit`` of them after ``offset`` (a page). Two queries whatever the number of agencies."""
    on, due = today(now), period.due
    rows = session.exec(
        _not_submitted_in(select(Agency, Submission.state, Submission.verified_sequence, Submission.updated_at,
                                 Submission.submitted_at), period)
        .order_by(Agency.code).offset(offset).limit(limit)
    ).all()
    result = []
    for agency, state, sequence, updated, submitted in rows:
        overdue = 0 if _submitted_in_time(submitted, due) else days_overdue(due, on)
        display = "none" if state is None else workflow.display_state(state, sequence)
        result.append(SeasonRow(agency, display, updated, submitted, overdue))
    by_agency = {row.agency.id: row for row in result}
    # asked even for no agency: the page's number of queries does not depend on the data
    for user in session.exec(select(User).where(User.role == Role.focal.value, User.active,
                                                User.agency_id.in_(list(by_agency))).order_by(User.email)):
        by_agency[user.agency_id].focal_points.append(user)
    return result


def late(session: Session, period: ReportingPeriod, now: datetime | None = None) -> list[SeasonRow]:
    return [row for row in not_submitted(session, period, now) if row.late]


@dataclass
class SeasonPage:
    """A page of a period's agencies that have not submitted, with the counts of the whole list."""

    period: ReportingPeriod
    rows: list[SeasonRow]
    not_submitted: int  # in all, not only on this page
    late: int
    number: int
    pages: int


def not_submitted_page(session: Session, period: ReportingPeriod, number: int, size: int,
                       now: datetime | None = None) -> SeasonPage:
    """Page ``number`` (1 first; past the end, the last) of ``not_submitted``, and how many
    agencies have not submitted and how many of them are late, over the whole list."""
    on, due = today(now), period.due
    submitted = session.exec(_not_submitted_in(select(Submission.submitted_at).select_from(Agency), period)).all()
    late_count = 0 if on <= due else sum(1 for moment in submitted if not _submitted_in_time(moment, due))
    pages = page_count(len(submitted), size)
    number = min(number, pages)
    rows = not_submitted(session, period, now, limit=size, offset=(number - 1) * size)
    return SeasonPage(period, rows, len(submitted), late_count, number, pages)


def _unstaffed():
    staffed = select(User.agency_id).where(User.role == Role.focal.value, User.active, User.agency_id.is_not(None))
    return (Agency.active, Agency.id.not_in(staffed))


def agencies_without_focal_point(session: Session, limit: int | None = None, offset: int = 0) -> list[Agency]:
    """Active agencies with no active focal-point account: nobody can report for them (by code,
    ``limit`` of them after ``offset``)."""
    return list(session.exec(select(Agency).where(*_unstaffed()).order_by(Agency.code).offset(offset).limit(limit)))


def count_without_focal_point(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Agency).where(*_unstaffed())).one()


# --- the administrator's due date -------------------------------------------------------

def set_due_date(session: Session, actor: Actor, period: ReportingPeriod, value) -> ReportingPeriod:
    """Change a period's due date (an administrator's decision), audited."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed(N_("Hạn nộp phải là một ngày dạng NNNN-TT-NN, ví dụ 2026-01-31."),
                                   fields={"due_date": N_("không hợp lệ")}) from None
    if not isinstance(value, date):
        raise ValidationFailed(N_("Hạn nộp phải là một ngày dạng NNNN-TT-NN, ví dụ 2026-01-31."),
                               fields={"due_date": N_("bắt buộc")})
    if not period.year <= value.year <= period.year + 2:
        raise ValidationFailed(N_("Hạn nộp của kỳ %(year)s phải trong năm %(year)s đến năm %(last)s."),
                               fields={"due_date": N_("ngoài khoảng cho phép")}, year=period.year,
                               last=period.year + 2)
    if period.status != PeriodStatus.open.value:
        raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa; không đổi hạn nộp."), year=period.year)
    before = period.due
    if before == value and period.due_date is not None:
        return period
    period.due_date = value
    audit.record(session, actor, "period.due_date", "reporting_period", period.year,
                 {"due_date": before}, {"due_date": value})
    session.flush()
    return period


# --- progress over time ---------------------------------------------------------------------

PROGRESS_STATES = ("none", State.draft.value, State.submitted.value, State.returned.value, State.verified.value)
_AFTER = {"submission.create": "draft", "submission.submit": "submitted", "submission.return": "returned",
          "submission.verify": "verified", "submission.reopen": "draft",
          "submission.import_submitted": "submitted", "submission.import_verified": "verified"}


@dataclass
class ProgressPoint:
    day: date
    counts: dict[str, int]


def progress(session: Session, period: ReportingPeriod, now: datetime | None = None,
             points: int = 12) -> list[ProgressPoint]:
    """How many active agencies were in each state at the end of each of up to ``points``
    days, from the period's first submission event to today, replayed from the audit
    trail (one query). Agencies count as "none" until their report exists."""
    suffix = f"/{period.year}"
    events = session.exec(
        select(AuditEvent.at, AuditEvent.entity_key, AuditEvent.action)
        .where(AuditEvent.entity == "submission", AuditEvent.entity_key.like(f"%{suffix}"),
               AuditEvent.action.in_(list(_AFTER)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    active = {code for code in session.exec(select(Agency.code).where(Agency.active))}
    end = today(now)
    if not events:
        return [ProgressPoint(end, {"none": len(active), **{s: 0 for s in PROGRESS_STATES[1:]}})]
    start = local_day(events[0][0])
    span = max((end - start).days, 0)
    step = max(-(-span // max(points - 1, 1)), 1)
    days = [start + timedelta(days=n) for n in range(0, span + 1, step)]
    if days[-1] != end:
        days.append(end)
    states: dict[str, str] = {}
    result, i = [], 0
    for day in days:
        while i < len(events) and local_day(events[i][0]) <= day:
            _at, key, action = events[i]
            code = key[: -len(suffix)]
            if code in active:
                states[code] = _AFTER[action]
            i += 1
        counts = {s: 0 for s in PROGRESS_STATES}
        for state in states.values():
            counts[state] += 1
        counts["none"] = len(active) - sum(counts[s] for s in PROGRESS_STATES[1:])
        result.append(ProgressPoint(day, counts))
    return result


def default_due(year: int) -> date:
    return default_due_date(year)
