"""Sign-in sessions, personal API tokens and CSRF, on Flask-Login and Flask-WTF.

A sign-in is a row in login_session; the cookie carries its random token
(Flask-Login's user id). Ending the row ends the sign-in wherever the cookie
has been copied to. API clients may instead send a personal token as
``Authorization: Bearer …``; such requests carry no cookie and need no CSRF token.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta, timezone

from flask import Flask, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from registry import audit
from registry.core.db import begin_write
from registry.core.errors import N_, NotFound, ValidationFailed
from registry.models import ApiToken, LoginSession, User, utcnow
from registry.web.db import get_session

logger = logging.getLogger(__name__)
login_manager = LoginManager()
csrf = CSRFProtect()

TOKEN_PREFIX = "slr_"
# A sign-in ends after this long without a request, and after this long in any case.
SESSION_IDLE = timedelta(hours=2)
SESSION_ABSOLUTE = timedelta(hours=12)
LAST_SEEN_STEP = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignedInUser:
    """A user account as Flask-Login sees it: the account plus this sign-in's token.

    Attribute reads fall through to the account, so domain code can take it as a User.
    """

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User, token: str | None = None):
        self.account = user
        self.token = token

    def get_id(self) -> str | None:
        return self.token

    @property
    def is_active(self) -> bool:
        return self.account.active

    def __getattr__(self, name):
        return getattr(self.account, name)


# --- sign-in sessions ------------------------------------------------------------

def start_login_session(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_hash(token), user_id=user.id))
    session.flush()
    return token


def end_login_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(update(LoginSession).where(LoginSession.token_hash == _hash(token),
                                                   LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_login_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """End every sign-in of ``user`` (password change, deactivation), except ``keep``."""
    statement = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep:
        statement = statement.where(LoginSession.token_hash != _hash(keep))
    session.execute(statement.values(ended_at=utcnow()))


def user_for_login_token(session: Session, token: str) -> SignedInUser | None:
    row = session.exec(
        select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user, login = row
    if not user.active:
        return None
    now = datetime.now(timezone.utc)
    if now - _aware(login.created_at) > SESSION_ABSOLUTE or now - _aware(login.last_seen_at) > SESSION_IDLE:
        _touch(session, LoginSession, login.id, ended_at=now)
        return None
    if now - _aware(login.last_seen_at) > LAST_SEEN_STEP:
        _touch(session, LoginSession, login.id, last_seen_at=now)
    return SignedInUser(user, token)


def _touch(session: Session, model, row_id: int, **values) -> None:
    """Write bookkeeping now, in a transaction of its own, and commit it: most
    requests (every GET) never commit, and the sign-in must still see its last use.

    It runs when the user is first looked up, before a request's own work; should
    that work already be pending, the bookkeeping waits for a later request rather
    than commit half of it. The lookup's read transaction ends first, and the write
    starts as a writer (db.begin_write): on SQLite, writing inside a transaction
    that has already read fails at once whenever another worker has written since.
    Bookkeeping never turns a request into an error: if the database stays busy
    beyond its timeout, this use simply goes unrecorded.
    """
    if session.new or session.dirty or session.deleted:
        return
    try:
        begin_write(session)
        session.execute(update(model).where(model.id == row_id).values(**values))
        session.commit()
    except OperationalError as exc:
        session.rollback()
        logger.warning("Last use of %s %s not recorded: %s", model.__tablename__, row_id, exc.orig or exc)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every stored moment is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- personal API tokens -----------------------------------------------------------

def create_api_token(session: Session, user: User, name: str, actor: User | None = None,
                     source: str | None = None) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(N_("Hãy đặt tên cho mã truy cập (tối đa 100 ký tự)."), fields={"name": N_("bắt buộc")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    audit.record(session, actor or user, "api_token.create", "api_token", f"{user.email}/{token.prefix}",
                 after={"name": name}, source=source)
    return token, secret


def revoke_api_token(session: Session, user: User, token_id: int, actor: User | None = None) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("Không có mã truy cập này."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor or user, "api_token.revoke", "api_token", f"{user.email}/{token.prefix}")
    session.flush()
    return token


def user_for_api_token(session: Session, secret: str) -> SignedInUser | None:
    row = session.exec(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    user, token = row
    now = datetime.now(timezone.utc)
    if token.last_used_at is None or now - _aware(token.last_used_at) > LAST_SEEN_STEP:
        _touch(session, ApiToken, token.id, last_used_at=now)
    return SignedInUser(user)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


# --- wiring ---------------------------------------------------------------------

def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Hãy đăng nhập để tiếp tục.")
    login_manager.session_protection = None  # the server-side sign-in row is the protection

    @login_manager.user_loader
    def _load_user(token: str):
        return user_for_login_token(get_session(), token)

    @login_manager.request_loader
    def _load_user_from_request(_request):
        secret = bearer_token()
        if secret is None:
            return None
        user = user_for_api_token(get_session(), secret)
        if user is not None:
            g.token_auth = True
        return user

    @app.before_request
    def _protect_cookie_writes():
        # A request with a bearer token carries no cookie a third site could
        # ride on, so CSRF does not apply; everything else must carry the token.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if bearer_token() is not None:
            return
        if app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()


def actor() -> SignedInUser | None:
    """The signed-in user of this request, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None
