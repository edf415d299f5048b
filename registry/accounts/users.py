"""User accounts: creation and password hashing (argon2id)."""

import functools
import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, select
from zxcvbn import zxcvbn

from registry import audit
from registry.core.errors import N_, Conflict, Msg, TooManyAttempts, ValidationFailed
from registry.models import Agency, AuditEvent, Role, User, utcnow

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# zxcvbn scores 0–4; below 3 a password falls to an offline guessing attack of
# about 10^8 guesses (a common password, a keyboard walk, a word and a year).
MIN_PASSWORD_SCORE = 3
# Words an attacker of this registry would try first, besides the user's own e-mail.
LOCAL_GUESSES = ("dienbien", "điện biên", "matkhau", "mật khẩu", "ubnd", "sotttt", "dichvucong",
                 "dịch vụ công", "registry", "admin", "quantri", "kiemtra", "daumoi", "vietnam")
# Failed sign-ins allowed within the window, per account and per client address. Counted
# in the audit log, so the limit holds across every worker and server sharing the database.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so that a failed sign-in takes as long
    either way. Made on first use, not at import: argon2 costs every process 0.3 s and 64 MiB."""
    return _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _dummy_hash(), password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str | None, email: str = "") -> Msg | None:
    """Why a new password is refused (too short, too long, easy to guess), or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Msg(N_("mật khẩu phải có ít nhất %(min)s ký tự"), min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return Msg(N_("mật khẩu dài quá %(max)s ký tự"), max=MAX_PASSWORD_LENGTH)
    local_part = normalise_email(email).partition("@")[0]
    # zxcvbn's cost grows fast with length; the first 64 characters decide the guessability
    result = zxcvbn(password[:64], user_inputs=[*LOCAL_GUESSES, local_part, normalise_email(email)])
    if result["score"] < MIN_PASSWORD_SCORE:
        return Msg(N_("mật khẩu quá dễ đoán (mật khẩu phổ biến, lặp lại hoặc theo mẫu đơn giản); "
                      "hãy dùng một cụm từ dài hơn"))
    return None


def recent_failures(session: Session, email: str, address: str | None) -> tuple[int, int]:
    """Failed sign-ins within the window: for this account, and from this address."""
    since = utcnow() - THROTTLE_WINDOW
    failed = (AuditEvent.action == "login.failed") & (AuditEvent.at >= since)
    per_account = session.exec(select(func.count()).select_from(AuditEvent).where(
        failed, AuditEvent.entity_key == normalise_email(email)[:254])).one()
    per_address = session.exec(select(func.count()).select_from(AuditEvent).where(
        failed, AuditEvent.address == address)).one() if address else 0
    return per_account, per_address


def authenticate(session: Session, email: str, password: str, source: str | None = None,
                 address: str | None = None) -> User | None:
    """The active user with this e-mail and password, or None; failures are audited.

    Refused without checking the password once the account or the address has
    failed too often within the window (TooManyAttempts).
    """
    key = normalise_email(email)[:254]
    per_account, per_address = recent_failures(session, key, address)
    if per_account >= MAX_FAILURES_PER_ACCOUNT or per_address >= MAX_FAILURES_PER_ADDRESS:
        audit.record(session, None, "login.throttled", "user", key, source=source, address=address)
        raise TooManyAttempts(N_("Đăng nhập sai quá nhiều lần; hãy thử lại sau %(minutes)s phút."),
                              minutes=int(THROTTLE_WINDOW.total_seconds() // 60))
    user = find_user(session, email)
    if check_password(user, password) and user.active:
        audit.record(session, user, "login.success", "user", user.email, source=source, address=address)
        return user
    audit.record(session, None, "login.failed", "user", key,
                 comment="inactive" if user is not None and not user.active else None, source=source,
                 address=address)
    return None


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise ValidationFailed(N_("Mật khẩu hiện tại không đúng."), fields={"current": N_("không đúng")})
    problem = password_problem(new, user.email)
    if problem is not None:
        raise ValidationFailed(problem, fields={"new": problem})
    user.password_hash = hash_password(new)
    audit.record(session, user, "user.password_change", "user", user.email)
    session.flush()


def set_password(session: Session, user: User, new: str, actor: User | None) -> None:
    """An administrator's password reset."""
    problem = password_problem(new, user.email)
    if problem is not None:
        raise ValidationFailed(problem, fields={"password": problem})
    user.password_hash = hash_password(new)
    audit.record(session, actor, "user.password_reset", "user", user.email)
    session.flush()


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
    problem = password_problem(password, email)
    if problem is not None:
        errors["password"] = problem
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
