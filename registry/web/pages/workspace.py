"""The IT focal point's workspace: their agency's entries for the open period."""

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import HiddenField

from registry import permissions as can
from registry.core.errors import N_, Conflict, DomainError, ValidationFailed, translate
from registry.models import REPORT_FIELDS, Agency, ReportingPeriod, Submission
from registry.submissions import history, versions, workflow
from registry.submissions.conversation import latest_returns
from registry.submissions.entries import (
    STATUS_TEXT_FIELDS,
    EditConflict,
    agency_by_code,
    load_entries,
    parse_edits,
    save,
)
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.gate import require, require_action
from registry.web.lifecycle import refused
from registry.web.pages.conversation import post_note
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
    return render_template("workspace/index.html", agency=agency, periods=periods, submissions=submissions,
                           returned=latest_returns(session, agency, submissions))


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


# --- saving, with the other editors' changes kept ----------------------------------------

@dataclass
class ConflictRow:
    """A field both editors changed, side by side on the page: what the other editor
    saved (stored now) and what this one entered; ``choice`` is the editor's answer."""

    key: str
    kind: str  # "report" or "services"
    code: str | None
    name: str
    theirs: object
    yours: object
    choice: str | None = None


def _rows(conflicts, choices=None) -> list[ConflictRow]:
    rows = []
    for key, theirs, yours in conflicts:
        kind, code, name = versions.split_key(key)
        rows.append(ConflictRow(key, kind, code, name, theirs, yours, (choices or {}).get(key)))
    return rows


def _apply_choices(form, report: dict, services: list[dict]) -> tuple[list[str], dict[str, str]]:
    """The form's answers to the conflicts it showed: "theirs" drops the editor's value (the
    stored one stays), "mine" keeps it. Returns the keys still without an answer, and the
    answers by key."""
    by_code = {s["code"]: s for s in services}
    missing, choices = [], {}
    for key in dict.fromkeys(form.getlist("conflict")):
        choice = form.get(f"choice-{key}")
        if choice not in ("mine", "theirs"):
            missing.append(key)
            continue
        choices[key] = choice
        if choice == "theirs":
            kind, code, name = versions.split_key(key)
            if kind == "report":
                report.pop(name, None)
            elif code in by_code:
                by_code[code].pop(name, None)
    return missing, choices


def _kept_raw(raw: dict, keys: set[str]) -> dict:
    """The raw values of ``keys`` only (the editor's own changes); the rest is shown as stored."""
    report = {name: v for name, v in raw["report"].items() if versions.report_key(name) in keys}
    services = {}
    for code, item in raw["services"].items():
        kept = {name: v for name, v in item.items() if name != "code" and versions.service_key(code, name) in keys}
        if kept:
            services[code] = kept
    return {"report": report, "services": services}


def _stored_and_entered(session, agency, entries, raw, keys) -> list[tuple]:
    """(key, stored value, entered value) of each of ``keys``, the entered value typed as a
    save reads it when it can be read, else as entered."""
    stored = {versions.report_key(n): v for n, v in entries.report.items()}
    for e in entries.services:
        stored.update({versions.service_key(e.service.code, n): v for n, v in e.values().items()})
    rows = []
    for key in keys:
        if key not in stored:
            continue
        kind, code, name = versions.split_key(key)
        entered = raw["report"].get(name) if kind == "report" else raw["services"].get(code, {}).get(name)
        value = entered
        try:
            if kind == "report":
                typed, _services, problems = parse_edits(session, agency, {name: entered}, None)
                value = typed.get(name, entered) if not problems else entered
            else:
                _report, typed, problems = parse_edits(session, agency, None, [{"code": code, name: entered}])
                value = next(iter(typed.values()), {}).get(name, entered) if not problems else entered
        except DomainError:
            pass
        rows.append((key, stored[key], value))
    return rows


def _render(session, agency, year, form, entries, errors=None, raw=None, current=None, status=200,
            version=None, conflicts=None):
    actions = can.submission_actions(actor(), agency, entries.period, entries.submission)
    offered = can.offered(actions)
    reason = None if "edit" in offered else entries.read_only_reason(actions.get("edit"))
    return render_template(
        "workspace/entries.html", agency=agency, year=year, entries=entries, form=form,
        errors=errors or {}, raw=raw, current=current, actions=offered, can_edit="edit" in offered,
        read_only=translate(reason, _) if reason else None,
        version=entries.version if version is None else version, conflicts=conflicts or [],
        compare=_comparison(session, agency, year, entries),
        missing=workflow.missing_for_submit(session, entries.submission) if entries.submission else {},
        can_note=can.is_focal_of(actor(), agency) and entries.submission is not None,
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
    """Save the draft from the version the editor read (SPEC §8.4): the editor's changes are
    merged with what others saved since; a field both changed is shown side by side and
    saved only once the editor has chosen. "Save and submit" then asks for confirmation."""
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
    unanswered, choices = _apply_choices(request.form, report, services)
    raw = {"report": report, "services": {s["code"]: s for s in services}}
    if unanswered:
        # nothing is saved until each field both editors changed has the editor's answer
        entries = load_entries(session, agency, year)
        flash(_("Chưa lưu gì: hãy chọn giữ giá trị nào cho từng mục mà cả hai người cùng sửa."), "error")
        keys = list(dict.fromkeys(request.form.getlist("conflict")))
        rows = _rows(_stored_and_entered(session, agency, entries, raw, keys), choices)
        return _render(session, agency, year, form, entries, {key: _("hãy chọn giữ giá trị nào") for key in unanswered},
                       raw, entries, status=422, version=version, conflicts=rows)
    stored = workflow.find_submission(session, agency, year)
    others_saved = stored is not None and 0 <= version < stored.version
    try:
        save(session, agency, year, current_actor(), version, report, services)
    except EditConflict as exc:
        refused(exc)
        current = load_entries(session, agency, year)
        keys = exc.kept | {c.field for c in exc.conflicts}
        return _render(session, agency, year, form, current, raw=_kept_raw(raw, keys), current=current,
                       status=409, version=exc.current,
                       conflicts=_rows((c.field, c.theirs, c.yours) for c in exc.conflicts))
    except Conflict as exc:
        refused(exc)
        current = load_entries(session, agency, year)
        # the values entered stay in the form, with the version they were entered from
        return _render(session, agency, year, form, current, raw=raw if version >= 0 else None, current=current,
                       status=409, version=version if version >= 0 else None)
    except ValidationFailed as exc:
        refused(exc)
        errors = {k: translate(v, _) for k, v in exc.fields.items()}
        return _render(session, agency, year, form, load_entries(session, agency, year), errors, raw, status=422,
                       version=version)
    if others_saved:
        flash(_("Người khác đã lưu báo cáo trong lúc bạn sửa: những mục họ sửa được giữ nguyên, những mục bạn sửa "
                "được ghi thêm vào."), "info")
    if form.action.data == "submit":
        flash(_("Đã lưu bản nháp. Hãy xem lại những gì sẽ gửi rồi xác nhận."), "info")
        return redirect(url_for(".confirm_submit", code=code, year=year))
    flash(_("Đã lưu bản nháp."), "info")
    return redirect(url_for(".entries", code=code, year=year))


# --- submitting, once confirmed ------------------------------------------------------------

class SubmitForm(FlaskForm):
    """The version shown on the confirmation page, and the confirmation itself."""

    version = HiddenField()
    confirm = HiddenField()


def _confirm_page(session, agency, year, form, errors=None, status=200):
    entries = load_entries(session, agency, year)
    actions = can.submission_actions(actor(), agency, entries.period, entries.submission)
    missing = workflow.missing_for_submit(session, entries.submission) if entries.submission else {
        f: N_("bắt buộc khi gửi") for f in REPORT_FIELDS}
    return render_template(
        "workspace/confirm_submit.html", agency=agency, year=year, entries=entries, form=form,
        refusal=translate(actions["submit"], _) if actions.get("submit") else None,
        missing={k: translate(v, _) for k, v in missing.items()},
        errors=errors or {}, compare=_comparison(session, agency, year, entries),
    ), status


@bp.get("/<code>/<int:year>/submit")
def confirm_submit(code: str, year: int):
    """What will be sent to the auditors, and a button to confirm it (no JavaScript needed)."""
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_edit(actor(), agency), "submission", f"{code}/{year}")
    return _confirm_page(session, agency, year, SubmitForm(formdata=None))


@bp.post("/<code>/<int:year>/submit")
def submit(code: str, year: int):
    """Submit the entries as confirmed (``confirm=yes``) at the version the page showed."""
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_edit(actor(), agency), "submission", f"{code}/{year}")
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
        return redirect(url_for(".confirm_submit", code=code, year=year))
    if form.confirm.data != "yes":
        return _confirm_page(session, agency, year, form)
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = -1
    submission = workflow.find_submission(session, agency, year)
    try:
        actions = can.submission_actions(actor(), agency, session.get(ReportingPeriod, year), submission)
        require_action(actions, "submit", "submission", f"{code}/{year}")
        if submission is None:
            raise ValidationFailed(N_("Chưa gửi được: còn thiếu hoặc sai %(count)s mục."),
                                   count=len(REPORT_FIELDS))
        workflow.submit(session, submission, current_actor(), version)
    except DomainError as exc:
        status = refused(exc)
        errors = {k: translate(v, _) for k, v in exc.fields.items()}
        return _confirm_page(session, agency, year, SubmitForm(formdata=None), errors, status)
    flash(_("Đã gửi báo cáo để %(department)s xác minh.", department=Organisation().department), "info")
    return redirect(url_for(".entries", code=code, year=year))


@bp.post("/<code>/<int:year>/note")
def note(code: str, year: int):
    """The focal point's answer in the submission's conversation (SPEC §3d)."""
    return post_note(code, year, lambda agency: can.is_focal_of(actor(), agency), ".entries")
