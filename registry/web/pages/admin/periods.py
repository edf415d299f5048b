"""Reporting periods: list with each one's submissions by state, create, open, close."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from registry.core.errors import DomainError
from registry.models import PeriodStatus, ReportingPeriod, State, Submission
from registry.submissions import periods as period_operations
from registry.web.admin_forms import ButtonForm, PeriodForm
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


def _set_period(year: int, status: str, message: str):
    require_admin("reporting_period", year)
    period = load(ReportingPeriod, year)
    form = ButtonForm()
    if not form.validate():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và thử lại."), "error")
        return redirect(url_for(".periods"))
    try:
        period_operations.set_period_status(get_session(), current_actor(), period, status)
    except DomainError as exc:
        return _periods_page(PeriodForm(formdata=None), refused(exc))
    flash(message, "info")
    return redirect(url_for(".periods"))


@bp.post("/periods/<int:year>/open")
def period_open(year: int):
    return _set_period(year, PeriodStatus.open.value, _("Đã mở kỳ báo cáo %(year)s.", year=year))


@bp.post("/periods/<int:year>/close")
def period_close(year: int):
    return _set_period(year, PeriodStatus.closed.value, _("Đã khóa kỳ báo cáo %(year)s.", year=year))
