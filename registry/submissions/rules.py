"""The rules of an adoption report (SPEC §2): reading each field, the counts that are
parts of others, and what submitting requires."""

from registry.core.errors import N_, Msg
from registry.core.validation import clean_text, parse_bool, parse_count
from registry.core.vocabulary import REPORT_LABELS
from registry.models import COUNT_BOUNDS, REPORT_COUNTS, REPORT_FIELDS, REPORT_FLAGS


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
    if values.get("broadband_internet") is True and values.get("internet_connected") is False:
        errors["internet_connected"] = Msg(N_("có Internet băng thông rộng là có kết nối Internet; "
                                              "hãy chọn “có” hoặc sửa mục “%(other)s”"),
                                           other=REPORT_LABELS["broadband_internet"])
    return errors


def missing_report_fields(values: dict) -> list[str]:
    return [f for f in REPORT_FIELDS if values.get(f) is None]
