"""A target broken down by agency (issue 14.4): each agency's numerator and denominator
(offerings for a service target, §8.6), its own percentage, whether it meets the
threshold, and the units it is missing, sorted by how much it would move the
province's figure. The rows of every active agency sum exactly to the province's
figures. No Flask here."""

from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace

from sqlmodel import Session

from registry.core.search import sort_key
from registry.models import Formula, Target, Unit
from registry.rankings.figures import AgencyFigures
from registry.rankings.ranking import Ranking, ranking
from registry.rankings.scorecard import contribution_parts, one_decimal
from registry.targets.definitions import SERVICE_FORMULAS
from registry.targets.drilldown import published_drilldown
from registry.targets.results import TargetResult, is_met


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


def published_breakdown(judged: Target, rows: list) -> Breakdown:
    """The target agency by agency from a published drill-down (every row, ``show=all``):
    the same figures ``rankings.breakdown`` gives from the live ones, frozen at close
    (offerings per agency for a service target)."""
    parts: dict[str, list] = {}
    if judged.formula in SERVICE_FORMULAS:
        for row in rows:
            agency = SimpleNamespace(code=row.agency_code, name=row.agency_name, name_en=row.agency_name_en)
            part = parts.setdefault(agency.code, [agency, 0, 0])
            part[1] += int(row.counted)
            part[2] += 1
    else:
        for row in rows:
            agency = SimpleNamespace(code=row.code, name=row.name, name_en=row.name_en)
            if judged.formula == Formula.report_sum_ratio.value:
                numerator, denominator = ((getattr(row, judged.numerator_field), getattr(row, judged.denominator_field))
                                          if row.counted else (0, 0))
                parts[agency.code] = [agency, numerator, denominator]
            else:
                parts[agency.code] = [agency, int(row.counted), 1]
    found = []
    for agency, numerator, denominator in parts.values():
        meets = (None if not denominator or judged.unit == Unit.count.value
                 else is_met(judged, numerator, denominator))
        found.append(BreakdownRow(agency, numerator, denominator, meets))
    found.sort(key=lambda r: (-r.missing, r.meets is not False, sort_key(r.agency.name), r.agency.code))
    return Breakdown(judged, found, sum(r.numerator for r in found), sum(r.denominator for r in found))


def target_breakdown(session: Session, result: TargetResult, year: int) -> Breakdown:
    """A target's result agency by agency in ``year`` on verified data: what closing the period
    published (rule 12), else from the live figures. ``result.target`` is the version judged."""
    published = published_drilldown(session, result.target, result, year, "verified", "all", every_offering=True)
    if published is not None:
        return published_breakdown(result.target, published)
    return breakdown(ranking(session, year), result.target)
