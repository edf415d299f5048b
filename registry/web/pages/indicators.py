"""Province-wide indicators (SPEC §3b): the public's page, and the auditors' page where
values are entered with their source and verified by a second person.

Every page: load (404) → permission (403) → validate → one operation → redirect.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from registry import permissions as can
from registry.core import generations, numbers
from registry.core.errors import N_, DomainError, NotFound
from registry.indicators import values
from registry.indicators.definitions import all_indicators
from registry.indicators.results import indicator_results
from registry.models import IndicatorValue, ReportingPeriod
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.web import shared
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.gate import require
from registry.web.lifecycle import refused

bp = Blueprint("indicators", __name__)


@bp.app_template_global("exact_number")
def exact_number(text: str | None) -> str:
    """An exact decimal in the reader's locale, every digit kept ("3,5" in Vietnamese)."""
    return numbers.exact(text, get_locale())


class IndicatorForm(FlaskForm):
    """Strings as typed: the operation reads them (one rule for the page, the file and the CLI)."""

    value = StringField(_l("Giá trị"), validators=[Length(max=40)])
    numerator = StringField(_l("Tử số"), validators=[Length(max=40)])
    denominator = StringField(_l("Mẫu số"), validators=[Length(max=40)])
    source = TextAreaField(_l("Nguồn số liệu"), validators=[Length(max=2000)])
    evidence_url = StringField(_l("Liên kết minh chứng"), validators=[Length(max=2000)])


def _period(session) -> ReportingPeriod | None:
    year = request.args.get("period") or latest_verified_period(session)
    return None if year is None else period_or_404(session, year)


@bp.get("/indicators")
@shared.per_generation
def index():
    session = generations.only_reads(get_session())
    period = _period(session)
    results = indicator_results(session, period) if period is not None else []
    years = list(session.exec(select(ReportingPeriod.year).order_by(ReportingPeriod.year))) if period else []
    return render_template("indicators/index.html", period=period, results=results, periods=years)


def _entry_page(session, period, forms=None, status=200):
    rows = {row.indicator_code: row for row in session.exec(
        select(IndicatorValue).where(IndicatorValue.period_year == period.year))}
    user = actor()
    forms = forms or {}
    items = []
    for indicator in all_indicators(session):
        row = rows.get(indicator.code)
        form = forms.get(indicator.code) or IndicatorForm(formdata=None, prefix=indicator.code, obj=row)
        items.append({"indicator": indicator, "row": row, "form": form,
                      "may_verify": row is not None and row.state == "entered" and can.can_verify_indicators(user)
                      and row.entered_by_id != getattr(user, "id", None)})
    return render_template("indicators/enter.html", period=period, items=items,
                           may_enter=can.can_enter_indicators(user)), status


@bp.get("/review/indicators")
def enter_latest():
    """The auditors' way in: the latest period (the open one, while there is one)."""
    session = get_session()
    require(can.can_see_review_lists(actor()), "indicators")
    year = session.exec(select(ReportingPeriod.year).order_by(ReportingPeriod.status != "open",
                                                              ReportingPeriod.year.desc())).first()
    if year is None:
        raise NotFound(N_("Chưa có kỳ báo cáo nào."))
    return redirect(url_for(".enter_page", year=year))


@bp.get("/review/indicators/<int:year>")
def enter_page(year: int):
    session = get_session()
    period = period_or_404(session, year)
    require(can.can_see_review_lists(actor()), "indicators", year)
    return _entry_page(session, period)


@bp.post("/review/indicators/<int:year>/<code>")
def enter(year: int, code: str):
    session = get_session()
    period = period_or_404(session, year)
    indicator = values.indicator_or_404(session, code)
    require(can.can_enter_indicators(actor()), "indicator_value", f"{code}/{year}")
    form = IndicatorForm(prefix=indicator.code)
    if not form.validate_on_submit():
        flash(_("Chưa lưu được; hãy xem lại các mục được đánh dấu."), "error")
        return _entry_page(session, period, {indicator.code: form}, status=422)
    entry = values.Entry(form.value.data, form.numerator.data, form.denominator.data, form.source.data,
                         form.evidence_url.data)
    try:
        values.enter(session, current_actor(), indicator.code, year, entry)
    except DomainError as exc:
        status = refused(exc, form)
        return _entry_page(session, period, {indicator.code: form}, status=status)
    flash(_("Đã lưu giá trị chỉ số; giá trị chờ một người khác xác minh."), "info")
    return redirect(url_for(".enter_page", year=year) + f"#indicator-{indicator.code}")


@bp.post("/review/indicators/<int:year>/<code>/verify")
def verify(year: int, code: str):
    session = get_session()
    period = period_or_404(session, year)
    indicator = values.indicator_or_404(session, code)
    require(can.can_verify_indicators(actor()), "indicator_value", f"{code}/{year}")
    if not FlaskForm().validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
        return redirect(url_for(".enter_page", year=year))
    try:
        values.verify(session, current_actor(), indicator.code, year)
    except DomainError as exc:
        status = refused(exc)
        return _entry_page(session, period, status=status)
    flash(_("Đã xác minh giá trị chỉ số."), "info")
    return redirect(url_for(".enter_page", year=year) + f"#indicator-{indicator.code}")
