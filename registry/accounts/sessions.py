"""Sign-ins: a row per sign-in, whose random token the browser's cookie carries.

Only the token's hash is stored, so that logout, a password change or a
deactivation ends a sign-in on the server, and a copied cookie stops working.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from registry.core.db import begin_write
from registry.models import LoginSession, User, aware, utcnow

logger = logging.getLogger(__name__)

# A sign-in ends after this long without a request, and after this long in any case.
SESSION_IDLE = timedelta(hours=2)
SESSION_ABSOLUTE = timedelta(hours=12)
LAST_SEEN_STEP = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(token), user_id=user.id))
    session.flush()
    return token


def end_login_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(update(LoginSession).where(LoginSession.token_hash == token_hash(token),
                                                   LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_login_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """End every sign-in of ``user`` (password change, deactivation), except ``keep``."""
    statement = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep:
        statement = statement.where(LoginSession.token_hash != token_hash(keep))
    session.execute(statement.values(ended_at=utcnow()))


def user_for_login_token(session: Session, token: str) -> User | None:
    row = session.exec(
        select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user, login = row
    if not user.active:
        return None
    now = datetime.now(timezone.utc)
    if now - aware(login.created_at) > SESSION_ABSOLUTE or now - aware(login.last_seen_at) > SESSION_IDLE:
        touch(session, LoginSession, login.id, ended_at=now)
        return None
    if now - aware(login.last_seen_at) > LAST_SEEN_STEP:
        touch(session, LoginSession, login.id, last_seen_at=now)
    return user


def touch(session: Session, model, row_id: int, **values) -> None:
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


