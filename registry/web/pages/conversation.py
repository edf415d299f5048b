"""The conversation on a submission (SPEC §3d), shared by the focal point's workspace
and the auditor's review page: each posts a note through the same view."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from registry.core.errors import N_, DomainError, NotFound
from registry.submissions import workflow
from registry.submissions.conversation import write_note
from registry.submissions.entries import agency_by_code
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.gate import require
from registry.web.lifecycle import refused


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Nội dung trao đổi"))


def post_note(code: str, year: int, allowed, endpoint: str):
    """Load (404) → ``allowed(agency)`` (403) → CSRF → write_note → back to ``endpoint``'s page."""
    session = get_session()
    agency = agency_by_code(session, code)
    require(allowed(agency), "submission", f"{code}/{year}")
    submission = workflow.find_submission(session, agency, year)
    if submission is None:
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    back = url_for(endpoint, code=code, year=year) + "#conversation"
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và nhập lại."), "error")
        return redirect(back)
    try:
        write_note(session, submission, current_actor(), form.note.data or "")
    except DomainError as exc:
        refused(exc)
        return redirect(back)
    flash(_("Đã gửi trao đổi; bên kia sẽ nhận được thư báo."), "info")
    return redirect(back)
