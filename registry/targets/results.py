"""A target's result for a period and basis, and the exact arithmetic behind it (rules 7, 8)."""

from dataclasses import dataclass

from registry.models import Comparator, Target, Unit


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
    target: Target
    period: int
    basis: str
    numerator: int
    denominator: int
    value: float | int | None
    met: bool
    coverage: Coverage
    # service targets: the same figures over offerings (their own numerator counts procedures)
    offerings: Offerings | None = None

    @property
    def counting_unit(self) -> str:
        """What the numerator and denominator count: ``procedure`` or ``agency`` (for a
        sum target, the agencies whose figures are summed)."""
        return "procedure" if self.offerings is not None else "agency"

    @property
    def status(self) -> str:
        """``met``, ``not_met`` or ``no_data``."""
        if self.value is None:
            return "no_data"
        return "met" if self.met else "not_met"

    @property
    def shortfall(self) -> int:
        """How many more (services, agencies, or units of the summed field) the
        numerator needs to meet the target with the same denominator."""
        if self.met or self.denominator == 0:
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
            "met": self.met,
            "coverage": {"covered": self.coverage.covered, "total": self.coverage.total},
            **({"counting_unit": "procedure", "offerings": self.offerings.as_dict()}
               if self.offerings is not None else {}),
        }


def is_met(target: Target, numerator: int, denominator: int) -> bool:
    """Exact comparison on integers (rule 7)."""
    if denominator == 0:
        return False
    if target.unit == Unit.count.value:
        left, right = numerator, target.threshold
    else:
        left, right = numerator * 100, target.threshold * denominator
    return left > right if target.comparator == Comparator.more_than.value else left >= right


def needed(target: Target, denominator: int) -> int:
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


def _value(target: Target, numerator: int, denominator: int) -> float | int | None:
    if denominator == 0:
        return None
    if target.unit == Unit.count.value:
        return numerator
    return percent(numerator, denominator)


def make_offerings(target: Target, figures: dict | None) -> Offerings | None:
    """A service target's figures over offerings from ``{"numerator", "denominator",
    "covered", "total"}`` (None for other targets)."""
    if figures is None:
        return None
    return Offerings(figures["numerator"], figures["denominator"],
                     _value(target, figures["numerator"], figures["denominator"]),
                     Coverage(figures["covered"], figures["total"]))


def make_result(target: Target, period: int, basis: str, numerator: int, denominator: int,
                covered: int, total: int, offerings: dict | None = None) -> TargetResult:
    """A target's result from its counts (the cache rebuilds results with it too);
    ``offerings``: a service target's counts over offerings (see make_offerings)."""
    return TargetResult(target, period, basis, numerator, denominator, _value(target, numerator, denominator),
                        is_met(target, numerator, denominator), Coverage(covered, total),
                        make_offerings(target, offerings))
