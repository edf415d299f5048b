"""What templates may call: the words of fixed values, states, levels and field lists,
numbers and dates in the reader's language, and the organisation's names.

Templates never spell out a field or a state themselves; they ask here, so a new
report field or level changes the models and the vocabulary, not the pages.
Numbers and dates go through Babel in the page's locale, one filter each, so that
Vietnamese pages read "44,1 %" and "10.467" and English ones "44.1%" and "10,467".
"""

import re
from datetime import date, datetime

from flask import Flask, current_app
from flask_babel import format_date, format_time, get_locale, gettext
from markupsafe import Markup, escape

from registry.catalogue.levels import LEVELS
from registry.catalogue.levels import title as level_title
from registry.core import numbers
from registry.core.sectors import sector_name
from registry.core.vocabulary import field_name, label
from registry.models import REPORT_COUNTS, REPORT_FLAGS, Kind, Tier
from registry.submissions.workflow import display_state


def _language() -> str:
    return str(get_locale() or "vi")


def number(value, digits: int | None = None) -> str:
    """A count or a decimal in the page's language ("10.467", "3,5"); "—" when unknown."""
    return numbers.number(value, _language(), digits)


def percent(value, digits: int = 1) -> str:
    """A percentage (already ×100) in the page's language: "44,1 %" or "44.1%"."""
    return numbers.percent(value, _language(), digits)


def when(value, style: str = "medium") -> str:
    """A date or a moment in the page's language and the registry's time zone."""
    if not value:
        return ""
    if isinstance(value, datetime):
        # the day as a date, the time to the minute, in the registry's time zone
        return f"{format_date(value, style)} {format_time(value, 'short')}"
    if isinstance(value, date):
        return format_date(value, style)
    return str(value)


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
# The parts of a Vietnamese legal citation, and their English: "Quyết định 1529/QĐ-UBND ngày
# 25/8/2009 của UBND tỉnh Điện Biên, mục 3.b" → "Decision 1529/QĐ-UBND of 25 August 2009 of the
# People's Committee of Điện Biên Province, section 3.b". Numbers and codes stay as written.
CITATION_PARTS = (
    (re.compile(r"\bngày (\d{1,2})/(\d{1,2})/(\d{4})"),
     lambda m: f"of {int(m[1])} {MONTHS_EN[int(m[2]) - 1]} {m[3]}" if 1 <= int(m[2]) <= 12 else m[0]),
    (re.compile(r"\bcủa (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) tỉnh ([^,;]+)"),
     lambda m: f"of the People's Committee of {m[1].strip()} Province"),
    (re.compile(r"\bcủa Thủ tướng Chính phủ"), lambda m: "of the Prime Minister"),
    (re.compile(r"\bcủa Chính phủ"), lambda m: "of the Government"),
    (re.compile(r"\bQuyết định\b"), lambda m: "Decision"),
    (re.compile(r"\bNghị định\b"), lambda m: "Decree"),
    (re.compile(r"\bThông tư\b"), lambda m: "Circular"),
    (re.compile(r"\bNghị quyết\b"), lambda m: "Resolution"),
    (re.compile(r"\b[Mm]ục\b"), lambda m: "section"),
    (re.compile(r"\b[Đđ]iều\b"), lambda m: "Article"),
    (re.compile(r"\b[Kk]hoản\b"), lambda m: "clause"),
    (re.compile(r"\b[Đđ]iểm\b"), lambda m: "point"),
    (re.compile(r"\bphần\b", re.I), lambda m: "part"),
)
VIETNAMESE_WORD = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]", re.I)


def citation_in_english(text: str) -> str | None:
    """An English rendering of a citation, or None when some of it has no known English
    (then the page shows the original alone rather than a half-translation)."""
    rendered = text
    for pattern, english in CITATION_PARTS:
        rendered = pattern.sub(english, rendered)
    # what is left in Vietnamese may only be names (of a province, in "of … Province")
    leftover = re.sub(r"of the People's Committee of [^,;]+ Province", "", rendered)
    leftover = re.sub(r"\d+/[\wĐđ\-]+", "", leftover)  # document numbers such as 1529/QĐ-UBND
    return None if rendered == text or VIETNAMESE_WORD.search(leftover) else rendered


def citation(text: str | None):
    """A target's legal citation: in Vietnamese as written; in English, an English rendering
    with the Vietnamese original beside it (the original is what counts)."""
    if not text:
        return ""
    if _language() != "en":
        return text
    english = citation_in_english(text)
    original = Markup('<span lang="vi">%s</span>') % text
    if english is None:
        return original
    return Markup("%s (%s: %s)") % (english, escape(gettext("bản gốc tiếng Việt")), original)


def shown_name(record) -> str:
    """An agency's or a service's name in the page's language: its English name on English
    pages where it has one, its Vietnamese name otherwise."""
    english = getattr(record, "name_en", None) if _language() == "en" else None
    return english or record.name


class Organisation:
    """The province and the verifying department, from the settings (config.py), in the
    page's language."""

    @property
    def province(self) -> str:
        return current_app.config.get("REGISTRY_PROVINCE", "Điện Biên")

    @property
    def department(self) -> str:
        config = current_app.config
        if _language() == "en":
            return config.get("REGISTRY_DEPARTMENT_EN") or config.get("REGISTRY_DEPARTMENT", "")
        return config.get("REGISTRY_DEPARTMENT", "")


def init_app(app: Flask) -> None:
    env = app.jinja_env
    env.globals["label"] = lambda vocabulary, key: label(vocabulary, key, gettext)
    env.globals["state_label"] = lambda state: label("state", state, gettext)
    # an agency without a submission yet is looking at an empty draft
    env.globals["display_state"] = lambda submission: (
        display_state(submission.state, submission.verified_sequence) if submission else "draft")
    env.globals["levels"] = LEVELS
    env.globals["scope_tiers"] = [tier.value for tier in Tier]  # the rows and columns of a scope's grid
    env.globals["scope_kinds"] = [kind.value for kind in Kind]
    env.globals["report_counts"] = REPORT_COUNTS
    env.globals["report_flags"] = REPORT_FLAGS
    env.globals["level_title"] = lambda number: level_title(number, str(get_locale()))
    env.globals["org"] = Organisation()
    env.filters["field_name"] = lambda key, names=None: field_name(key, gettext, names)
    # {code: name} of service entries, in the page's language, for the error summary
    env.filters["service_names"] = lambda entries: {
        e.service.code: (getattr(e.service, "name_en", None) if _language() == "en" else None) or e.service.name
        for e in entries}
    env.filters["number"] = number
    env.filters["shown_name"] = shown_name
    env.filters["citation"] = citation
    env.filters["sector"] = lambda sector: sector_name(sector, _language())
    env.filters["percent"] = percent
    env.filters["date"] = when
    env.filters["datetime"] = when
