"""What templates may call: the words of fixed values, states, levels and field lists.

Templates never spell out a field or a state themselves; they ask here, so a new
report field or level changes the models and the vocabulary, not the pages.
"""

from flask import Flask
from flask_babel import format_datetime, get_locale, gettext

from registry.catalogue.levels import LEVELS
from registry.catalogue.levels import title as level_title
from registry.core.vocabulary import field_name, label
from registry.models import REPORT_COUNTS, REPORT_FLAGS
from registry.submissions.workflow import display_state


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
    env.filters["field_name"] = lambda key: field_name(key, gettext)
    env.filters["datetime"] = lambda value: format_datetime(value, "short") if value else ""
