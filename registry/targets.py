"""The target engine (SPEC §3): attainment of each target for a period and basis.

Everything is counted by the database: per period, one grouped query over the
services and one over the agencies, whatever the size of the registry; the
rest is arithmetic on a few dozen grouped rows. Whether a target is met is
decided on exact integers, never on a rounded or floating value.
No Flask here.
"""

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import Integer, and_, case, cast, func, literal, null, or_, select, union_all
from sqlmodel import Session

from .levels import MAX_LEVEL, MIN_LEVEL
from .models import (
    REPORT_COUNTS,
    REPORT_FLAGS,
    Agency,
    Comparator,
    Formula,
    ReportingPeriod,
    Service,
    ServiceStatus,
    State,
    Submission,
    Target,
    Unit,
    VerifiedCopy,
    VerifiedServiceStatus,
)

BASES = ("verified", "reported")
COUNTED_STATES = (State.submitted.value, State.verified.value)
SERVICE_FORMULAS = (Formula.service_level_share.value, Formula.service_level_count.value)

Scope = list[tuple[str | None, frozenset[str] | None]]


# --- target definitions --------------------------------------------------------

def parse_scope(scope: str | None) -> Scope:
    """``"district:department,people_committee;province:people_committee"`` → clauses.

    A clause is ``tier:kinds``; ``*`` (or nothing) stands for any tier or any
    kind. An empty scope means every agency.
    """
    clauses: Scope = []
    for clause in (scope or "*:*").split(";"):
        clause = clause.strip()
        if not clause:
            continue
        tier, _, kinds = clause.partition(":")
        tier = tier.strip()
        kind_set = frozenset(k.strip() for k in kinds.split(",") if k.strip())
        clauses.append((None if tier in ("", "*") else tier,
                        None if not kind_set or "*" in kind_set else kind_set))
    return clauses or [(None, None)]


def in_scope(clauses: Scope, tier: str, kind: str) -> bool:
    return any((t is None or t == tier) and (k is None or kind in k) for t, k in clauses)


def target_flags(target: Target) -> tuple[str, ...]:
    return tuple(sorted(f.strip() for f in (target.flags or "").split(",") if f.strip()))


def definition_errors(target: Target) -> dict[str, str]:
    """What is wrong with a target row's formula parameters (empty when usable)."""
    errors = {}
    if target.formula in SERVICE_FORMULAS:
        if target.min_level is None or not MIN_LEVEL <= target.min_level <= MAX_LEVEL:
            errors["min_level"] = "min_level"
    elif target.formula == Formula.agency_flag_share.value:
        flags = target_flags(target)
        if not flags or any(f not in REPORT_FLAGS for f in flags):
            errors["flags"] = "flags"
    elif target.formula == Formula.report_sum_ratio.value:
        for name in ("numerator_field", "denominator_field"):
            if getattr(target, name) not in REPORT_COUNTS:
                errors[name] = name
    else:
        errors["formula"] = "formula"
    if target.formula != Formula.service_level_count.value and target.unit != Unit.percent.value:
        errors["unit"] = "unit"
    return errors


# --- results --------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int


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


def _result(target: Target, period: int, basis: str, numerator: int, denominator: int,
            covered: int, total: int) -> TargetResult:
    if denominator == 0:
        value = None
    elif target.unit == Unit.count.value:
        value = numerator
    else:
        value = percent(numerator, denominator)
    return TargetResult(target, period, basis, numerator, denominator, value,
                        is_met(target, numerator, denominator), Coverage(covered, total))


# --- the basis: which figures count ---------------------------------------------

def basis_figures(period: int, basis: str):
    """One row per agency whose submission for ``period`` is in the basis, with
    the figures that count: the columns of the adoption report, and either the
    verified copy's id or the submission's id (for the service statuses)."""
    if basis not in BASES:
        raise ValueError(basis)

    def from_copy(extra_condition=None):
        condition = and_(Submission.period_year == period, Submission.verified_sequence.is_not(None))
        if extra_condition is not None:
            condition = and_(condition, extra_condition)
        return (
            select(Submission.agency_id.label("agency_id"), VerifiedCopy.id.label("copy_id"),
                   cast(null(), Integer).label("submission_id"),
                   *[getattr(VerifiedCopy, f).label(f) for f in (*REPORT_FLAGS, *REPORT_COUNTS)])
            .join(VerifiedCopy, and_(VerifiedCopy.submission_id == Submission.id,
                                     VerifiedCopy.sequence == Submission.verified_sequence))
            .where(condition)
        )

    if basis == "verified":
        return from_copy().cte("figures")
    current = (
        select(Submission.agency_id.label("agency_id"), cast(null(), Integer).label("copy_id"),
               Submission.id.label("submission_id"),
               *[getattr(Submission, f).label(f) for f in (*REPORT_FLAGS, *REPORT_COUNTS)])
        .where(Submission.period_year == period, Submission.state.in_(COUNTED_STATES))
    )
    fallback = from_copy(Submission.state.not_in(COUNTED_STATES))
    return union_all(current, fallback).cte("figures")


def basis_levels(figures):
    """(agency_id, service_id, level) of the statuses that count."""
    copied = (select(figures.c.agency_id, VerifiedServiceStatus.service_id, VerifiedServiceStatus.level)
              .join(VerifiedServiceStatus, VerifiedServiceStatus.copy_id == figures.c.copy_id))
    current = (select(figures.c.agency_id, ServiceStatus.service_id, ServiceStatus.level)
               .join(ServiceStatus, ServiceStatus.submission_id == figures.c.submission_id))
    return union_all(copied, current).subquery("levels")


def _active_services():
    return (select(Service.id, Service.agency_id)
            .join(Agency, Agency.id == Service.agency_id)
            .where(Service.active, Agency.active))


# --- computation ----------------------------------------------------------------

@dataclass
class _ServiceCounts:
    total: int = 0
    covered: int = 0
    at_level: dict[int, int] = field(default_factory=dict)  # level → services counted at it

    def at_least(self, level: int) -> int:
        return sum(n for lv, n in self.at_level.items() if lv >= level)


def _service_counts(session: Session, figures) -> _ServiceCounts:
    levels = basis_levels(figures)
    services = _active_services().subquery("active_services")
    level = func.coalesce(levels.c.level, 0)
    rows = session.execute(
        select(level, func.count(), func.count(figures.c.agency_id))
        .select_from(services)
        .join(figures, figures.c.agency_id == services.c.agency_id, isouter=True)
        .join(levels, and_(levels.c.service_id == services.c.id, levels.c.agency_id == services.c.agency_id),
              isouter=True)
        .group_by(level)
    ).all()
    counts = _ServiceCounts()
    for lv, total, covered in rows:
        counts.total += total
        counts.covered += covered
        counts.at_level[int(lv)] = counts.at_level.get(int(lv), 0) + total
    return counts


def _flag_key(flags: tuple[str, ...]) -> str:
    return "all__" + "__".join(flags)


def _ratio_key(numerator: str, denominator: str, part: str) -> str:
    return f"sum__{numerator}__{denominator}__{part}"


def _agency_groups(session: Session, figures, flag_sets: Iterable[tuple[str, ...]],
                   ratios: Iterable[tuple[str, str]]) -> list[dict]:
    """Per (tier, kind) of the active agencies: how many, how many in the basis,
    how many with each set of flags, and for each ratio the sums of its two
    fields over the agencies that know both (an unknown figure cannot be summed)."""
    in_basis = figures.c.agency_id.is_not(None)
    columns = [Agency.tier.label("tier"), Agency.kind.label("kind"), func.count().label("total"),
               func.count(figures.c.agency_id).label("covered")]
    for flags in flag_sets:
        condition = and_(in_basis, *[figures.c[f].is_(True) for f in flags])
        columns.append(func.sum(case((condition, 1), else_=0)).label(_flag_key(flags)))
    for numerator, denominator in ratios:
        known = and_(figures.c[numerator].is_not(None), figures.c[denominator].is_not(None))
        for part, name in (("numerator", numerator), ("denominator", denominator)):
            columns.append(func.sum(case((known, figures.c[name]), else_=0))
                           .label(_ratio_key(numerator, denominator, part)))
    rows = session.execute(
        select(*columns)
        .select_from(Agency)
        .join(figures, figures.c.agency_id == Agency.id, isouter=True)
        .where(Agency.active)
        .group_by(Agency.tier, Agency.kind)
    ).mappings().all()
    return [{k: (int(v) if k not in ("tier", "kind") and v is not None else v) for k, v in row.items()}
            for row in rows]


def active_targets(session: Session) -> list[Target]:
    return list(session.execute(
        select(Target).where(Target.active).order_by(Target.position, Target.code)).scalars())


def compute_targets(session: Session, period: int, basis: str = "verified",
                    targets: list[Target] | None = None) -> list[TargetResult]:
    targets = active_targets(session) if targets is None else targets
    usable = [t for t in targets if not definition_errors(t)]
    figures = basis_figures(period, basis)
    services = None
    if any(t.formula in SERVICE_FORMULAS for t in usable):
        services = _service_counts(session, figures)
    groups = []
    agency_targets = [t for t in usable if t.formula not in SERVICE_FORMULAS]
    if agency_targets:
        flag_sets = sorted({target_flags(t) for t in agency_targets
                            if t.formula == Formula.agency_flag_share.value})
        ratios = sorted({(t.numerator_field, t.denominator_field) for t in agency_targets
                         if t.formula == Formula.report_sum_ratio.value})
        groups = _agency_groups(session, figures, flag_sets, ratios)
    return [_compute_one(t, period, basis, services, groups) for t in usable]


def compute_target(session: Session, target: Target, period: int, basis: str = "verified") -> TargetResult:
    return compute_targets(session, period, basis, [target])[0]


def _compute_one(target: Target, period: int, basis: str, services: _ServiceCounts | None,
                 groups: list[dict]) -> TargetResult:
    if target.formula in SERVICE_FORMULAS:
        numerator = services.at_least(target.min_level)
        return _result(target, period, basis, numerator, services.total, services.covered, services.total)
    clauses = parse_scope(target.scope)
    scoped = [g for g in groups if in_scope(clauses, g["tier"], g["kind"])]
    total = sum(g["total"] for g in scoped)
    covered = sum(g["covered"] for g in scoped)
    if target.formula == Formula.agency_flag_share.value:
        key = _flag_key(target_flags(target))
        return _result(target, period, basis, sum(g[key] for g in scoped), total, covered, total)
    fields = (target.numerator_field, target.denominator_field)
    numerator = sum(g[_ratio_key(*fields, "numerator")] for g in scoped)
    denominator = sum(g[_ratio_key(*fields, "denominator")] for g in scoped)
    return _result(target, period, basis, numerator, denominator, covered, total)


# --- trend and projection --------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """A straight line through the target's values over the periods with data."""

    points: int
    projected: float | None  # the line's value at the deadline
    will_meet: bool | None  # None: too few periods to draw a line
    deadline_passed: bool


def periods(session: Session) -> list[int]:
    return list(session.execute(select(ReportingPeriod.year).order_by(ReportingPeriod.year)).scalars())


def trend(session: Session, basis: str = "verified", years: list[int] | None = None) -> dict[str, list[TargetResult]]:
    """Each target's result for every period, oldest first: two queries a period."""
    years = periods(session) if years is None else years
    targets = active_targets(session)
    series: dict[str, list[TargetResult]] = {t.code: [] for t in targets}
    for year in years:
        for result in compute_targets(session, year, basis, targets):
            series[result.target.code].append(result)
    return series


def project(target: Target, history: list[TargetResult]) -> Projection:
    """Whether, on a linear trend over the periods with data, the target is met by its deadline."""
    points = [(r.period, float(r.value)) for r in history if r.value is not None and r.period <= target.deadline]
    at_deadline = next((r for r in history if r.period == target.deadline and r.value is not None), None)
    if at_deadline is not None:
        return Projection(len(points), float(at_deadline.value), at_deadline.met, True)
    if len(points) < 2:
        return Projection(len(points), None, None, False)
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    projected = mean_y + slope * (target.deadline - mean_x)
    if target.unit == Unit.percent.value:
        projected = min(100.0, max(0.0, projected))
    else:
        projected = max(0.0, projected)
    threshold = float(target.threshold)
    will_meet = projected > threshold if target.comparator == Comparator.more_than.value else projected >= threshold
    return Projection(n, round(projected, 1), will_meet, False)


# --- drill-down ---------------------------------------------------------------------

def service_drilldown(period: int, basis: str, min_level: int):
    """A select of every active service with the level that counts for it, whether
    its agency's submission is in the basis, and whether it is in the numerator.
    Callers add ordering, filters and paging."""
    figures = basis_figures(period, basis)
    levels = basis_levels(figures)
    level = func.coalesce(levels.c.level, 0)
    return (
        select(Service.id, Service.code, Service.name, Service.name_en, Service.sector,
               Agency.code.label("agency_code"), Agency.name.label("agency_name"),
               level.label("level"),
               figures.c.agency_id.is_not(None).label("in_basis"),
               (level >= min_level).label("counted"))
        .join(Agency, Agency.id == Service.agency_id)
        .join(figures, figures.c.agency_id == Service.agency_id, isouter=True)
        .join(levels, and_(levels.c.service_id == Service.id, levels.c.agency_id == Service.agency_id),
              isouter=True)
        .where(Service.active, Agency.active)
    )


def agency_drilldown(target: Target, period: int, basis: str):
    """A select of every active agency in the target's scope with the figures that
    count for it (NULL when its submission is not in the basis) and whether it
    counts in the numerator (all flags true; for a sum target, both figures known).
    Callers add ordering and paging."""
    figures = basis_figures(period, basis)
    clauses = parse_scope(target.scope)
    scope_conditions = []
    for tier, kinds in clauses:
        parts = []
        if tier is not None:
            parts.append(Agency.tier == tier)
        if kinds is not None:
            parts.append(Agency.kind.in_(sorted(kinds)))
        scope_conditions.append(and_(*parts) if parts else literal(True))
    in_basis = figures.c.agency_id.is_not(None)
    if target.formula == Formula.report_sum_ratio.value:
        # summed only where both figures are known (see _agency_groups)
        meets = and_(in_basis, figures.c[target.numerator_field].is_not(None),
                     figures.c[target.denominator_field].is_not(None))
    else:
        meets = and_(in_basis, *[figures.c[f].is_(True) for f in target_flags(target)])
    return (
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind,
               figures.c.agency_id.is_not(None).label("in_basis"),
               case((meets, True), else_=False).label("counted"),
               *[figures.c[f] for f in (*REPORT_FLAGS, *REPORT_COUNTS)])
        .join(figures, figures.c.agency_id == Agency.id, isouter=True)
        .where(Agency.active, or_(*scope_conditions))
    )
