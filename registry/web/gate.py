"""The permission gate every view and API call passes, after loading and before acting.

A refusal is recorded in the audit log and changes nothing; an anonymous
visitor is sent to sign in (pages) or told 401 (API).
"""

import logging

from flask import Flask, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from registry import audit
from registry.core.db import begin_write
from registry.web.auth import actor, login_manager
from registry.web.db import get_session

logger = logging.getLogger(__name__)


def record_refusal(entity: str, key=None) -> None:
    session = get_session()
    session.rollback()
    try:
        begin_write(session)  # a reading request's session only reads; the refusal is a write
        audit.record(session, actor(), "access.denied", entity, key,
                     after={"method": request.method, "path": request.path[:500]},
                     source="api" if request.path.startswith("/api/") else "web")
        session.commit()
    except OperationalError as exc:
        # the refusal stands whether or not it could be logged while the database is busy
        session.rollback()
        logger.warning("Refusal of %s %s not logged: %s", request.method, request.path[:200], exc.orig or exc)


def require(allowed: bool, entity: str = "page", key=None) -> None:
    """Go on when ``allowed``; otherwise log the refusal and stop with 401 or 403."""
    if allowed:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    record_refusal(entity, key)
    abort(403)


def init_app(app: Flask) -> None:
    @login_manager.unauthorized_handler
    def _unauthorized():
        record_refusal("page")
        if request.path.startswith("/api/"):
            abort(401)
        from flask import flash

        flash(_("Hãy đăng nhập để tiếp tục."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))

    @app.context_processor
    def _navigation():
        from registry import permissions as can

        user = actor()
        return {"nav": {
            "signed_in": user is not None,
            "email": user.email if user else None,
            "workspace": can.can_use_workspace(user),
            "review": can.can_see_review_lists(user),
            "audit": can.can_read_audit_log(user),
            "admin": can.can_administer(user),
        }}
