"""Where each indicator stands in a period (SPEC §3b): exact comparison of the verified
value with the threshold of the indicator's version in force for the period; an open
period's missing or unverified value is ``insufficient_data``, a closed period's
``no_data``."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlmodel import Session, select

from registry.core.vocabulary import PUBLISHED_STATUSES
from registry.indicators.definitions import all_indicators
from registry.indicators.values import decimal_text
from registry.indicators.versions import INDICATORS
from registry.models import Indicator, IndicatorValue, PeriodStatus, ReportingPeriod

COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def exact(row: IndicatorValue) -> Fraction:
    """The value as an exact fraction (a percentage from its numerator and denominator)."""
    if row.value is not None:
        return Fraction(Decimal(row.value))
    return Fraction(100 * row.numerator, row.denominator)


def shown(row: IndicatorValue) -> str:
    """The value as the API gives it: the decimal as entered, or a ratio rounded to one decimal."""
    if row.value is not None:
        return row.value
    tenths = (Decimal(row.numerator * 1000) / Decimal(row.denominator)).quantize(Decimal(1), ROUND_HALF_UP)
    return decimal_text(tenths / 10)


@dataclass
class IndicatorResult:
    indicator: Indicator
    period: int
    provisional: bool
    status: str  # met · not_met · insufficient_data · no_data
    value: str | None = None
    numerator: int | None = None
    denominator: int | None = None
    source: str | None = None
    evidence_url: str | None = None
    # (number, effective_from) of the indicator's version the period is judged by
    version: tuple[int, int | None] = (1, None)

    @property
    def met(self) -> bool | None:
        return {"met": True, "not_met": False}.get(self.status)

    def title(self, lang: str) -> str:
        return self.indicator.title_en if lang == "en" else self.indicator.title_vi

    def as_dict(self, lang: str = "vi") -> dict:
        i = self.indicator
        return {
            "code": i.code, "title": self.title(lang), "citation": i.citation, "unit": i.unit,
            "comparator": i.comparator, "threshold": i.threshold, "deadline": i.deadline,
            "value": self.value, "numerator": self.numerator, "denominator": self.denominator,
            "met": self.met, "status": self.status, "provisional": self.provisional,
            "source": self.source, "evidence_url": self.evidence_url,
            "version": {"number": self.version[0], "effective_from": self.version[1]},
        }


def judge(indicator: Indicator, row: IndicatorValue) -> bool:
    return COMPARE[indicator.comparator](exact(row), Fraction(Decimal(indicator.threshold)))


def indicator_results(session: Session, period: ReportingPeriod, live: bool = False,
                      provisional: bool | None = None) -> list[IndicatorResult]:
    """Every indicator's standing in ``period``, from verified values only: a closed (or
    correcting) period's as closing published it (rule 12), unless ``live``; a live one
    is ``provisional`` while the period is not closed, unless told otherwise."""
    if not live and period.status in PUBLISHED_STATUSES:
        from registry.targets.publication import PUBLIC_BASIS, published_part

        payload = published_part(session, period.year, PUBLIC_BASIS, INDICATORS_PART)
        if payload is not None:
            return results_from_part(period.year, payload)
    if provisional is None:
        provisional = period.status != PeriodStatus.closed.value
    verified = {row.indicator_code: row for row in session.exec(
        select(IndicatorValue).where(IndicatorValue.period_year == period.year, IndicatorValue.state == "verified"))}
    judged, numbers = INDICATORS.in_force(session, period.year, all_indicators(session))
    results = []
    for indicator in judged:
        row, version = verified.get(indicator.code), numbers[indicator.code]
        if row is None:
            results.append(IndicatorResult(indicator, period.year, provisional,
                                           "insufficient_data" if provisional else "no_data", version=version))
            continue
        results.append(IndicatorResult(
            indicator, period.year, provisional, "met" if judge(indicator, row) else "not_met", shown(row),
            row.numerator, row.denominator, row.source, row.evidence_url, version))
    return results


# --- published with the period (rule 12) ------------------------------------------------------

INDICATORS_PART = "indicators"
# each indicator as the period was judged: its version's wording and threshold, and where it stood
PART_COLUMNS = ("code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline", "position",
                "status", "value", "numerator", "denominator", "source", "evidence_url", "version", "effective_from")
DEFINITION_COLUMNS = PART_COLUMNS[:9]
# what a correction lists of an indicator
INDICATOR_FIGURES = ("comparator", "threshold", "status", "value", "numerator", "denominator")


def indicators_part(results: list[IndicatorResult]) -> dict:
    """The published ``indicators`` part of a period being closed."""
    return {"columns": list(PART_COLUMNS), "rows": [
        [*(getattr(r.indicator, name) for name in DEFINITION_COLUMNS), r.status, r.value, r.numerator,
         r.denominator, r.source, r.evidence_url, *r.version] for r in results]}


def results_from_part(year: int, payload: dict) -> list[IndicatorResult]:
    """The results a published ``indicators`` part holds, as they were published."""
    results = []
    for row in payload["rows"]:
        item = dict(zip(payload["columns"], row))
        indicator = Indicator(**{name: item[name] for name in DEFINITION_COLUMNS})
        results.append(IndicatorResult(indicator, year, False, item["status"], item["value"], item["numerator"],
                                       item["denominator"], item["source"], item["evidence_url"],
                                       (item["version"], item["effective_from"])))
    return results
