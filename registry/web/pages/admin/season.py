"""The reporting season for administrators (SPEC §3d): each open period's due date, and
the outbox of e-mail with what became of each message."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func
from sqlmodel import select
from wtforms import StringField

from registry.catalogue.paging import page_count
from registry.catalogue.parameters import parse_page_number
from registry.core.errors import DomainError
from registry.mail.sender import retry_dead
from registry.models import OUTBOX_STATUSES, OutboxMessage, PeriodStatus, ReportingPeriod
from registry.submissions import season
from registry.web.admin_forms import ButtonForm
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import bp, load, require_admin

OUTBOX_PAGE = 100  # messages per page of the outbox, newest first


class DueDateForm(FlaskForm):
    due_date = StringField(_l("Hạn nộp"))


def _page(status=200, forms=None):
    session = get_session()
    periods = session.exec(select(ReportingPeriod).where(ReportingPeriod.status == PeriodStatus.open.value)
                           .order_by(ReportingPeriod.year.desc())).all()
    shown = request.args.get("status", "")
    number = parse_page_number(request.args.get("page"))
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    counts = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    if shown in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == shown)
        pages = page_count(counts.get(shown, 0), OUTBOX_PAGE)
    else:
        shown = ""
        pages = page_count(sum(counts.values()), OUTBOX_PAGE)
    number = min(number, pages)  # past the end: the last page
    messages = session.exec(query.offset((number - 1) * OUTBOX_PAGE).limit(OUTBOX_PAGE)).all()
    forms = forms or {}
    return render_template(
        "admin/season.html", periods=periods, messages=messages, counts=counts, page=number, pages=pages,
        statuses=OUTBOX_STATUSES, shown=shown, button=ButtonForm(formdata=None),
        forms={p.year: forms.get(p.year) or DueDateForm(formdata=None, due_date=p.due.isoformat()) for p in periods},
    ), status


@bp.get("/season")
def season_page():
    require_admin("outbox_message")
    return _page()


@bp.post("/periods/<int:year>/due")
def period_due(year: int):
    require_admin("reporting_period", year)
    period = load(ReportingPeriod, year)
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
        return redirect(url_for(".season_page"))
    try:
        season.set_due_date(get_session(), current_actor(), period, form.due_date.data or "")
    except DomainError as exc:
        status = refused(exc)
        return _page(status, {year: form})
    flash(_("Hạn nộp kỳ %(year)s: %(due)s.", year=year, due=period.due.strftime("%d/%m/%Y")), "info")
    return redirect(url_for(".season_page"))


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    require_admin("outbox_message", message_id)
    message = load(OutboxMessage, message_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
    elif message.status != "dead":
        flash(_("Thư này không ở trạng thái bỏ; không cần gửi lại."), "error")
    else:
        retry_dead(get_session(), current_actor(), message.id)
        flash(_("Thư sẽ được gửi lại ở lần chạy `registry mail send` tới."), "info")
    return redirect(url_for(".season_page", status=request.args.get("status", "")))
