"""User accounts: creating and changing them, signing in, and passwords (SPEC §4).

Each operation checks every value, records an audit event stamped with the
Actor, and flushes; the caller commits.
"""

import re

from sqlmodel import Session, select

from registry import audit
from registry.accounts.passwords import check_password, hash_password, normalise_email, password_problem
from registry.accounts.sessions import end_all_login_sessions
from registry.accounts.throttle import (
    MAX_PASSWORD_CHECKS,
    THROTTLE_WINDOW,
    count_attempt,
    give_back,
    password_check_key,
    sign_in_allowed,
)
from registry.accounts.tokens import revoke_all_api_tokens
from registry.audit import Actor
from registry.audit.records import merge
from registry.catalogue.records import by_code
from registry.core.errors import N_, Msg, TooManyAttempts, ValidationFailed
from registry.core.validation import FormReader, clean_text
from registry.models import Agency, Role, User

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
USER_FIELDS = ("role", "agency_code", "active", "phone", "language")
MAIL_LANGUAGES = ("vi", "en")
PHONE_CHARACTERS = set("0123456789 +-.()")


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def user_values(session: Session, user: User) -> dict:
    agency = session.get(Agency, user.agency_id) if user.agency_id else None
    return {"email": user.email, "role": user.role, "agency_code": agency.code if agency else None,
            "active": user.active, "phone": user.phone, "language": user.language or "vi"}


def _check_contact(f: FormReader, values: dict) -> tuple[str | None, str]:
    """A phone number (shown to auditors only, SPEC §8.13) and the language of the user's e-mail."""
    phone = clean_text(values.get("phone") or "") or None
    if phone is not None and (len(phone) > 32 or not set(phone) <= PHONE_CHARACTERS
                              or sum(c.isdigit() for c in phone) < 6):
        f.fail("phone", N_("số điện thoại chỉ gồm chữ số, dấu cách và + - . ( ), tối đa 32 ký tự"))
    language = (values.get("language") or "vi").strip()
    if language not in MAIL_LANGUAGES:
        f.fail("language", N_("phải là vi hoặc en"))
    return phone, language


def _check_role_and_agency(session: Session, f: FormReader, values: dict) -> tuple:
    """(role, agency) of a user form; a focal point needs an agency."""
    role = f.choice("role", [r.value for r in Role])
    agency_code = clean_text(values.get("agency_code")) or None
    agency = None
    if agency_code:
        agency = by_code(session, Agency, agency_code)
        if agency is None:
            f.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=agency_code))
    elif role == Role.focal.value:
        f.fail("agency_code", N_("cán bộ đầu mối phải thuộc một cơ quan"))
    return role, agency


def _check_new_password(f: FormReader, email: str, name: str = "password") -> str | None:
    password = f.values.get(name) or ""
    problem = password_problem(password, email)
    if problem is not None:
        f.fail(name, problem)
    return password


def create_user(session: Session, actor: Actor, values: dict) -> User:
    """A new account: ``email``, ``role``, ``agency_code`` (required for a focal point)
    and the initial ``password``."""
    values = merge({}, values, ("email", "role", "agency_code", "password"))
    f = FormReader(values)
    email = normalise_email(values.get("email"))
    if not email.isprintable() or not EMAIL_PATTERN.match(email) or len(email) > 254:
        f.fail("email", N_("địa chỉ e-mail không hợp lệ"))
    elif find_user(session, email) is not None:
        f.taken["email"] = Msg(N_("đã có người dùng %(email)s"), email=email)
    role, agency = _check_role_and_agency(session, f, values)
    password = _check_new_password(f, email)
    f.check(N_("Không tạo được người dùng."))
    user = User(email=email, password_hash=hash_password(password), role=role,
                agency_id=agency.id if agency else None)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", email,
                 after={"role": role, "agency": agency.code if agency else None})
    return user


def update_user(session: Session, actor: Actor, user: User, changes: dict) -> User:
    """Role, agency and active. Deactivation ends every sign-in of the user; an
    administrator cannot deactivate or demote themselves."""
    before = user_values(session, user)
    current = {k: before[k] for k in USER_FIELDS}
    values = merge(current, changes, USER_FIELDS)
    f = FormReader(values)
    role, agency = _check_role_and_agency(session, f, values)
    active = f.boolean("active")
    phone, language = _check_contact(f, values)
    if actor.id == user.id:
        if role is not None and role != Role.admin.value:
            f.fail("role", N_("Bạn không thể tự bỏ quyền quản trị của chính mình."))
        if active is False:
            f.fail("active", N_("Bạn không thể tự khóa tài khoản của chính mình."))
    f.check(N_("Không cập nhật được người dùng."))
    after = {"role": role, "agency_code": agency.code if agency else None, "active": active, "phone": phone,
             "language": language}
    old, new = audit.changes(current, after)
    if not new:
        return user
    user.phone, user.language = phone, language
    user.role = role
    user.agency_id = agency.id if agency else None
    user.active = active
    session.flush()
    if before["active"] and not active:
        end_all_login_sessions(session, user)
        revoke_all_api_tokens(session, actor, user, "deactivated")
    audit.record(session, actor, "user.deactivate" if "active" in new and not active else "user.update",
                 "user", user.email, old, new)
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, user: User, password: str, keep_token: str | None = None) -> User:
    """An administrator sets a new password; every sign-in of the user ends
    (except ``keep_token``, the administrator's own when resetting their own)."""
    f = FormReader({"password": password})
    _check_new_password(f, user.email)
    f.check(N_("Không đặt lại được mật khẩu."))
    user.password_hash = hash_password(password)
    audit.record(session, actor, "user.password_reset", "user", user.email)
    end_all_login_sessions(session, user, keep=keep_token)
    revoke_all_api_tokens(session, actor, user, "password reset")
    session.flush()
    return user


def _too_many(message: str) -> TooManyAttempts:
    return TooManyAttempts(message, minutes=int(THROTTLE_WINDOW.total_seconds() // 60))


def change_password(session: Session, actor: Actor, user: User, current: str, new: str) -> None:
    """The user's own change: a new password worth having, then the current one, checked at most
    MAX_PASSWORD_CHECKS times a window (a stolen session must not become a way to
    guess the password); each wrong one is audited and counted, and the caller
    commits that record (``PasswordCheckRefused``) though it changes nothing else.
    The change revokes every API token of the account: a token made with a stolen
    password ends with it."""
    problem = password_problem(new, user.email)  # first: it writes nothing and checks no password
    if problem is not None:
        raise ValidationFailed(problem, fields={"new": problem})
    key = password_check_key(user.id)
    if count_attempt(session, key) > MAX_PASSWORD_CHECKS:
        audit.record(session, actor, "user.password_check_throttled", "user", user.email)
        raise _too_many(N_("Nhập sai mật khẩu hiện tại quá nhiều lần; hãy thử lại sau %(minutes)s phút."))
    if not check_password(user, current):
        audit.record(session, actor, "user.password_check_failed", "user", user.email)
        raise ValidationFailed(N_("Mật khẩu hiện tại không đúng."), fields={"current": N_("không đúng")})
    give_back(session, key)
    user.password_hash = hash_password(new)
    audit.record(session, actor, "user.password_change", "user", user.email)
    revoke_all_api_tokens(session, actor, user, "password change")
    session.flush()


def authenticate(session: Session, actor: Actor, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None; failures are audited
    (``actor`` says where the attempt came from: its source and address).

    Refused without checking the password once the account or the address has
    failed too often within the window (TooManyAttempts).
    """
    key = normalise_email(email)[:254]
    allowed, counted = sign_in_allowed(session, key, actor.address)
    if not allowed:
        audit.record(session, actor, "login.throttled", "user", key)
        raise _too_many(N_("Đăng nhập sai quá nhiều lần; hãy thử lại sau %(minutes)s phút."))
    user = find_user(session, email)
    if check_password(user, password) and user.active:
        give_back(session, *counted)
        audit.record(session, Actor(user, actor.source, actor.address), "login.success", "user", user.email)
        return user
    audit.record(session, actor, "login.failed", "user", key,
                 comment="inactive" if user is not None and not user.active else None)
    return None
