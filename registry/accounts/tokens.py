"""Personal API tokens, sent as ``Authorization: Bearer …``; only their hash is stored.

A token expires (90 days unless its maker chooses fewer) and ends with the
password it was made under: a change of password, an administrator's reset
and a deactivation revoke every token of the account, and an administrator may
revoke them at any time. Reactivating an account revives none.
"""

import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from registry import audit
from registry.accounts.sessions import LAST_SEEN_STEP, aware, token_hash, touch
from registry.audit import Actor
from registry.core.errors import N_, NotFound, ValidationFailed
from registry.models import ApiToken, User, utcnow

TOKEN_PREFIX = "slr_"
TOKEN_LIFETIME = timedelta(days=90)


def expiry(token: ApiToken) -> datetime:
    """When ``token`` stops working (a token made before expiries existed: its lifetime after creation)."""
    return aware(token.expires_at) if token.expires_at else aware(token.created_at) + TOKEN_LIFETIME


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    return token.revoked_at is None and (now or datetime.now(timezone.utc)) < expiry(token)


def create_api_token(session: Session, actor: Actor, user: User, name: str,
                     lifetime: timedelta = TOKEN_LIFETIME) -> tuple[ApiToken, str]:
    """A new token for ``user`` (the secret is returned once and never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(N_("Hãy đặt tên cho mã truy cập (tối đa 100 ký tự)."), fields={"name": N_("bắt buộc")})
    if not timedelta(0) < lifetime <= TOKEN_LIFETIME:
        raise ValidationFailed(N_("Thời hạn của mã truy cập phải từ 1 đến %(days)s ngày."),
                               fields={"lifetime": N_("không hợp lệ")}, days=TOKEN_LIFETIME.days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret), prefix=secret[:10],
                     created_at=now, expires_at=now + lifetime)
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.create", "api_token", f"{user.email}/{token.prefix}",
                 after={"name": name, "expires_at": token.expires_at.isoformat()})
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


def revoke_all_api_tokens(session: Session, actor: Actor, user: User, reason: str) -> int:
    """Revoke every token of ``user`` still in force; ``reason`` (what happened to the
    account) goes in the audit event. Returns how many were revoked."""
    revoked = session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session="fetch")).rowcount
    if revoked:
        audit.record(session, actor, "api_token.revoke_all", "user", user.email, after={"count": revoked},
                     comment=reason)
    return revoked


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all())


def user_for_api_token(session: Session, secret: str) -> User | None:
    row = session.exec(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    user, token = row
    now = datetime.now(timezone.utc)
    if not is_live(token, now):
        return None
    if token.last_used_at is None or now - aware(token.last_used_at) > LAST_SEEN_STEP:
        touch(session, ApiToken, token.id, last_used_at=now)
    return user
