"""The JSON API under /api/v1 (SPEC §5)."""

import json

from flask import Blueprint, jsonify, request
from flask_babel import gettext
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from registry import permissions as can
from registry.core.errors import N_, DomainError, NotFound, ValidationFailed, translate
from registry.models import REPORT_FIELDS, ReportingPeriod, Submission
from registry.submissions import workflow
from registry.submissions.entries import agency_by_code, load_entries, save
from registry.submissions.periods import check_basis, period_or_404
from registry.targets import cache as target_cache
from registry.web.auth import actor
from registry.web.db import get_session
from registry.web.gate import require

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


@bp.errorhandler(DomainError)
def domain_error_response(exc: DomainError):
    return error_response(exc.status, exc.code, translate(exc.message, gettext),
                          {k: translate(v, gettext) for k, v in exc.fields.items()})


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code, exc.name.lower().replace(" ", "_"), exc.description or exc.name)


def refuse_empty(*names: str) -> None:
    """Parameters documented as a choice or a number: present, they must say something.

    (The pages' filter forms send an empty value for "any"; the API says what it means.)
    """
    empty = sorted(name for name in names if name in request.args and not request.args[name].strip())
    if empty:
        raise ValidationFailed(N_("Tham số để trống: %(names)s; hãy cho một giá trị hoặc bỏ tham số đi."),
                               fields={name: N_("để trống") for name in empty}, names=", ".join(empty))


def _lang() -> str:
    return request.accept_languages.best_match(["vi", "en"], default="vi")


@bp.get("/periods")
def periods():
    rows = get_session().exec(select(ReportingPeriod).order_by(ReportingPeriod.year)).all()
    return jsonify({"periods": [{"year": p.year, "status": p.status} for p in rows]})


@bp.get("/targets")
def targets():
    refuse_empty("basis")
    session = target_cache.only_reads(get_session())
    period = period_or_404(session, request.args.get("period"))
    basis = check_basis(request.args.get("basis"))
    results = target_cache.target_results(session, period.year, basis)
    lang = _lang()
    return jsonify({"period": period.year, "basis": basis, "targets": [r.as_dict(lang) for r in results]})


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


def _load(code: str, year: int, allowed) -> tuple:
    session = get_session()
    agency = agency_by_code(session, code)
    require(allowed(actor(), agency), "submission", f"{code}/{year}")
    return session, agency


def _document(session, agency, year):
    session.commit()
    return jsonify(load_entries(session, agency, year).as_document())


def _existing(session, agency, year) -> Submission:
    submission = workflow.find_submission(session, agency, year)
    if submission is None:
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    return submission


@bp.get("/agencies/<code>/submissions/<int:year>")
def submission_read(code: str, year: int):
    session, agency = _load(code, year, can.can_read_private)
    return jsonify(load_entries(session, agency, year).as_document())


@bp.put("/agencies/<code>/submissions/<int:year>")
def submission_write(code: str, year: int):
    session, agency = _load(code, year, can.can_edit)
    body = _json_body()
    unknown = set(body) - {"version", "report", "services", "state", "agency", "period"}
    if unknown:
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."),
                               fields={str(k)[:64]: N_("trường không được hỗ trợ") for k in unknown})
    save(session, agency, year, actor(), _version(body, required=True), body.get("report"), body.get("services"),
         source="api")
    return _document(session, agency, year)


@bp.post("/agencies/<code>/submissions/<int:year>/submit")
def submission_submit(code: str, year: int):
    session, agency = _load(code, year, can.can_edit)
    body = _json_body(optional=True)
    submission = workflow.find_submission(session, agency, year)
    if submission is None:
        workflow.check_period_open(session, year)
        raise ValidationFailed(N_("Chưa gửi được: còn thiếu hoặc sai %(count)s mục."),
                               fields={f: N_("bắt buộc khi gửi") for f in REPORT_FIELDS}, count=len(REPORT_FIELDS))
    workflow.submit(session, submission, actor(), _version(body, required=False))
    return _document(session, agency, year)


def _review(code: str, year: int, operation):
    session = get_session()
    agency = agency_by_code(session, code)
    require(can.can_review(actor()), "submission", f"{code}/{year}")
    body = _json_body(optional=True)
    submission = _existing(session, agency, year)
    operation(session, submission, body)
    return _document(session, agency, year)


@bp.post("/agencies/<code>/submissions/<int:year>/verify")
def submission_verify(code: str, year: int):
    return _review(code, year, lambda s, sub, body: workflow.verify(
        s, sub, actor(), _version(body, False), _text(body, "comment") or None, source="api"))


@bp.post("/agencies/<code>/submissions/<int:year>/return")
def submission_return(code: str, year: int):
    return _review(code, year, lambda s, sub, body: workflow.return_(
        s, sub, actor(), _text(body, "comment"), _version(body, False)))


@bp.post("/agencies/<code>/submissions/<int:year>/reopen")
def submission_reopen(code: str, year: int):
    return _review(code, year, lambda s, sub, body: workflow.reopen(
        s, sub, actor(), _text(body, "reason"), _version(body, False)))


from registry.api import catalogue  # noqa: E402,F401  (its routes join this blueprint)
