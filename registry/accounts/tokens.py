"""Personal API tokens, sent as ``Authorization: Bearer …``; only their hash is stored."""

import secrets
from datetime import datetime, timezone

from sqlmodel import Session, select

from registry import audit
from registry.accounts.sessions import LAST_SEEN_STEP, aware, token_hash, touch
from registry.audit import Actor
from registry.core.errors import N_, NotFound, ValidationFailed
from registry.models import ApiToken, User, utcnow

TOKEN_PREFIX = "slr_"


def create_api_token(session: Session, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` (the secret is returned once and never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(N_("Hãy đặt tên cho mã truy cập (tối đa 100 ký tự)."), fields={"name": N_("bắt buộc")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.create", "api_token", f"{user.email}/{token.prefix}",
                 after={"name": name})
    return token, secret


def revoke_api_token(session: Session, actor: Actor, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("Không có mã truy cập này."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoke", "api_token", f"{user.email}/{token.prefix}")
    session.flush()
    return token


def user_for_api_token(session: Session, secret: str) -> User | None:
    row = session.exec(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    user, token = row
    now = datetime.now(timezone.utc)
    if token.last_used_at is None or now - aware(token.last_used_at) > LAST_SEEN_STEP:
        touch(session, ApiToken, token.id, last_used_at=now)
    return user


