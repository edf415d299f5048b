"""Passwords: argon2id hashes, and what makes a new password acceptable."""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from registry.core.errors import N_, Msg
from registry.models import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# zxcvbn scores 0–4; below 3 a password falls to an offline guessing attack of
# about 10^8 guesses (a common password, a keyboard walk, a word and a year).
MIN_PASSWORD_SCORE = 3
# Words an attacker of this registry would try first, besides the user's own e-mail.
LOCAL_GUESSES = ("dienbien", "điện biên", "matkhau", "mật khẩu", "ubnd", "sotttt", "dichvucong",
                 "dịch vụ công", "registry", "admin", "quantri", "kiemtra", "daumoi", "vietnam")

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


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()
