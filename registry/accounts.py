"""User accounts: creation and password hashing (argon2id)."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from . import audit
from .errors import N_, Conflict, ValidationFailed
from .models import Agency, Role, User

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(session: Session, email: str, password: str, role: str, agency_code: str | None = None,
                actor: User | None = None, source: str | None = None) -> User:
    email = normalise_email(email)
    errors = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = N_("địa chỉ e-mail không hợp lệ")
    if role not in [r.value for r in Role]:
        errors["role"] = N_("vai trò phải là focal, auditor hoặc admin")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = N_("mật khẩu phải có ít nhất 12 ký tự")
    agency = None
    if role == Role.focal.value and not agency_code:
        errors["agency"] = N_("cán bộ đầu mối phải thuộc một cơ quan")
    if agency_code:
        agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
        if agency is None:
            errors["agency"] = N_("không có cơ quan mã này")
    if errors:
        raise ValidationFailed(N_("Không tạo được người dùng."), fields=errors)
    if find_user(session, email) is not None:
        raise Conflict(N_("Đã có người dùng %(email)s."), email=email)
    user = User(email=email, password_hash=hash_password(password), role=role,
                agency_id=agency.id if agency else None)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", email,
                 after={"role": role, "agency": agency_code}, source=source)
    return user
