"""Reading values people type or send: text, yes/no, counts, links, codes.

Shared by the importer, the API and the forms, so that a value is judged the
same way whichever door it comes through. Messages are Vietnamese message ids
(see errors.N_); the domain's own rules (report, evidence) use these readers.
"""

import re
import unicodedata
from contextvars import ContextVar
from typing import Any, Iterable
from urllib.parse import urlsplit

from registry.core.errors import N_, Conflict, Msg, ValidationFailed

# Codes of agencies, services and targets: stable, ASCII, safe in URLs and file names.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
MAX_COUNT = 10_000_000  # far above any agency's staff or yearly documents
MAX_URL_LENGTH = 2048
MIN_YEAR, MAX_YEAR = 2000, 2100

TRUE_WORDS = {"1", "true", "yes", "có", "co", "x"}
FALSE_WORDS = {"0", "false", "no", "không", "khong"}


# How people group thousands where the value is read: "3.813" in Vietnamese (the default,
# also for imports and the command line), "3,813" in English. The web edge sets it per
# request from the page's language (web/i18n.py).
THOUSANDS = ContextVar("thousands_separator", default=".")
_GROUPED = {sep: re.compile(r"^\d{1,3}(?:" + re.escape(sep) + r"\d{3})+$") for sep in (".", ",", " ")}
NOT_A_COUNT = N_("phải là số nguyên không âm, ví dụ 3813 hoặc 3.813")


def use_thousands_separator(language: str):
    """Read grouped numbers as ``language`` writes them; returns the token to reset."""
    return THOUSANDS.set("," if language == "en" else ".")


def whole_number_text(text: str) -> str:
    """``text`` without the thousands separators of the reader's language ("3.813" → "3813"
    in Vietnamese, "3,813" → "3813" in English; spaces in both), when they group digits by
    three; anything else is returned as it is, for the caller to refuse."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    for sep in (THOUSANDS.get(), " "):
        if _GROUPED[sep].match(text):
            return text.replace(sep, "")
    return text


def clean_text(value) -> str:
    """NFC, trimmed, and without control characters (which no name needs)."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
    if text.isprintable():  # the usual case, at C speed: no printable character is of category C
        return text
    return "".join(ch for ch in text if ch in "\t" or unicodedata.category(ch)[0] != "C")


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = clean_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(N_("phải là có/không (1/0, true/false, yes/no)"))


def parse_count(value) -> int:
    if isinstance(value, bool):
        raise ValueError(NOT_A_COUNT)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = whole_number_text(clean_text(value))
        if not text.isascii() or not text.isdigit():
            raise ValueError(NOT_A_COUNT)
        if len(text) > 12:
            raise ValueError(N_("số quá lớn"))
        number = int(text)
    if number < 0:
        raise ValueError(NOT_A_COUNT)
    if number > MAX_COUNT:
        raise ValueError(N_("số quá lớn"))
    return number


def parse_url(value) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    if len(text) > MAX_URL_LENGTH:
        raise ValueError(N_("đường dẫn quá dài"))
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in text):
        raise ValueError(N_("phải là một địa chỉ http:// hoặc https:// hợp lệ"))
    return text


class FieldReader:
    """Reads named values (a form, an import row), each bad one reported to ``fail``.

    A reader returns None for a value it refused; subclasses decide where the
    messages go (per field for a form, per row and column for an import).
    """

    def __init__(self, values: dict):
        self.values = values

    def fail(self, name: str, message: str) -> None:
        raise NotImplementedError

    def text(self, name: str, max_length: int, required: bool = True) -> str | None:
        value = clean_text(self.values.get(name))
        if not value:
            if required:
                self.fail(name, N_("bắt buộc"))
            return None
        if len(value) > max_length:
            self.fail(name, Msg(N_("dài quá %(max)s ký tự"), max=max_length))
            return None
        return value

    def code(self, name: str = "code") -> str | None:
        value = clean_text(self.values.get(name))
        if not value:
            self.fail(name, N_("bắt buộc"))
            return None
        if not CODE_PATTERN.match(value):
            self.fail(name, N_("mã chỉ gồm chữ cái không dấu, chữ số, '.', '-', '_' (tối đa 64 ký tự)"))
            return None
        return value


class FormReader(FieldReader):
    """Reads the values of one form (strings as a form sends them, or Python values),
    collecting a message per bad field; ``taken`` holds codes already in use."""

    def __init__(self, values: dict[str, Any]):
        super().__init__(values)
        self.errors: dict[str, str] = {}
        self.taken: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def choice(self, name: str, allowed: Iterable[str], required: bool = True) -> str | None:
        allowed = list(allowed)
        value = clean_text(self.values.get(name))
        if not value and not required:
            return None
        if value not in allowed:
            self.fail(name, Msg(N_("phải là một trong: %(choices)s"), choices=", ".join(allowed)))
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None or not clean_text(value):
            return False
        try:
            return parse_bool(value)
        except ValueError as exc:
            self.fail(name, exc.args[0])
            return None

    def integer(self, name: str, low: int, high: int, required: bool = True,
                range_message: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not clean_text(value)):
            if required:
                self.fail(name, N_("bắt buộc"))
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        else:
            text = whole_number_text(clean_text(value))
            number = int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
        if number is None:
            self.fail(name, NOT_A_COUNT)
            return None
        if not low <= number <= high:
            self.fail(name, range_message or Msg(N_("phải trong khoảng %(low)s–%(high)s"), low=low, high=high))
            return None
        return number

    def year(self, name: str) -> int | None:
        return self.integer(name, MIN_YEAR, MAX_YEAR, range_message=N_("năm phải trong khoảng 2000–2100"))

    def check(self, message: str) -> None:
        """Raise when anything is wrong: every problem at once, a conflict alone as 409."""
        if self.errors:
            raise ValidationFailed(message, fields={**self.taken, **self.errors})
        if self.taken:
            raise Conflict(message, fields=dict(self.taken))
