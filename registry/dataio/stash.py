"""Files kept between an import's dry run and the import (issue #15), in the database so
that any server can take the next request. A file is kept for ``STASH_HOURS`` under a
random token, for the administrator who checked it only; keeping one clears the expired
ones. No Flask here."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from registry.models import ImportStash, aware, utcnow

STASH_HOURS = 2


def keep(session: Session, user_id: int, kind: str, filename: str, data: bytes,
         now: datetime | None = None) -> str:
    """Keep ``data`` and give the token that takes it back."""
    now = now or utcnow()
    session.execute(delete(ImportStash).where(ImportStash.created_at < now - timedelta(hours=STASH_HOURS)))
    token = secrets.token_urlsafe(24)
    session.add(ImportStash(token=token, user_id=user_id, kind=kind, filename=filename[:255], data=data,
                            created_at=now))
    session.flush()
    return token


def take(session: Session, token: str | None, user_id: int, now: datetime | None = None) -> ImportStash | None:
    """The file kept under ``token`` for ``user_id``, while it is kept; None otherwise."""
    if not token or len(token) > 64:
        return None
    kept = session.get(ImportStash, token)
    if kept is None or kept.user_id != user_id:
        return None
    if aware(kept.created_at) < (now or utcnow()) - timedelta(hours=STASH_HOURS):
        return None
    return kept


def forget(session: Session, kept: ImportStash) -> None:
    session.delete(kept)
    session.flush()
