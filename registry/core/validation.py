"""Rules for the values of entries, shared by the importer, the API and the forms.

Each check returns ``{field: message}``; an empty dict means valid. Messages
are Vietnamese message ids (see errors.N_).
"""

import re
import unicodedata
from urllib.parse import urlsplit

from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL, required_evidence
from registry.core.errors import N_, Msg
from registry.core.vocabulary import REPORT_LABELS
from registry.models import COUNT_BOUNDS, REPORT_COUNTS, REPORT_FIELDS, REPORT_FLAGS

# Codes of agencies, services and targets: stable, ASCII, safe in URLs and file names.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
MAX_COUNT = 10_000_000  # far above any agency's staff or yearly documents
MAX_URL_LENGTH = 2048

TRUE_WORDS = {"1", "true", "yes", "có", "co", "x"}
FALSE_WORDS = {"0", "false", "no", "không", "khong"}


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
        raise ValueError(N_("phải là số nguyên không âm"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = clean_text(value)
        if not text.isascii() or not text.isdigit():
            raise ValueError(N_("phải là số nguyên không âm"))
        if len(text) > 12:
            raise ValueError(N_("số quá lớn"))
        number = int(text)
    if number < 0:
        raise ValueError(N_("phải là số nguyên không âm"))
    if number > MAX_COUNT:
        raise ValueError(N_("số quá lớn"))
    return number


def parse_level(value) -> int:
    try:
        level = parse_count(value)
    except ValueError:
        level = -1
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise ValueError(Msg(N_("mức độ phải là một trong %(levels)s"), levels=LEVEL_CHOICES))
    return level


LEVEL_CHOICES = ", ".join(str(lv.number) for lv in LEVELS)


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


def parse_report_value(field: str, value):
    """One adoption-report field from text or a JSON/XLSX value; None stays unknown."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None
    if field in REPORT_FLAGS:
        return parse_bool(value)
    if field in REPORT_COUNTS:
        return parse_count(value)
    raise KeyError(field)


def check_report(values: dict) -> dict[str, str]:
    """Cross-field rules of a (possibly partial) adoption report."""
    errors = {}
    for part, whole in COUNT_BOUNDS:
        if values.get(part) is not None and values.get(whole) is not None and values[part] > values[whole]:
            errors[part] = Msg(N_("không được lớn hơn mục “%(other)s”"), other=REPORT_LABELS[whole])
    return errors


def missing_report_fields(values: dict) -> list[str]:
    return [f for f in REPORT_FIELDS if values.get(f) is None]


def check_evidence(level: int, urls: dict) -> dict[str, str]:
    """Each level requires its evidence links (SPEC §2)."""
    return {
        field: Msg(N_("mức độ %(level)s cần minh chứng này"), level=level)
        for field in required_evidence(level)
        if not urls.get(field)
    }


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
