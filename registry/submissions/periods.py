"""Small read queries shared by the pages, the API and the CLI."""

from sqlmodel import Session, select

from registry.core.errors import N_, NotFound, ValidationFailed
from registry.models import ReportingPeriod, Submission
from registry.targets.engine import BASES


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
