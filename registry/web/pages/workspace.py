"""The IT focal point's workspace: their agency's entries for the open period."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import HiddenField

from registry import permissions as can
from registry.core.errors import Conflict, DomainError, ValidationFailed, translate
from registry.models import REPORT_FIELDS, Agency, ReportingPeriod, Submission
from registry.submissions import history, workflow
from registry.submissions.entries import STATUS_TEXT_FIELDS, agency_by_code, load_entries, save
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.gate import require
from registry.web.lifecycle import refused
from registry.web.templating import Organisation

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

class EntriesForm(FlaskForm):
    """Carries the CSRF token and the version read; the values are parsed by
    submissions.parse_edits, the same parser as the API's."""

    version = HiddenField()
    action = HiddenField()


@bp.get("/")
def index():
    user = actor()
    require(can.can_use_workspace(user), "workspace")
    session = get_session()
    agency = session.get(Agency, user.agency_id)
    periods = session.exec(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).all()
    submissions = {s.period_year: s for s in session.exec(select(Submission).where(Submission.agency_id == agency.id))}
    return render_template("workspace/index.html", agency=agency, periods=periods, submissions=submissions)


def _raw_edits(form) -> tuple[dict, list[dict]]:
    """The report and service values as the form sent them (strings)."""
    report = {name: form.get(f"report-{name}", "") for name in REPORT_FIELDS if f"report-{name}" in form}
    services = []
    for code in form.getlist("service"):
        item = {"code": code}
        for name in ("level", *STATUS_TEXT_FIELDS):
            key = f"svc-{code}-{name}"
            if key in form:
                item[name] = form.get(key, "")
        services.append(item)
    return report, services


def _comparison(session, agency, year, entries) -> dict:
    """The previous verified period's figures, and which of this period's differ sharply."""
    previous = history.previous_verified(session, agency, year)
    if previous is None:
        return {"year": None, "report": {}, "levels": {}, "sudden": set()}
    levels = {e.service.id: (e.service.code, e.level) for e in entries.services}
    return {"year": previous.year, "report": previous.report,
            "levels": {sid: values["level"] for sid, values in previous.statuses.items()},
            "sudden": history.sudden_changes(previous, entries.report, levels)}


def _render(session, agency, year, form, entries, errors=None, raw=None, current=None, status=200):
    actions = can.offered(can.submission_actions(actor(), agency, entries.period, entries.submission))
    return render_template(
        "workspace/entries.html", agency=agency, year=year, entries=entries, form=form,
        errors=errors or {}, raw=raw, current=current, actions=actions, can_edit="edit" in actions,
        compare=_comparison(session, agency, year, entries),
        missing=workflow.missing_for_submit(session, entries.submission) if entries.submission else {},
    ), status


@bp.get("/<code>/<int:year>")
def entries(code: str, year: int):
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_read_private(actor(), agency), "submission", f"{code}/{year}")
    entries = load_entries(session, agency, year)
    form = EntriesForm(version=entries.version)
    return _render(session, agency, year, form, entries)


@bp.post("/<code>/<int:year>")
def save_entries(code: str, year: int):
    """Save the draft, and submit it when the form's button says so. A submission that
    fails keeps the save: the submit runs in a savepoint of its own."""
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_edit(actor(), agency), "submission", f"{code}/{year}")
    form = EntriesForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
        return redirect(url_for(".entries", code=code, year=year))
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = -1
    report, services = _raw_edits(request.form)
    raw = {"report": report, "services": {s["code"]: s for s in services}}
    try:
        submission = save(session, agency, year, current_actor(), version, report, services)
    except Conflict as exc:
        refused(exc)
        current = load_entries(session, agency, year)
        return _render(session, agency, year, form, current, raw=raw, current=current, status=409)
    except ValidationFailed as exc:
        refused(exc)
        errors = {k: translate(v, _) for k, v in exc.fields.items()}
        return _render(session, agency, year, form, load_entries(session, agency, year), errors, raw, status=422)
    if form.action.data != "submit":
        flash(_("Đã lưu bản nháp."), "info")
        return redirect(url_for(".entries", code=code, year=year))
    try:
        with session.begin_nested():
            workflow.submit(session, submission, current_actor())
    except DomainError as exc:
        flash(_("Đã lưu bản nháp, nhưng chưa gửi được.") + " " + translate(exc.message, _), "error")
        errors = {k: translate(v, _) for k, v in exc.fields.items()}
        entries = load_entries(session, agency, year)
        return _render(session, agency, year, EntriesForm(version=entries.version), entries, errors, status=422)
    flash(_("Đã gửi báo cáo để %(department)s xác minh.", department=Organisation().department), "info")
    return redirect(url_for(".entries", code=code, year=year))
