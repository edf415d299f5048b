"""A target broken down by agency (issue 14.4): each agency's numerator and denominator
(offerings for a service target, §8.6), its own percentage, whether it meets the
threshold, and the units it is missing, sorted by how much it would move the
province's figure. The rows of every active agency sum exactly to the province's
figures. No Flask here."""

from dataclasses import dataclass
from fractions import Fraction

from registry.models import Target, Unit
from registry.rankings.figures import AgencyFigures
from registry.rankings.ranking import Ranking
from registry.rankings.scorecard import contribution_parts, one_decimal
from registry.targets.results import is_met


@dataclass(frozen=True)
class BreakdownRow:
    agency: AgencyFigures
    numerator: int
    denominator: int
    meets: bool | None  # None: nothing to judge (zero denominator) or a count target

    @property
    def missing(self) -> int:
        return self.denominator - self.numerator

    @property
    def value(self) -> float | None:
        return None if not self.denominator else one_decimal(Fraction(100 * self.numerator, self.denominator))


@dataclass(frozen=True)
class Breakdown:
    target: Target
    rows: list[BreakdownRow]  # agencies in scope, the most missing first
    numerator: int
    denominator: int

    @property
    def missing(self) -> int:
        return self.denominator - self.numerator


def breakdown(found: Ranking, target: Target) -> Breakdown:
    """``target`` agency by agency, in the ranking's period, from the same verified figures."""
    rows = []
    for agency in found.figures.values():
        scoped, numerator, denominator = contribution_parts(target, agency)
        if not scoped:
            continue
        meets = (None if not denominator or target.unit == Unit.count.value
                 else is_met(target, numerator, denominator))
        rows.append(BreakdownRow(agency, numerator, denominator, meets))
    rows.sort(key=lambda r: (-r.missing, r.meets is not False, r.agency.name_sort, r.agency.code))
    return Breakdown(target, rows, sum(r.numerator for r in rows), sum(r.denominator for r in rows))
