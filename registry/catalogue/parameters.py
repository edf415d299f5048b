"""The catalogue's parameters as a page or an API client sends them: search text,
filters, page sizes and cursors, each read strictly with a message when it is bad.
No Flask here: pages and API read their requests with the same functions."""

import re
from urllib.parse import urlsplit

from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from registry.core.errors import N_, ValidationFailed
from registry.models import (
    Kind,
    Tier,
)

PAGE_SIZE = 50
MAX_LIMIT = 200
MAX_TEXT = 200  # longest search text or filter value taken from a request
MAX_CURSOR = 3000
MAX_CHOICES = 500  # longest list offered in a filter's drop-down; beyond it, a text field
TIER_ORDER = tuple(t.value for t in Tier)
# the sort keys of search.sort_key are made of these characters only
_SORT_KEY = re.compile(r"[0-9a-f]*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- request values ----------------------------------------------------------------

def clean(value, max_length: int = MAX_TEXT) -> str:
    """A request value as text: no control characters (PostgreSQL refuses NUL), trimmed, capped."""
    if value is None:
        return ""
    return _CONTROL.sub(" ", str(value)).strip()[:max_length]


def parse_search(value) -> str:
    """Search text a client sent through the API, where text too long is refused rather than cut."""
    if value is not None and len(value) > MAX_TEXT:
        raise ValidationFailed(N_("Từ khoá tìm kiếm dài quá %(max)s ký tự."),
                               fields={"q": N_("quá dài")}, max=MAX_TEXT)
    return clean(value)


NO_DATA = "none"  # the level filter's own choice: services without verified data (rule 3)


def parse_level_filter(value) -> int | str | None:
    """A verified level, NO_DATA ("none": no verified data, never level 0), or None (any)."""
    text = clean(value)
    if not text:
        return None
    if text == NO_DATA:
        return NO_DATA
    if not text.isascii() or not text.isdigit() or not MIN_LEVEL <= int(text[:4]) <= MAX_LEVEL:
        raise ValidationFailed(
            N_("Mức độ phải là một trong %(levels)s."), fields={"level": N_("không hợp lệ")},
            levels=", ".join([str(lv.number) for lv in LEVELS] + [NO_DATA]))
    return int(text)


def parse_choice(name: str, value, choices) -> str | None:
    text = clean(value)
    if not text:
        return None
    if text not in choices:
        raise ValidationFailed(N_("Giá trị lọc không hợp lệ."), fields={name: N_("không hợp lệ")})
    return text


def parse_tier(value) -> str | None:
    return parse_choice("tier", value, TIER_ORDER)


def parse_kind(value) -> str | None:
    return parse_choice("kind", value, tuple(k.value for k in Kind))


MAX_PAGE = 100_000


def parse_page_number(value) -> int:
    """A page's number in the pages' lists (the API pages by cursor): 1 when absent."""
    text = clean(value, 16)
    if not text:
        return 1
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationFailed(N_("Số trang phải là số nguyên từ 1 trở lên."), fields={"page": N_("không hợp lệ")})
    return int(text)


def parse_limit(value, default: int = PAGE_SIZE) -> int:
    text = clean(value)
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text[:6]) <= MAX_LIMIT:
        raise ValidationFailed(N_("Số dòng mỗi trang phải từ 1 đến %(max)s."), fields={"limit": N_("không hợp lệ")},
                               max=MAX_LIMIT)
    return int(text)


def make_cursor(*parts) -> str:
    return "|".join(str(p) for p in parts)


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(N_("Liên kết trang không hợp lệ; hãy mở lại trang đầu."),
                            fields={"after": N_("không hợp lệ")})


_bad_cursor = bad_cursor
# the relevance groups of a search (catalogue.services): a cursor of a search begins with one
_RELEVANCE_CURSOR = re.compile(r"([0-3])\|(?=[0-9a-f]*\|)")


def parse_service_cursor(value) -> tuple[str, str] | tuple[int, str, str] | None:
    """``<name_sort>|<code>`` of the last service of the previous page, or for a search's
    page ``<relevance group>|<name_sort>|<code>`` (a sort key is never a lone digit)."""
    if value is None or value == "":
        return None
    text = str(value)
    group = _RELEVANCE_CURSOR.match(text)
    if group is not None and len(text) <= MAX_CURSOR:
        return (int(group.group(1)), *_sort_and_code(text[group.end():]))
    return _sort_and_code(text)


def _sort_and_code(text: str) -> tuple[str, str]:
    sort, sep, code = text.partition("|")
    if (len(text) > MAX_CURSOR or not sep or not _SORT_KEY.match(sort) or not code or len(code) > 64
            or _CONTROL.search(code)):
        raise _bad_cursor()
    return sort, code


def parse_agency_cursor(value) -> tuple[int, str, str] | None:
    """``<tier rank>|<name_sort>|<code>`` of the last agency of the previous page."""
    if value is None or value == "":
        return None
    text = str(value)
    rank, sep, rest = text.partition("|")
    if len(text) > MAX_CURSOR or not sep or not rest or rank not in [str(i) for i in range(len(TIER_ORDER))]:
        raise _bad_cursor()
    sort, code = _sort_and_code(rest)
    return int(rank), sort, code


def safe_url(url: str | None) -> str | None:
    """An evidence address worth linking to: http or https only."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


