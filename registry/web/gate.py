"""The permission gate every view and API call passes, after loading and before acting.

A refusal is recorded in the audit log and changes nothing; an anonymous
visitor is sent to sign in (pages) or told 401 (API). What a user may do to a
submission comes from permissions.submission_actions, for pages and API alike.
"""

import logging

from flask import Flask, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from registry import audit
from registry.accounts import throttle
from registry.core.db import begin_write
from registry.core.errors import Conflict, Msg
from registry.web.auth import current_actor, login_manager
from registry.web.db import get_session
from registry.web.lifecycle import is_api

logger = logging.getLogger(__name__)


def record_refusal(entity: str, key=None) -> int:
    """The refusal, in the audit log at once: the request itself will be rolled back. A
    signed-in user's refusal is one event; an anonymous caller's are counted per address and
    minute, the first of each minute logged with the count of the minute before. Returns the
    refusal's number within the minute (1 for a signed-in user's)."""
    session = get_session()
    session.rollback()
    count = 1
    try:
        begin_write(session)  # a reading request's session only reads; the refusal is a write
        actor, after = current_actor(), {"method": request.method, "path": request.path[:500]}
        if actor.user is None:
            count, before = throttle.count_refusal(session, request.remote_addr or "unknown")
            if before:
                after["refused_the_minute_before"] = before
        if count == 1:
            audit.record(session, actor, "access.denied", entity, key, after=after)
        session.commit()
    except OperationalError as exc:
        # the refusal stands whether or not it could be logged while the database is busy
        session.rollback()
        logger.warning("Refusal of %s %s not logged: %s", request.method, request.path[:200], exc.orig or exc)
    return count


def require(allowed: bool, entity: str = "page", key=None) -> None:
    """Go on when ``allowed``; otherwise log the refusal and stop with 401 or 403."""
    if allowed:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    record_refusal(entity, key)
    abort(403)


def require_action(actions: dict[str, Msg | None], action: str, entity: str, key) -> None:
    """``action`` on a submission, as permissions.submission_actions answered: not the
    user's to take at all is a refusal (401/403); not possible now is a conflict (409)
    with the workflow's reason."""
    require(action in actions, entity, key)
    if actions[action] is not None:
        raise Conflict(actions[action])


def init_app(app: Flask) -> None:
    @login_manager.unauthorized_handler
    def _unauthorized():
        if record_refusal("page") > throttle.MAX_ANONYMOUS_REFUSALS:
            abort(429)  # a flood from one address
        if is_api():
            abort(401)
        flash(_("Hãy đăng nhập để tiếp tục."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
