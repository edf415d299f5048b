"""What templates may call: the words of fixed values, states, levels and field lists,
numbers and dates in the reader's language, and the organisation's names.

Templates never spell out a field or a state themselves; they ask here, so a new
report field or level changes the models and the vocabulary, not the pages.
Numbers and dates go through Babel in the page's locale, one filter each, so that
Vietnamese pages read "44,1 %" and "10.467" and English ones "44.1%" and "10,467".
"""

from datetime import date, datetime

from flask import Flask, current_app
from flask_babel import format_date, format_time, get_locale, gettext

from registry.catalogue.levels import LEVELS
from registry.catalogue.levels import title as level_title
from registry.core import numbers
from registry.core.vocabulary import field_name, label
from registry.models import REPORT_COUNTS, REPORT_FLAGS
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
    env.filters["percent"] = percent
    env.filters["date"] = when
    env.filters["datetime"] = when
