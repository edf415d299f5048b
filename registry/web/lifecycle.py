"""One request lifecycle for every page and API call.

* The request's session (web/db.py) is committed once, after the view has
  returned normally, and rolled back when the view raised: a view never commits.
* A domain error (core/errors.py) that a view does not turn into form messages
  itself becomes, in one place, an error page in the user's language or the
  API's JSON error, after rolling back; so does every HTTP error. No input
  reaches anyone as a bare 500.
* A view that shows a domain error on its form calls ``refused``, which rolls
  back whatever the operation wrote before it refused and puts each message
  beside its field.
* Templates get what every page needs (the signed-in user's menu, the language,
  whether the registry shows made-up data) from a context processor, never
  from each view.
"""

import logging

from flask import Flask, flash, g, jsonify, render_template, request
from flask_babel import get_locale, gettext
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from registry import permissions as can
from registry.core.errors import N_, DomainError, translate
from registry.sample import shows_sample_data
from registry.web.auth import actor
from registry.web.db import get_session

logger = logging.getLogger(__name__)

FAILED = "request_failed"  # g flag: the request's writes were rolled back


def is_api() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The API's error body (SPEC §5): {"error": {"code", "message", "fields", …}}."""
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}, **extra}}), status


def rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    g.setdefault(FAILED, True)


def discard() -> None:
    """Roll back what the view wrote so far, and go on: what it writes next is committed as
    usual (a dry run's import is discarded, the file it checked is kept)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def refused(exc: DomainError, form=None) -> int:
    """Roll back what the operation wrote, and show its messages: each beside its field
    on ``form`` when the form has one, the rest at the top. Returns the status to answer."""
    rollback()
    flash(translate(exc.message, gettext), "error")
    for name, message in exc.fields.items():
        text = translate(message, gettext)
        if form is not None and name in form:
            form[name].errors = [*form[name].errors, text]
        else:
            flash(text, "error")
    return exc.status


def domain_error_response(exc: DomainError):
    rollback()
    if is_api():
        return json_error(exc.status, exc.code, translate(exc.message, gettext),
                          {k: translate(v, gettext) for k, v in exc.fields.items()}, **exc.extra)
    return render_template("errors/error.html", status=exc.status, message=translate(exc.message, gettext)), \
        exc.status


def http_error_response(exc: HTTPException):
    rollback()
    if is_api():
        return json_error(exc.code, exc.name.lower().replace(" ", "_"), exc.description or exc.name)
    return render_template("errors/error.html", status=exc.code, name=exc.name), exc.code


def _commit(response):
    session = g.get("db_session")
    if session is None or g.get(FAILED) or not session.in_transaction():
        return response
    try:
        session.commit()
    except IntegrityError:
        # a unique key another request took between our check and our write
        session.rollback()
        return domain_error_response(DomainError(N_("Dữ liệu vừa được người khác thay đổi; hãy tải lại và thử lại.")))
    except OperationalError as exc:
        session.rollback()
        logger.warning("Commit of %s %s failed: %s", request.method, request.path[:200], exc.orig or exc)
        return domain_error_response(Busy())
    return response


class Busy(DomainError):
    status = 503
    code = "busy"

    def __init__(self):
        super().__init__(N_("Hệ thống đang bận; chưa lưu được gì. Hãy thử lại sau ít phút."))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.after_request(_commit)

    @app.context_processor
    def _every_page():
        user = actor()
        return {
            "lang": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "demo": shows_sample_data(get_session()),
            "nav": {
                "signed_in": user is not None,
                "email": user.email if user else None,
                "workspace": can.can_use_workspace(user),
                "review": can.can_see_review_lists(user),
                "audit": can.can_read_audit_log(user),
                "admin": can.can_administer(user),
            },
        }
