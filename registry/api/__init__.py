"""The JSON API under /api/v1 (SPEC §5)."""

import json

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from registry import permissions as can
from registry.core import generations
from registry.core.errors import N_, DomainError, NotFound, ValidationFailed
from registry.models import REPORT_FIELDS, ReportingPeriod
from registry.submissions import workflow
from registry.submissions.entries import agency_by_code, load_entries, save
from registry.submissions.periods import check_basis, period_or_404
from registry.targets import cache as results_cache
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.gate import require, require_action
from registry.web.lifecycle import domain_error_response, http_error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(DomainError, domain_error_response)
bp.register_error_handler(HTTPException, http_error_response)


def refuse_empty(*names: str) -> None:
    """Parameters documented as a choice or a number: present, they must say something.

    (The pages' filter forms send an empty value for "any"; the API says what it means.)
    """
    empty = sorted(name for name in names if name in request.args and not request.args[name].strip())
    if empty:
        raise ValidationFailed(N_("Tham số để trống: %(names)s; hãy cho một giá trị hoặc bỏ tham số đi."),
                               fields={name: N_("để trống") for name in empty}, names=", ".join(empty))


def _lang() -> str:
    """The language of names: the request's locale (``?lang=``, else Accept-Language),
    the same one the shared responses are kept under (web/shared.py)."""
    return str(get_locale() or "vi")


@bp.get("/periods")
def periods():
    rows = get_session().exec(select(ReportingPeriod).order_by(ReportingPeriod.year)).all()
    return jsonify({"periods": [{"year": p.year, "status": p.status} for p in rows]})


@bp.get("/targets")
def targets():
    refuse_empty("basis")
    session = generations.only_reads(get_session())
    period = period_or_404(session, request.args.get("period"))
    basis = check_basis(request.args.get("basis"))
    return jsonify(results_cache.targets_object(session, period.year, basis, _lang()))


# --- submissions (focal points and auditors) -----------------------------------------

def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _json_body(optional: bool = False) -> dict:
    """The request's body as a JSON object; an optional body may be left out, never be unreadable.

    Strict where Flask is lenient: NaN and Infinity, numbers of more digits than Python
    converts, nesting deeper than the parser recurses and strings holding lone surrogates
    (which no database stores) are refused with the others instead of reaching an operation.
    """
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot be encoded
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        body = None
    if not isinstance(body, dict):
        raise ValidationFailed(N_("Nội dung yêu cầu phải là một đối tượng JSON viết bằng UTF-8."))
    return body


def _version(body: dict, required: bool) -> int | None:
    version = body.get("version")
    if version is None and not required:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationFailed(N_("Hãy gửi kèm phiên bản (version) đã đọc."),
                               fields={"version": N_("phải là số nguyên không âm")})
    return version


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."), fields={name: N_("phải là chuỗi ký tự")})
    return (value or "")[:2000]


def _load(code: str, year: int, action: str) -> tuple:
    """The agency (404) and its submission of ``year`` (None when it has none yet), once the
    user may take ``action`` on it at all (401/403), and the actions as they stand."""
    session = get_session()
    agency = agency_by_code(session, code)
    submission = workflow.find_submission(session, agency, year)
    actions = can.submission_actions(actor(), agency, session.get(ReportingPeriod, year), submission)
    require(action in actions, "submission", f"{code}/{year}")
    return session, agency, submission, actions


def _document(session, agency, year):
    return jsonify(load_entries(session, agency, year).as_document())


@bp.get("/agencies/<code>/submissions/<int:year>")
def submission_read(code: str, year: int):
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_read_private(actor(), agency), "submission", f"{code}/{year}")
    return jsonify(load_entries(session, agency, year).as_document())


@bp.put("/agencies/<code>/submissions/<int:year>")
def submission_write(code: str, year: int):
    session, agency, _submission, actions = _load(code, year, "edit")
    body = _json_body()
    unknown = set(body) - {"version", "report", "services", "state", "agency", "period"}
    if unknown:
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."),
                               fields={str(k)[:64]: N_("trường không được hỗ trợ") for k in unknown})
    require_action(actions, "edit", "submission", f"{code}/{year}")
    save(session, agency, year, current_actor(), _version(body, required=True), body.get("report"),
         body.get("services"))
    return _document(session, agency, year)


@bp.post("/agencies/<code>/submissions/<int:year>/submit")
def submission_submit(code: str, year: int):
    session, agency, submission, actions = _load(code, year, "submit")
    body = _json_body(optional=True)
    require_action(actions, "submit", "submission", f"{code}/{year}")
    if submission is None:
        raise ValidationFailed(N_("Chưa gửi được: còn thiếu hoặc sai %(count)s mục."),
                               fields={f: N_("bắt buộc khi gửi") for f in REPORT_FIELDS}, count=len(REPORT_FIELDS))
    workflow.submit(session, submission, current_actor(), _version(body, required=False))
    return _document(session, agency, year)


def _review(code: str, year: int, action: str, operation):
    session, agency, submission, actions = _load(code, year, action)
    body = _json_body(optional=True)
    if submission is None:
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    require_action(actions, action, "submission", f"{code}/{year}")
    operation(session, submission, body)
    return _document(session, agency, year)


@bp.post("/agencies/<code>/submissions/<int:year>/verify")
def submission_verify(code: str, year: int):
    return _review(code, year, "verify", lambda s, sub, body: workflow.verify(
        s, sub, current_actor(), _version(body, False), _text(body, "comment") or None))


@bp.post("/agencies/<code>/submissions/<int:year>/return")
def submission_return(code: str, year: int):
    return _review(code, year, "return", lambda s, sub, body: workflow.return_(
        s, sub, current_actor(), _text(body, "comment"), _version(body, False)))


@bp.post("/agencies/<code>/submissions/<int:year>/reopen")
def submission_reopen(code: str, year: int):
    return _review(code, year, "reopen", lambda s, sub, body: workflow.reopen(
        s, sub, current_actor(), _text(body, "reason"), _version(body, False)))


from registry.api import catalogue, indicators  # noqa: E402,F401  (their routes join this blueprint)
