"""A target's result for a period and basis, and the exact arithmetic behind it (rules 7, 8).

No SQLAlchemy at import: ``registry targets`` builds results from the shared ones
without the tables (targets/shared.py).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from registry.core.vocabulary import Comparator, Unit

if TYPE_CHECKING:
    from registry.models import Target


@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int


@dataclass(frozen=True)
class Offerings:
    """A service target's figures over offerings (services) rather than procedures
    (SPEC §3 rule 3): services at the level ÷ services, and the services of
    agencies whose submission is in the basis."""

    numerator: int
    denominator: int
    value: float | int | None
    coverage: Coverage

    def as_dict(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value,
                "coverage": {"covered": self.coverage.covered, "total": self.coverage.total}}


@dataclass(frozen=True)
class TargetResult:
    target: "Target"
    period: int
    basis: str
    numerator: int
    denominator: int
    value: float | int | None
    met: bool
    coverage: Coverage
    # service targets: the same figures over offerings (their own numerator counts procedures)
    offerings: Offerings | None = None
    # An open (or correcting) period's result: figures so far, never final (rule 10).
    provisional: bool = False
    # (number, effective_from) of the target's version the period is judged by (rule 11)
    version: tuple[int, int | None] = (1, None)

    @property
    def counting_unit(self) -> str:
        """What the numerator and denominator count: ``procedure`` or ``agency`` (for a
        sum target, the agencies whose figures are summed)."""
        return "procedure" if self.offerings is not None else "agency"

    @property
    def incomplete(self) -> bool:
        return self.coverage.covered < self.coverage.total

    @property
    def status(self) -> str:
        """``met``, ``not_met``, ``insufficient_data`` (a provisional result while
        coverage is incomplete: no verdict) or ``no_data`` (rules 8, 10)."""
        if self.provisional and self.incomplete:
            return "insufficient_data"
        if self.value is None:
            return "no_data"
        return "met" if self.met else "not_met"

    @property
    def verdict(self) -> bool | None:
        """``met`` as the public is told it: None while there is no verdict."""
        status = self.status
        return None if status not in ("met", "not_met") else status == "met"

    @property
    def missing(self) -> int:
        """How many in-scope agencies (or, for service targets, procedures) are not in the basis yet."""
        return self.coverage.total - self.coverage.covered

    @property
    def shortfall(self) -> int:
        """How many more (services, agencies, or units of the summed field) the
        numerator needs to meet the target with the same denominator."""
        if self.met or self.denominator == 0 or self.verdict is None:
            return 0
        return needed(self.target, self.denominator) - self.numerator

    def as_dict(self, lang: str = "vi") -> dict:
        t = self.target
        return {
            "code": t.code,
            "title": t.title_en if lang == "en" else t.title_vi,
            "citation": t.citation,
            "unit": t.unit,
            "comparator": t.comparator,
            "threshold": t.threshold,
            "deadline": t.deadline,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "met": self.verdict,
            "status": self.status,
            "provisional": self.provisional,
            "version": {"number": self.version[0], "effective_from": self.version[1]},
            "coverage": {"covered": self.coverage.covered, "total": self.coverage.total},
            **({"counting_unit": "procedure", "offerings": self.offerings.as_dict()}
               if self.offerings is not None else {}),
        }


def is_met(target: "Target", numerator: int, denominator: int) -> bool:
    """Exact comparison on integers (rule 7)."""
    if denominator == 0:
        return False
    if target.unit == Unit.count.value:
        left, right = numerator, target.threshold
    else:
        left, right = numerator * 100, target.threshold * denominator
    return left > right if target.comparator == Comparator.more_than.value else left >= right


def needed(target: "Target", denominator: int) -> int:
    """The smallest numerator that meets the target for this denominator."""
    if target.unit == Unit.count.value:
        base = target.threshold
        return base + 1 if target.comparator == Comparator.more_than.value else base
    product = target.threshold * denominator
    if target.comparator == Comparator.more_than.value:
        return product // 100 + 1
    return -(-product // 100)


def percent(numerator: int, denominator: int) -> float:
    """numerator/denominator as a percentage with one decimal, half rounded up, exactly."""
    tenths = (2 * numerator * 1000 + denominator) // (2 * denominator)
    return tenths / 10


def _value(target: "Target", numerator: int, denominator: int) -> float | int | None:
    if denominator == 0:
        return None
    if target.unit == Unit.count.value:
        return numerator
    return percent(numerator, denominator)


def make_offerings(target: "Target", figures: dict | None) -> Offerings | None:
    """A service target's figures over offerings from ``{"numerator", "denominator",
    "covered", "total"}`` (None for other targets)."""
    if figures is None:
        return None
    return Offerings(figures["numerator"], figures["denominator"],
                     _value(target, figures["numerator"], figures["denominator"]),
                     Coverage(figures["covered"], figures["total"]))


def make_result(target: "Target", period: int, basis: str, numerator: int, denominator: int,
                covered: int, total: int, offerings: dict | None = None, provisional: bool = False,
                version: tuple[int, int | None] = (1, None)) -> TargetResult:
    """A target's result from its counts (the cache rebuilds results with it too);
    ``offerings``: a service target's counts over offerings (see make_offerings)."""
    return TargetResult(target, period, basis, numerator, denominator, _value(target, numerator, denominator),
                        is_met(target, numerator, denominator), Coverage(covered, total),
                        offerings=make_offerings(target, offerings), provisional=provisional,
                        version=tuple(version))


# --- results kept as JSON (the cache, and what closing a period publishes) ------------------

def result_payload(result: TargetResult) -> dict:
    """A result as JSON: its target's definition as judged, its counts (over offerings too, for a
    service target), and whether final."""
    payload = {"target": {name: getattr(result.target, name) for name in type(result.target).model_fields},
               "numerator": result.numerator, "denominator": result.denominator,
               "covered": result.coverage.covered, "total": result.coverage.total,
               "provisional": result.provisional, "version": list(result.version)}
    if result.offerings is not None:
        o = result.offerings
        payload["offerings"] = {"numerator": o.numerator, "denominator": o.denominator,
                                "covered": o.coverage.covered, "total": o.coverage.total}
    return payload


def result_from_payload(period: int, basis: str, item: dict, definition: Callable[..., Any]) -> TargetResult:
    """A kept result; ``definition`` makes its target from the kept fields: ``Target`` (a new one per
    result, detached from every session: a kept result is read, never written), or any object with
    those attributes for a reader without the tables."""
    return make_result(definition(**item["target"]), period, basis, item["numerator"], item["denominator"],
                       item["covered"], item["total"], offerings=item.get("offerings"),
                       provisional=item.get("provisional", False), version=tuple(item.get("version") or (1, None)))
