"""Versions of the province-wide indicators (SPEC §3b: "versioned like the targets",
rule 11): an indicator's wording, comparator, threshold or deadline changes from a
period on; earlier periods keep being judged by the version in force for them. The
rule is the targets' (targets/versions.py); what differs is that a threshold is an
exact decimal. No Flask here."""

from sqlmodel import Session

from registry.core.errors import N_
from registry.indicators.values import decimal_text, parse_decimal
from registry.models import Indicator, IndicatorVersion
from registry.models.indicators import INDICATOR_COMPARATORS
from registry.targets.versions import Versioned, read_wording

INDICATORS = Versioned(IndicatorVersion, "indicator_id",
                       ("title_vi", "title_en", "citation", "comparator", "threshold", "deadline"),
                       "indicator", N_("Không tạo được phiên bản mới của chỉ số."))


def revise_indicator(session: Session, actor, indicator: Indicator, values: dict) -> IndicatorVersion:
    """A new version of ``indicator`` from the period ``values["effective_from"]`` on: refused
    for a closed period, for a threshold or comparator change without new titles that
    state it, and when nothing changes."""

    def read_new(f, current, given):
        threshold = current.threshold
        if given["threshold"]:
            number = parse_decimal(f.values.get("threshold"))
            if number is None:
                f.fail("threshold", N_("phải là số không âm, dấu phẩy hoặc dấu chấm là dấu thập phân (ví dụ 3,5), "
                                       "tối đa 6 chữ số sau dấu thập phân"))
            elif indicator.unit == "percent" and number > 100:
                f.fail("threshold", N_("tỷ lệ không được lớn hơn 100"))
            threshold = None if number is None else decimal_text(number)
        return {**read_wording(f, current, given, INDICATOR_COMPARATORS), "threshold": threshold}

    return INDICATORS.revise(session, actor, indicator, values, read_new)
