"""Reporting periods (SPEC §2): reading them for the pages, the API and the CLI, and the
administrator's operations that create, open and close them (audited)."""

from sqlalchemy import and_, case, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.catalogue.validity import valid_in
from registry.core.errors import N_, Conflict, Msg, NotFound, ValidationFailed
from registry.core.validation import FormReader
from registry.core.vocabulary import PERIOD_STATUS_LABELS
from registry.models import Agency, PeriodStatus, ReportingPeriod, State, Submission, default_due_date
from registry.targets.basis import BASES
from registry.targets.publication import COUNTING_RULES, outdated_periods, publish, republish_reason


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
    """The public default (rule 10, §8.2): the latest closed (or correcting: the public
    keeps its published figures) period; without one, the latest period. One query."""
    published = ReportingPeriod.status.in_((PeriodStatus.closed.value, PeriodStatus.correcting.value))
    return session.exec(select(ReportingPeriod.year)
                        .order_by(case((published, 1), else_=0).desc(), ReportingPeriod.year.desc())
                        .limit(1)).first()


latest_public_period = latest_verified_period


def period_statuses(session: Session) -> dict[int, str]:
    """Each period's status, by year (the pages label a provisional period)."""
    return dict(session.exec(select(ReportingPeriod.year, ReportingPeriod.status)).all())


def unfinished(session: Session, year: int) -> dict[str, list[tuple[str, str]]]:
    """What closing ``year`` would leave unfinished (rule 13): (code, name) of the agencies
    whose submission is a draft, submitted or returned, and of the agencies valid in
    the period with no submission at all, each list in Vietnamese order."""
    found: dict[str, list[tuple[str, str]]] = {"draft": [], "submitted": [], "returned": [], "nothing": []}
    rows = session.execute(
        sa_select(Agency.code, Agency.name, Submission.state).select_from(Agency)
        .join(Submission, and_(Submission.agency_id == Agency.id, Submission.period_year == year), isouter=True)
        .where(or_(Submission.id.is_not(None), valid_in(Agency, year)))
        .order_by(Agency.name_sort, Agency.code))
    for code, name, state in rows:
        if state is None:
            found["nothing"].append((code, name))
        elif state != State.verified.value:
            found[state].append((code, name))
    return found


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
    """Open or close a period (the form's buttons): closing publishes (rule 12); opening a
    closed period takes a reason (``reopen_period``)."""
    if status not in [s.value for s in PeriodStatus]:
        raise ValidationFailed(N_("Trạng thái kỳ báo cáo không hợp lệ."),
                               fields={"status": Msg(N_("phải là một trong: %(choices)s"),
                                                     choices=", ".join(s.value for s in PeriodStatus))})
    if status == PeriodStatus.closed.value:
        return close_period(session, actor, period)
    if status == PeriodStatus.correcting.value:
        raise ValidationFailed(N_("Mở lại một kỳ đã khóa cần nêu lý do đính chính."),
                               fields={"reason": N_("bắt buộc")})
    if period.status == PeriodStatus.open.value:
        raise Conflict(N_("Kỳ báo cáo %(year)s đang mở rồi."), year=period.year)
    raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa; muốn sửa số liệu, hãy mở lại để đính chính và nêu lý do."),
                   year=period.year)


def open_period(session: Session, actor: Actor, year) -> ReportingPeriod:
    """Open a new period (``registry period open YEAR``); a closed one is re-opened with
    ``reopen_period`` instead."""
    number = FormReader({"year": year}).year("year")
    period = session.get(ReportingPeriod, number) if number is not None else None
    if period is None:
        return create_period(session, actor, year)
    return set_period_status(session, actor, period, PeriodStatus.open.value)


def close_period(session: Session, actor: Actor, period: ReportingPeriod) -> ReportingPeriod:
    """Close and publish ``period`` (rules 12, 13). The doors first show what is unfinished
    (``unfinished``) and ask; closing a correcting period republishes and lists each
    changed figure as a correction, with the reason given when it was re-opened."""
    if period.status == PeriodStatus.closed.value:
        raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa rồi."), year=period.year)
    before, reason = period.status, period.correction_reason
    left = {state: len(agencies) for state, agencies in unfinished(session, period.year).items()}
    period.status = PeriodStatus.closed.value
    period.correction_reason = None
    session.flush()
    correction = publish(session, period, reason)
    after = {"status": period.status, "unfinished": left}
    if correction is not None:
        after["correction"] = {"reason": correction.reason, "changes": len(correction.changes)}
    audit.record(session, actor, "period.close", "reporting_period", period.year, {"status": before}, after)
    session.flush()
    return period


def reopen_period(session: Session, actor: Actor, period: ReportingPeriod, reason) -> ReportingPeriod:
    """Re-open a closed period for a correction (rule 12): the public keeps its published
    figures until it is closed again."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationFailed(N_("Hãy nêu lý do mở lại kỳ báo cáo để đính chính."), fields={"reason": N_("bắt buộc")})
    if len(text) > 2000:
        raise ValidationFailed(N_("Lý do quá dài."), fields={"reason": N_("tối đa 2000 ký tự")})
    if period.status != PeriodStatus.closed.value:
        raise Conflict(N_("Chỉ mở lại được kỳ báo cáo đã khóa; kỳ %(year)s %(status)s."), year=period.year,
                       status=Msg(PERIOD_STATUS_LABELS.get(period.status, period.status)))
    period.status = PeriodStatus.correcting.value
    period.correction_reason = text
    audit.record(session, actor, "period.reopen", "reporting_period", period.year,
                 {"status": PeriodStatus.closed.value}, {"status": period.status}, comment=text)
    session.flush()
    return period


def republish_outdated(session: Session, actor: Actor) -> list[ReportingPeriod]:
    """Publish again every closed period counted under older rules than the registry's
    (SPEC §8.1), each as one correction with the rules' reason; done by ``registry init``
    once an upgrade has changed how figures are counted. The public saw the old figures:
    where they were never stored, the correction lists the new ones against nothing."""
    done = []
    for period, before in outdated_periods(session):
        correction = publish(session, period, republish_reason(), shown_before=True)
        audit.record(session, actor, "period.republish", "reporting_period", period.year, {"rules": before},
                     {"rules": COUNTING_RULES,
                      "correction": None if correction is None else len(correction.changes)},
                     comment=republish_reason())
        done.append(period)
    session.flush()
    return done
