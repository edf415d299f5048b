"""Reporting periods: list with each one's submissions by state, create, open, close (after a
confirmation page listing what is unfinished), re-open for a correction (with a reason)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from registry.core.errors import DomainError
from registry.models import PeriodStatus, ReportingPeriod, State, Submission
from registry.submissions import periods as period_operations
from registry.targets import publication
from registry.web.admin_forms import ButtonForm, CloseForm, PeriodForm, ReopenForm
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import bp, invalid_form, load, require_admin


def _periods_page(form, status=200):
    session = get_session()
    periods = session.execute(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).scalars().all()
    counts: dict[int, dict[str, int]] = {}
    for year, state, number in session.execute(
            select(Submission.period_year, Submission.state, func.count())
            .group_by(Submission.period_year, Submission.state)):
        counts.setdefault(year, {})[state] = number
    return render_template("admin/periods.html", periods=periods, counts=counts, states=[s.value for s in State],
                           form=form, button=ButtonForm(formdata=None)), status


@bp.get("/periods")
def periods():
    require_admin("reporting_period")
    return _periods_page(PeriodForm(formdata=None))


@bp.post("/periods")
def period_new():
    require_admin("reporting_period")
    form = PeriodForm()
    if not form.validate():
        invalid_form()
        return _periods_page(form, 422)
    try:
        period = period_operations.create_period(get_session(), current_actor(), form.year.data)
    except DomainError as exc:
        return _periods_page(form, refused(exc, form))
    flash(_("Đã tạo kỳ báo cáo %(year)s (đang mở).", year=period.year), "info")
    return redirect(url_for(".periods"))


@bp.post("/periods/<int:year>/open")
def period_open(year: int):
    require_admin("reporting_period", year)
    period = load(ReportingPeriod, year)
    if period.status != PeriodStatus.open.value:
        return redirect(url_for(".period_reopen", year=year))
    form = ButtonForm()
    if not form.validate():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và thử lại."), "error")
        return redirect(url_for(".periods"))
    try:
        period_operations.set_period_status(get_session(), current_actor(), period, PeriodStatus.open.value)
    except DomainError as exc:
        return _periods_page(PeriodForm(formdata=None), refused(exc))
    return redirect(url_for(".periods"))


def _close_page(period, form, status=200):
    session = get_session()
    left = period_operations.unfinished(session, period.year)
    pending = publication.pending_corrections(session, period)
    return render_template("admin/period_close.html", period=period, form=form, unfinished=left,
                           total=sum(len(v) for v in left.values()), pending=pending), status


@bp.route("/periods/<int:year>/close", methods=["GET", "POST"])
def period_close(year: int):
    """What closing leaves unfinished, and a confirmation that works without JavaScript (rule 13)."""
    require_admin("reporting_period", year)
    period = load(ReportingPeriod, year)
    if request.method != "POST":
        return _close_page(period, CloseForm(formdata=None))
    form = CloseForm()
    if not form.validate():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và thử lại."), "error")
        return _close_page(period, form, 422)
    try:
        period_operations.close_period(get_session(), current_actor(), period)
    except DomainError as exc:
        return _close_page(period, form, refused(exc))
    flash(_("Đã khóa và công bố kỳ báo cáo %(year)s.", year=year), "info")
    return redirect(url_for(".periods"))


@bp.route("/periods/<int:year>/reopen", methods=["GET", "POST"])
def period_reopen(year: int):
    """Re-open a closed period for a correction, with the reason the public will read (rule 12)."""
    require_admin("reporting_period", year)
    period = load(ReportingPeriod, year)
    if request.method != "POST":
        return render_template("admin/period_reopen.html", period=period, form=ReopenForm(formdata=None))
    form = ReopenForm()
    if not form.validate():
        invalid_form()
        return render_template("admin/period_reopen.html", period=period, form=form), 422
    try:
        period_operations.reopen_period(get_session(), current_actor(), period, form.reason.data)
    except DomainError as exc:
        status = refused(exc, form)  # before rendering: its messages are on the page
        return render_template("admin/period_reopen.html", period=period, form=form), status
    flash(_("Đã mở lại kỳ báo cáo %(year)s để đính chính; công chúng vẫn thấy số liệu đã công bố đến khi "
            "khóa lại.", year=year), "info")
    return redirect(url_for(".periods"))
