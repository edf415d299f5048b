"""Reporting periods (SPEC §2): reading them for the pages, the API and the CLI, and the
administrator's operations that create, open and close them (audited)."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.core.errors import N_, Conflict, Msg, NotFound, ValidationFailed
from registry.core.validation import FormReader
from registry.models import PeriodStatus, ReportingPeriod, Submission, default_due_date
from registry.targets.basis import BASES


def period_or_404(session: Session, year) -> ReportingPeriod:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(N_("Kỳ báo cáo phải là một năm, ví dụ 2015."),
                               fields={"period": N_("không hợp lệ")}) from None
    period = session.get(ReportingPeriod, year) if 2000 <= year <= 2100 else None
    if period is None:
        raise NotFound(N_("Không có kỳ báo cáo %(year)s."), year=year)
    return period


def check_basis(basis: str | None) -> str:
    basis = basis or "verified"
    if basis not in BASES:
        raise ValidationFailed(N_("Cơ sở tính phải là verified hoặc reported."), fields={"basis": N_("không hợp lệ")})
    return basis


def latest_verified_period(session: Session) -> int | None:
    """The latest period with at least one verified submission: the public default."""
    year = session.exec(select(Submission.period_year).where(Submission.verified_sequence.is_not(None))
                        .order_by(Submission.period_year.desc()).limit(1)).first()
    if year is None:
        year = session.exec(select(ReportingPeriod.year).order_by(ReportingPeriod.year.desc()).limit(1)).first()
    return year


# --- the administrator's operations -------------------------------------------------------

def ensure_period(session: Session, year: int, actor: Actor) -> ReportingPeriod:
    """The period, created open when it does not exist (an import of history, a first draft)."""
    period = session.get(ReportingPeriod, year)
    if period is None:
        period = create_period(session, actor, year)
    return period


def create_period(session: Session, actor: Actor, year, status: str = PeriodStatus.open.value) -> ReportingPeriod:
    f = FormReader({"year": year, "status": status})
    number = f.year("year")
    status = f.choice("status", [s.value for s in PeriodStatus])
    if number is not None and session.get(ReportingPeriod, number) is not None:
        f.taken["year"] = Msg(N_("đã có kỳ báo cáo %(year)s"), year=number)
    f.check(N_("Không tạo được kỳ báo cáo."))
    period = ReportingPeriod(year=number, status=status, due_date=default_due_date(number))
    try:
        with session.begin_nested():
            session.add(period)
    except IntegrityError:
        raise Conflict(N_("Không tạo được kỳ báo cáo."),
                       fields={"year": Msg(N_("đã có kỳ báo cáo %(year)s"), year=number)}) from None
    audit.record(session, actor, "period.create", "reporting_period", number, after={"status": status})
    session.flush()
    return period


def set_period_status(session: Session, actor: Actor, period: ReportingPeriod, status: str) -> ReportingPeriod:
    """Open or close a period. Entries are edited only in an open period."""
    if status not in [s.value for s in PeriodStatus]:
        raise ValidationFailed(N_("Trạng thái kỳ báo cáo không hợp lệ."),
                               fields={"status": Msg(N_("phải là một trong: %(choices)s"),
                                                     choices=", ".join(s.value for s in PeriodStatus))})
    if period.status == status:
        if status == PeriodStatus.open.value:
            raise Conflict(N_("Kỳ báo cáo %(year)s đang mở rồi."), year=period.year)
        raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa rồi."), year=period.year)
    before = period.status
    period.status = status
    action = "period.open" if status == PeriodStatus.open.value else "period.close"
    audit.record(session, actor, action, "reporting_period", period.year, {"status": before}, {"status": status})
    session.flush()
    return period


def open_period(session: Session, actor: Actor, period: ReportingPeriod) -> ReportingPeriod:
    return set_period_status(session, actor, period, PeriodStatus.open.value)


def close_period(session: Session, actor: Actor, period: ReportingPeriod) -> ReportingPeriod:
    return set_period_status(session, actor, period, PeriodStatus.closed.value)
