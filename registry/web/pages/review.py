"""The auditor's pages: queue, review of one submission, late agencies, audit log.

Every page: load (404) → permission (403) → validate → one workflow operation →
commit → redirect. Queries live in registry/reviewing.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from registry import permissions as can
from registry.audit import log as audit_trail
from registry.catalogue.paging import page_count
from registry.catalogue.parameters import parse_page_number
from registry.core.errors import N_, DomainError, NotFound, translate
from registry.models import PeriodStatus, ReportingPeriod
from registry.submissions import review as reviewing
from registry.submissions import season, workflow
from registry.submissions.entries import agency_by_code, load_entries
from registry.submissions.periods import period_or_404
from registry.targets import publication
from registry.web.auth import actor, current_actor
from registry.web.charts import progress_chart
from registry.web.db import get_session
from registry.web.forms import CommentForm
from registry.web.gate import require, require_action
from registry.web.lifecycle import refused
from registry.web.pages.conversation import post_note
from registry.web.pages.opendata import attachment

bp = Blueprint("review", __name__, url_prefix="/review")

MAX_COMMENT = 2000


class ReopenForm(FlaskForm):
    """The version read and the reason; a blank reason is refused by the workflow
    (one rule, for the API too). Verify and return use forms.CommentForm."""

    version = HiddenField()
    reason = TextAreaField(validators=[Length(max=MAX_COMMENT, message=_l("Tối đa 2000 ký tự."))])


@bp.get("/")
def queue():
    require(can.can_see_review_lists(actor()), "review")
    session = get_session()
    number, size = parse_page_number(request.args.get("page")), reviewing.QUEUE_PAGE
    rows, total = reviewing.review_queue(session, size, (number - 1) * size)
    pages = page_count(total, size)
    if number > pages:  # past the end: the last page
        number = pages
        rows, total = reviewing.review_queue(session, size, (number - 1) * size)
    return render_template("review/queue.html", rows=rows, total=total, counts=reviewing.state_counts(session),
                           states=reviewing.COUNTED_STATES, page=number, pages=pages,
                           correcting=reviewing.periods_with_status(session, PeriodStatus.correcting))


@bp.get("/late")
def late():
    """Who has not submitted each open period's report, days overdue and how to reach
    them; agencies with no active focal point apart (SPEC §3d). Each list pages on its
    own (``page-YEAR``, ``page-unstaffed``), keeping the others' pages."""
    require(can.can_see_review_lists(actor()), "review")
    session = get_session()
    periods = reviewing.open_periods(session)
    asked = {f"page-{p.year}": parse_page_number(request.args.get(f"page-{p.year}")) for p in periods}
    asked["page-unstaffed"] = parse_page_number(request.args.get("page-unstaffed"))
    seasons = [season.not_submitted_page(session, p, asked[f"page-{p.year}"], reviewing.LATE_PAGE) for p in periods]
    unstaffed_total, size = season.count_without_focal_point(session), reviewing.UNSTAFFED_PAGE
    unstaffed_pages = page_count(unstaffed_total, size)
    unstaffed_page = min(asked["page-unstaffed"], unstaffed_pages)
    unstaffed = season.agencies_without_focal_point(session, size, (unstaffed_page - 1) * size)
    return render_template("review/late.html", seasons=seasons, unstaffed=unstaffed, unstaffed_total=unstaffed_total,
                           unstaffed_page=unstaffed_page, unstaffed_pages=unstaffed_pages,
                           paging={name: value for name, value in asked.items() if value > 1},
                           today=season.today())


@bp.get("/late/<int:year>/letter")
def letter(year: int):
    """The list of late agencies a DIC attaches to its reminder (công văn đôn đốc): printable."""
    require(can.can_see_review_lists(actor()), "review")
    session = get_session()
    period = period_or_404(session, year)
    return render_template("review/letter.html", period=period, rows=season.late(session, period),
                           today=season.today())


@bp.get("/corrections/<int:year>")
def corrections(year: int):
    """A published period's corrections and, while it is re-opened, what closing it would
    correct, provisional: auditors see the corrected figures before the public (§8.2)."""
    require(can.can_see_review_lists(actor()), "review")
    session = get_session()
    period = period_or_404(session, year)
    return render_template("review/corrections.html", period=period,
                           pending=publication.pending_corrections(session, period),
                           made=publication.corrections(session, year))


@bp.get("/progress")
def progress():
    """The open periods' reports by state over time: a chart and the same numbers as a table."""
    require(can.can_see_review_lists(actor()), "review")
    session = get_session()
    charts = []
    for period in reviewing.open_periods(session):
        points = season.progress(session, period)
        charts.append((period, points, progress_chart(points, season.PROGRESS_STATES)))
    return render_template("review/progress.html", charts=charts, states=season.PROGRESS_STATES)


def _render(session, agency, year, forms=None, errors=None, status=200):
    entries = load_entries(session, agency, year)
    submission = entries.submission
    actions = can.offered(can.submission_actions(actor(), agency, entries.period, submission))
    forms = forms or {}
    return render_template(
        "review/submission.html", agency=agency, year=year, entries=entries,
        changes=reviewing.changes(session, entries),
        display_state=reviewing.display_state(submission.state, submission.verified_sequence)
        if submission else "none",
        can_verify="verify" in actions, can_return="return" in actions, can_reopen="reopen" in actions,
        verify_form=forms.get("verify") or CommentForm(formdata=None),
        return_form=forms.get("return") or CommentForm(formdata=None),
        reopen_form=forms.get("reopen") or ReopenForm(formdata=None),
        errors=errors or {},
        can_note=can.can_review(actor()) and entries.submission is not None,
    ), status


@bp.get("/<code>/<int:year>")
def submission(code: str, year: int):
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_see_review_lists(actor()), "submission", f"{code}/{year}")
    return _render(session, agency, year)


class VerifyForm(CommentForm):
    """Verify asks first: the confirmation page posts ``confirm=yes`` with the comment."""

    confirm = HiddenField()


def _confirm_verify(session, agency, year, form, errors=None, status=200):
    """What the auditor is about to verify, and the button that does it (no JavaScript)."""
    entries = load_entries(session, agency, year)
    submission = entries.submission
    actions = can.submission_actions(actor(), agency, entries.period, submission)
    refusal = actions.get("verify")
    return render_template(
        "review/confirm_verify.html", agency=agency, year=year, entries=entries,
        changes=reviewing.changes(session, entries),
        display_state=reviewing.display_state(submission.state, submission.verified_sequence),
        refusal=translate(refusal, _) if refusal else None, form=form, errors=errors or {},
    ), status


@bp.get("/<code>/<int:year>/verify")
def confirm_verify(code: str, year: int):
    session = get_session()
    agency = agency_by_code(session, code)
    submission = workflow.find_submission(session, agency, year)
    actions = can.submission_actions(actor(), agency, session.get(ReportingPeriod, year), submission)
    require("verify" in actions, "submission", f"{code}/{year}")
    if submission is None:
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    return _confirm_verify(session, agency, year, VerifyForm(formdata=None))


def _act(code: str, year: int, name: str, form_class, operation, done):
    """Load (404), check (403, or 409 with the workflow's reason), validate, run
    ``operation(session, submission, version, form)`` (one workflow operation), and go
    back to the review page saying ``done()``; the request commits."""
    session = get_session()
    agency = agency_by_code(session, code)
    submission = workflow.find_submission(session, agency, year)
    key = f"{code}/{year}"
    actions = can.submission_actions(actor(), agency, session.get(ReportingPeriod, year), submission)
    require(name in actions, "submission", key)
    if submission is None:
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    form = form_class()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
            return redirect(url_for(".submission", code=code, year=year))
        errors = {f"{name}-{field}": " ".join(str(m) for m in messages)
                  for field, messages in form.errors.items()}
        flash(_("Chưa thực hiện được; hãy xem lại các mục được đánh dấu."), "error")
        if name == "verify":
            return _confirm_verify(session, agency, year, form, errors, status=422)
        return _render(session, agency, year, {name: form}, errors, status=422)
    if name == "verify" and form.confirm.data != "yes":
        return _confirm_verify(session, agency, year, form)  # asks first; nothing changes
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = -1  # refused by the workflow as a stale version
    try:
        require_action(actions, name, "submission", key)
        operation(session, submission, version, form)
    except DomainError as exc:
        status = refused(exc)
        errors = {f"{name}-{field}": translate(message, _) for field, message in exc.fields.items()}
        if name == "verify":
            return _confirm_verify(session, agency, year, form, errors, status=status)
        return _render(session, agency, year, {name: form}, errors, status=status)
    flash(done(), "info")
    return redirect(url_for(".submission", code=code, year=year))


@bp.post("/<code>/<int:year>/verify")
def verify(code: str, year: int):
    return _act(code, year, "verify", VerifyForm,
                lambda session, submission, version, form: workflow.verify(
                    session, submission, current_actor(), version, (form.comment.data or "").strip() or None),
                lambda: _("Đã xác minh báo cáo của cơ quan cho kỳ %(year)s.", year=year))


@bp.post("/<code>/<int:year>/return")
def return_(code: str, year: int):
    return _act(code, year, "return", CommentForm,
                lambda session, submission, version, form: workflow.return_(
                    session, submission, current_actor(), form.comment.data or "", version),
                lambda: _("Đã trả lại báo cáo cho cơ quan kèm ý kiến."))


@bp.post("/<code>/<int:year>/reopen")
def reopen(code: str, year: int):
    return _act(code, year, "reopen", ReopenForm,
                lambda session, submission, version, form: workflow.reopen(
                    session, submission, current_actor(), form.reason.data or "", version),
                lambda: _(
                    "Đã mở lại báo cáo; bản đã xác minh trước đó vẫn được tính cho đến khi bản sửa được xác minh."))


@bp.post("/<code>/<int:year>/note")
def note(code: str, year: int):
    """The auditor's note in the submission's conversation (SPEC §3d)."""
    return post_note(code, year, lambda agency: can.can_review(actor()), ".submission")


@bp.get("/audit")
def audit_log():
    require(can.can_read_audit_log(actor()), "audit_log")
    session = get_session()
    filters, problems = audit_trail.parse_audit_filters(request.args)
    errors = {name: _(message) for name, message in problems.items()}
    page = None
    if not errors:
        page = audit_trail.audit_page(session, filters, str(get_timezone()))
    return render_template(
        "review/audit.html", filters=filters, errors=errors, page=page,
        actions=[(code, audit_trail.action_words(code, _)) for code in audit_trail.audit_actions(session)],
        changes=lambda event: audit_trail.changes(event, _),
        action_words=lambda code: audit_trail.action_words(code, _),
        target_of=audit_trail.target_of,
    ), (422 if errors else 200)


@bp.get("/audit.csv")
def audit_csv():
    """The events matching the audit log's filters, every page, for auditors' spreadsheets."""
    require(can.can_read_audit_log(actor()), "audit_log")
    session = get_session()
    filters, problems = audit_trail.parse_audit_filters(request.args)
    if problems:
        return redirect(url_for(".audit_log", **request.args))
    # read after the view has returned: the words are the request's translations, taken now
    words = get_translations().gettext
    chunks = (chunk.encode("utf-8") for chunk in audit_trail.audit_csv(session, filters, str(get_timezone()), words))
    return attachment(chunks, session, "csv", "nhat-ky-thay-doi.csv", cache="private, no-store")
