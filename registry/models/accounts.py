"""User accounts, their sign-ins and their personal API tokens."""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, String
from sqlmodel import Field, SQLModel

from registry.core.vocabulary import Role
from registry.models.base import sql_in, utcnow


class User(SQLModel, table=True):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(sql_in("role", [r.value for r in Role]), name="role"),
        CheckConstraint("role <> 'focal' OR agency_id IS NOT NULL", name="focal_has_agency"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), unique=True)
    password_hash: str = Field(sa_type=String(255))
    role: str = Field(sa_type=String(16))
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    active: bool = Field(default=True)
    # how auditors reach a focal point (shown to auditors only), and the language of their e-mail
    phone: Optional[str] = Field(default=None, sa_type=String(32))
    language: Optional[str] = Field(default=None, sa_type=String(8))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class LoginSession(SQLModel, table=True):
    """One sign-in. The cookie carries a random token; only its hash is stored,
    so that logout, a password change or deactivation ends it server-side and
    a copied cookie stops working."""

    __tablename__ = "login_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    ended_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A personal API token, sent as ``Authorization: Bearer …``; only its hash is stored."""

    __tablename__ = "api_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(sa_type=String(100))
    token_hash: str = Field(sa_type=String(64), unique=True)
    # The first characters, so that a user can tell their tokens apart.
    prefix: str = Field(sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_used_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    # After this moment the token is refused (accounts/tokens.py; none: created_at + the default lifetime).
    expires_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))


class AttemptCounter(SQLModel, table=True):
    """Attempts counted per key (an account's sign-ins, a client address, a user's
    current-password checks) within a window that starts at the first attempt.

    One row per key, incremented in place (accounts/throttle.py): the increment
    locks the row until the request commits, so concurrent attempts are counted
    one after the other on PostgreSQL as on SQLite."""

    __tablename__ = "attempt_counter"

    key: str = Field(sa_type=String(320), primary_key=True)
    window_start: datetime = Field(sa_type=DateTime(timezone=True))
    count: int = Field(default=0)
