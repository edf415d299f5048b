"""The JSON API under /api/v1 (SPEC §5)."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from sqlmodel import select

from ..db import get_session
from ..errors import DomainError, translate
from ..models import ReportingPeriod
from ..reading import check_basis, period_or_404
from ..targets import compute_targets

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, translate(exc.message, gettext),
                          {k: translate(v, gettext) for k, v in exc.fields.items()})


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code, exc.name.lower().replace(" ", "_"), exc.description or exc.name)


def _lang() -> str:
    return request.accept_languages.best_match(["vi", "en"], default="vi")


@bp.get("/periods")
def periods():
    rows = get_session().exec(select(ReportingPeriod).order_by(ReportingPeriod.year)).all()
    return jsonify({"periods": [{"year": p.year, "status": p.status} for p in rows]})


@bp.get("/targets")
def targets():
    session = get_session()
    period = period_or_404(session, request.args.get("period"))
    basis = check_basis(request.args.get("basis"))
    results = compute_targets(session, period.year, basis)
    lang = _lang()
    return jsonify({"period": period.year, "basis": basis, "targets": [r.as_dict(lang) for r in results]})
