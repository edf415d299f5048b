"""An agency's scorecard for a period (SPEC §3c): each criterion's ratio and points,
exactly (fractions), its sections, its grade, and its contribution to each target.
No Flask here."""

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from registry.catalogue.levels import MIN_LEVEL
from registry.models import Formula, Target
from registry.rankings.figures import AgencyFigures
from registry.rankings.method import Band, Criterion, Method
from registry.targets.definitions import SERVICE_FORMULAS, in_scope, parse_scope, target_flags

ZERO_DENOMINATOR = "zero_denominator"  # the criterion's ratio has nothing to divide by: 0 points
UNKNOWN = "unknown"  # the verified report does not give the figure: 0 points


def one_decimal(value: Fraction) -> float:
    """An exact value shown with one decimal, half rounded up (as the targets' percentages)."""
    tenths = math.floor(value * 10 + Fraction(1, 2))
    return tenths / 10


def exact(value: Fraction) -> str:
    """An exact value as JSON keeps it: "151" or "455/3"."""
    return str(value)


@dataclass(frozen=True)
class Line:
    criterion: Criterion
    numerator: int | None
    denominator: int | None
    points: Fraction | int  # exact
    flag: str | None = None

    @property
    def ratio(self) -> Fraction | None:
        """None: zero denominator or unknown figure."""
        if self.flag is not None:
            return None
        return min(Fraction(self.numerator, self.denominator), Fraction(1))

    def as_dict(self, lang: str) -> dict:
        c = self.criterion
        ratio = self.ratio
        return {"code": c.code, "section": c.section, "title": c.title(lang), "numerator": self.numerator,
                "denominator": self.denominator,
                "ratio": None if ratio is None else one_decimal(ratio * 100),
                "points": one_decimal(self.points), "points_exact": exact(self.points), "maximum": c.points,
                "flag": self.flag}


def _line_values(criterion: Criterion, figures: AgencyFigures) -> tuple:
    """A criterion's (numerator, denominator, points' numerator, points' denominator, flag):
    ratio × maximum, exactly, as integers (a national ranking scores hundreds of thousands
    of lines: no Fraction until the sum)."""
    report = figures.report
    if criterion.kind == "flag":
        value = report.get(criterion.field)
        if value is None:
            return None, None, 0, 1, UNKNOWN
        return int(bool(value)), 1, criterion.points if value else 0, 1, None
    if criterion.kind == "ratio":
        numerator, denominator = report.get(criterion.numerator), report.get(criterion.denominator)
        if numerator is None or denominator is None:
            return numerator, denominator, 0, 1, UNKNOWN
    else:
        numerator, denominator = figures.services_at(criterion.min_level), figures.services
    if denominator == 0:
        return numerator, denominator, 0, 1, ZERO_DENOMINATOR
    if numerator >= denominator:
        return numerator, denominator, criterion.points, 1, None
    if numerator <= 0:
        return numerator, denominator, 0, 1, None
    return numerator, denominator, numerator * criterion.points, denominator, None


def _line(criterion: Criterion, figures: AgencyFigures) -> Line:
    numerator, denominator, points, over, flag = _line_values(criterion, figures)
    return Line(criterion, numerator, denominator, points if over == 1 else Fraction(points, over), flag)


def _exact_total(parts) -> Fraction:
    """The exact sum of fractions given as (numerator, denominator) pairs, normalised once."""
    whole, common, fractions = 0, 1, []
    for points, over in parts:
        if over == 1:
            whole += points
        else:
            fractions.append((points, over))
            common = math.lcm(common, over)
    return Fraction(whole * common + sum(points * (common // over) for points, over in fractions), common)


def exact_sum(values) -> Fraction:
    """The exact sum of integers and fractions, normalised once (not at every step)."""
    whole, parts = 0, []
    for value in values:
        if isinstance(value, int):
            whole += value
        else:
            parts.append(value)
    if not parts:
        return Fraction(whole)
    common = math.lcm(*(p.denominator for p in parts))
    return Fraction(whole * common + sum(p.numerator * (common // p.denominator) for p in parts), common)


@dataclass(frozen=True)
class Scorecard:
    period: int
    agency: AgencyFigures
    method: Method
    score: Fraction | None  # None: not assessed ("chưa đánh giá"), never 0
    band: Band | None

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        """Each criterion's line (empty when not assessed): made when a scorecard is shown,
        not for every agency ranked."""
        if self.score is None:
            return ()
        return tuple(_line(c, self.agency) for c in self.method.criteria)

    @property
    def assessed(self) -> bool:
        return self.score is not None

    @property
    def shown_score(self) -> float | None:
        """The score with one decimal, as pages show it."""
        return None if self.score is None else one_decimal(self.score)

    def section_points(self, section: str) -> Fraction:
        return exact_sum(line.points for line in self.lines if line.criterion.section == section)

    def shown_section(self, section: str) -> float:
        return one_decimal(self.section_points(section))

    def shown_sections(self) -> dict[str, float]:
        """Each section's points with one decimal, without keeping the lines: a workbook lists
        every agency's (12 000 at national scale), where the pages keep only the ones shown."""
        if self.score is None:
            return {}
        lines = self.__dict__.get("lines") or tuple(_line(c, self.agency) for c in self.method.criteria)
        return {s.code: one_decimal(exact_sum(line.points for line in lines if line.criterion.section == s.code))
                for s in self.method.sections}

    def as_dict(self, lang: str = "vi") -> dict:
        a, m = self.agency, self.method
        return {
            "period": self.period, "code": a.code,
            "name": a.name_en if lang == "en" and a.name_en else a.name,
            "assessed": self.assessed,
            "score": None if self.score is None else one_decimal(self.score),
            "score_exact": None if self.score is None else exact(self.score),
            "maximum": m.maximum,
            "grade": None if self.band is None else {"code": self.band.code, "title": self.band.title(lang)},
            "sections": [{"code": s.code, "title": s.title(lang), "maximum": m.section_maximum(s.code),
                          "points": None if not self.assessed else one_decimal(self.section_points(s.code))}
                         for s in m.sections],
            "criteria": [line.as_dict(lang) for line in self.lines],
            "services": {"total": a.services,
                         "by_level": {str(k): v for k, v in a.by_level().items()},
                         "at_least": {str(k): a.services_at(k) for k in sorted(a.by_level()) if k > MIN_LEVEL}},
        }


def score(method: Method, period: int, figures: AgencyFigures) -> Scorecard:
    """The agency's scorecard by ``method``: not assessed without a verified report."""
    if not figures.assessed:
        return Scorecard(period, figures, method, None, None)
    total = _exact_total(_line_values(c, figures)[2:4] for c in method.criteria)
    return Scorecard(period, figures, method, total, method.band(total))


# --- contributions to the targets ------------------------------------------------------

@dataclass(frozen=True)
class Contribution:
    """What one agency adds to a target's figure (offerings for a service target, §8.6),
    and how many of the units the province still misses are its own."""

    target: Target
    in_scope: bool
    numerator: int
    denominator: int
    province_numerator: int
    province_denominator: int

    @property
    def missing(self) -> int:
        return self.denominator - self.numerator

    @property
    def province_missing(self) -> int:
        return self.province_denominator - self.province_numerator

    def as_dict(self, lang: str = "vi") -> dict:
        t = self.target
        return {"code": t.code, "title": t.title_en if lang == "en" else t.title_vi, "in_scope": self.in_scope,
                "numerator": self.numerator, "denominator": self.denominator,
                "value": None if not self.denominator else one_decimal(Fraction(100 * self.numerator,
                                                                               self.denominator)),
                "missing": self.missing, "province_numerator": self.province_numerator,
                "province_denominator": self.province_denominator, "province_missing": self.province_missing}


def contribution_parts(target: Target, figures: AgencyFigures) -> tuple[bool, int, int]:
    """(in scope, numerator, denominator) the agency adds to ``target``; summed over every
    active agency they give the target's figures (offerings for service targets, §8.6)."""
    if not figures.active:
        return False, 0, 0
    if target.formula in SERVICE_FORMULAS:
        return figures.services > 0, figures.services_at(target.min_level), figures.services
    if not in_scope(parse_scope(target.scope), figures.tier, figures.kind):
        return False, 0, 0
    report = figures.report
    if target.formula == Formula.agency_flag_share.value:
        met = report is not None and all(report.get(f) is True for f in target_flags(target))
        return True, int(met), 1
    numerator = report.get(target.numerator_field) if report else None
    denominator = report.get(target.denominator_field) if report else None
    if numerator is None or denominator is None:
        return True, 0, 0
    return True, numerator, denominator
