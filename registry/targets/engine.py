"""The target engine (SPEC §3): attainment of each target for a period and basis.

Everything is counted by the database: per period, one statement grouped by
the agencies' tier and kind, whatever the size of the registry (the service
counts join it already summed per agency and per submission); the rest is
arithmetic on a few dozen grouped rows. Whether a target is met is
decided on exact integers, never on a rounded or floating value.
No Flask here.
"""

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import and_, case, false, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from registry.models import (
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


def make_result(target: Target, period: int, basis: str, numerator: int, denominator: int,
                covered: int, total: int) -> TargetResult:
    """A target's result from its counts (the cache rebuilds results with it too)."""
    if denominator == 0:
        value = None
    elif target.unit == Unit.count.value:
        value = numerator
    else:
        value = percent(numerator, denominator)
    return TargetResult(target, period, basis, numerator, denominator, value,
                        is_met(target, numerator, denominator), Coverage(covered, total))


# --- the basis: which figures count ---------------------------------------------

class BasisJoin:
    """The figures that count for one period and basis, as outer joins onto a
    statement that has an agency id (and, for the service statuses, a service id).

    ``verified``: the submission's last verified copy. ``reported``: the
    submission's current entries while it is submitted or verified, else its
    last verified copy. Drafts never count.

    The joins go through the unique keys (submission: agency and period; copy:
    submission and sequence; status: copy or submission and service), so every
    row costs a few index lookups whatever the size of the registry. Joining a
    derived table of figures instead made SQLite scan it once per outer row.
    Each instance has its own aliases, so that one statement may hold several.
    """

    def __init__(self, period: int, basis: str):
        if basis not in BASES:
            raise ValueError(basis)
        self.period, self.basis = period, basis
        self.submission = aliased(Submission, name="basis_submission")
        self.copy = aliased(VerifiedCopy, name="basis_copy")
        self.copied_status = aliased(VerifiedServiceStatus, name="basis_copied_status")
        self.current_status = aliased(ServiceStatus, name="basis_current_status")
        sub, copy = self.submission, self.copy
        if basis == "verified":
            self.current = false()
            self.in_basis = copy.id.is_not(None)
        else:
            self.current = and_(sub.id.is_not(None), sub.state.in_(COUNTED_STATES))
            self.in_basis = or_(self.current, copy.id.is_not(None))

    def join(self, statement, agency_id):
        """``statement`` with the agency's submission for the period and the copy that counts, outer-joined."""
        sub = self.submission
        statement = statement.join(sub, and_(sub.agency_id == agency_id, sub.period_year == self.period),
                                   isouter=True)
        return statement.join(self.copy, self.copy_condition(), isouter=True)

    def copy_condition(self):
        """The submission's last verified copy, when it is the one that counts."""
        sub, copy = self.submission, self.copy
        condition = and_(copy.submission_id == sub.id, copy.sequence == sub.verified_sequence)
        if self.basis == "reported":
            condition = and_(condition, sub.state.not_in(COUNTED_STATES))
        return condition

    def join_statuses(self, statement, service_id):
        """After ``join``: the service's status that counts, outer-joined."""
        copied = self.copied_status
        statement = statement.join(copied, and_(copied.copy_id == self.copy.id, copied.service_id == service_id),
                                   isouter=True)
        if self.basis == "reported":
            current = self.current_status
            statement = statement.join(current, and_(self.current, current.submission_id == self.submission.id,
                                                     current.service_id == service_id), isouter=True)
        return statement

    def field(self, name: str):
        """An adoption-report column as it counts (NULL outside the basis)."""
        copied = getattr(self.copy, name)
        if self.basis == "verified":
            return copied
        return case((self.current, getattr(self.submission, name)), else_=copied)

    def status(self, name: str):
        """A service-status column as it counts (NULL when there is none). At most
        one of the two status joins matches: the copy is joined only when the
        current entries do not count."""
        copied = getattr(self.copied_status, name)
        if self.basis == "verified":
            return copied
        return func.coalesce(getattr(self.current_status, name), copied)

    def level(self):
        """The level a service counts at: 0 without a status in the basis."""
        return func.coalesce(self.status("level"), 0)

    def flag(self):
        """Whether the row is in the basis, as a boolean (never NULL)."""
        return case((self.in_basis, True), else_=False)


def basis_figures(period: int, basis: str):
    """One row per agency whose submission for ``period`` is in the basis, with
    the figures that count: the columns of the adoption report, and either the
    verified copy's id or the submission's id (for the service statuses). For
    callers that join such a table; joining ``BasisJoin`` row by row is faster."""
    figures = BasisJoin(period, basis)
    sub = figures.submission
    statement = select(
        sub.agency_id.label("agency_id"),
        case((figures.current, null()), else_=figures.copy.id).label("copy_id"),
        case((figures.current, sub.id), else_=null()).label("submission_id"),
        *[figures.field(f).label(f) for f in (*REPORT_FLAGS, *REPORT_COUNTS)],
    ).select_from(sub).join(figures.copy, figures.copy_condition(), isouter=True)
    return statement.where(sub.period_year == period, figures.in_basis).cte("figures")


# --- computation ----------------------------------------------------------------

@dataclass
class _ServiceCounts:
    total: int = 0
    covered: int = 0
    at_level: dict[int, int] = field(default_factory=dict)  # level → services counted at it

    def at_least(self, level: int) -> int:
        return sum(n for lv, n in self.at_level.items() if lv >= level)


COUNTED_LEVELS = tuple(level.number for level in LEVELS if level.number > MIN_LEVEL)


def _statuses_in_basis(period: int, basis: str):
    """(submission id, agency id, service id, level) of every service status that
    counts, read from the period's submissions in the basis through their keys."""
    figures = BasisJoin(period, basis)
    sub = figures.submission

    def statuses(status):
        return select(sub.id.label("submission_id"), sub.agency_id.label("agency_id"),
                      status.service_id.label("service_id"), status.level.label("level")).select_from(sub)

    copied = figures.copied_status
    from_copies = (statuses(copied)
                   .join(figures.copy, figures.copy_condition())
                   .join(copied, copied.copy_id == figures.copy.id)
                   .where(sub.period_year == period))
    if basis == "verified":
        return from_copies
    current = figures.current_status
    from_entries = (statuses(current)
                    .join(current, current.submission_id == sub.id)
                    .where(sub.period_year == period, sub.state.in_(COUNTED_STATES)))
    return union_all(from_entries, from_copies)


def _levels_by_submission(period: int, basis: str):
    """Per submission in the basis: how many active services of its agency it puts
    at each level above 0 (a status of a service that moved to another agency, or
    was switched off, does not count)."""
    statuses = _statuses_in_basis(period, basis).subquery("statuses")
    return (
        select(statuses.c.submission_id,
               *[func.sum(case((statuses.c.level == number, 1), else_=0)).label(_level_key(number))
                 for number in COUNTED_LEVELS])
        .join(Service, and_(Service.id == statuses.c.service_id, Service.agency_id == statuses.c.agency_id))
        .where(Service.active)
        .group_by(statuses.c.submission_id)
        .subquery("levels")
    )


def _services_by_agency():
    return (select(Service.agency_id, func.count().label("services"))
            .where(Service.active).group_by(Service.agency_id).subquery("services"))


def _level_key(level: int) -> str:
    return f"services_at_{level}"


def _flag_key(flags: tuple[str, ...]) -> str:
    return "all__" + "__".join(flags)


def _ratio_key(numerator: str, denominator: str, part: str) -> str:
    return f"sum__{numerator}__{denominator}__{part}"


def _groups(session: Session, period: int, basis: str, with_services: bool,
            flag_sets: Iterable[tuple[str, ...]], ratios: Iterable[tuple[str, str]]) -> list[dict]:
    """Per (tier, kind) of the active agencies, in one grouped statement: how many,
    how many in the basis, how many with each set of flags, and for each ratio the
    sums of its two fields over the agencies that know both (an unknown figure
    cannot be summed); with ``with_services``, also their active services, those
    of agencies in the basis, and how many of these count at each level above 0."""
    figures = BasisJoin(period, basis)
    in_basis = figures.in_basis
    columns = [Agency.tier.label("tier"), Agency.kind.label("kind"), func.count().label("total"),
               func.sum(case((in_basis, 1), else_=0)).label("covered")]
    for flags in flag_sets:
        condition = and_(in_basis, *[figures.field(f).is_(True) for f in flags])
        columns.append(func.sum(case((condition, 1), else_=0)).label(_flag_key(flags)))
    for numerator, denominator in ratios:
        known = and_(figures.field(numerator).is_not(None), figures.field(denominator).is_not(None))
        for part, name in (("numerator", numerator), ("denominator", denominator)):
            columns.append(func.sum(case((known, figures.field(name)), else_=0))
                           .label(_ratio_key(numerator, denominator, part)))
    services = levels = None
    if with_services:
        services, levels = _services_by_agency(), _levels_by_submission(period, basis)
        count = func.coalesce(services.c.services, 0)
        columns += [func.sum(count).label("services"),
                    func.sum(case((in_basis, count), else_=0)).label("services_covered")]
        columns += [func.sum(func.coalesce(levels.c[_level_key(n)], 0)).label(_level_key(n))
                    for n in COUNTED_LEVELS]
    statement = figures.join(select(*columns).select_from(Agency), Agency.id).where(Agency.active)
    if with_services:
        statement = (statement.join(services, services.c.agency_id == Agency.id, isouter=True)
                     .join(levels, levels.c.submission_id == figures.submission.id, isouter=True))
    rows = session.execute(statement.group_by(Agency.tier, Agency.kind)).mappings().all()
    return [{k: (int(v) if k not in ("tier", "kind") and v is not None else v) for k, v in row.items()}
            for row in rows]


def _service_counts(groups: list[dict]) -> _ServiceCounts:
    counts = _ServiceCounts(total=sum(g["services"] for g in groups),
                            covered=sum(g["services_covered"] for g in groups))
    for number in COUNTED_LEVELS:
        counts.at_level[number] = sum(g[_level_key(number)] for g in groups)
    counts.at_level[MIN_LEVEL] = counts.total - sum(counts.at_level.values())
    return counts


def active_targets(session: Session) -> list[Target]:
    return list(session.execute(
        select(Target).where(Target.active).order_by(Target.position, Target.code)).scalars())


def compute_targets(session: Session, period: int, basis: str = "verified",
                    targets: list[Target] | None = None) -> list[TargetResult]:
    """Each target's result for ``period`` in ``basis``: one grouped statement."""
    targets = active_targets(session) if targets is None else targets
    usable = [t for t in targets if not definition_errors(t)]
    if not usable:
        return []
    agency_targets = [t for t in usable if t.formula not in SERVICE_FORMULAS]
    flag_sets = sorted({target_flags(t) for t in agency_targets if t.formula == Formula.agency_flag_share.value})
    ratios = sorted({(t.numerator_field, t.denominator_field) for t in agency_targets
                     if t.formula == Formula.report_sum_ratio.value})
    with_services = len(agency_targets) < len(usable)
    groups = _groups(session, period, basis, with_services, flag_sets, ratios)
    services = _service_counts(groups) if with_services else None
    return [_compute_one(t, period, basis, services, groups) for t in usable]


def compute_target(session: Session, target: Target, period: int, basis: str = "verified") -> TargetResult:
    return compute_targets(session, period, basis, [target])[0]


def _compute_one(target: Target, period: int, basis: str, services: _ServiceCounts | None,
                 groups: list[dict]) -> TargetResult:
    if target.formula in SERVICE_FORMULAS:
        numerator = services.at_least(target.min_level)
        return make_result(target, period, basis, numerator, services.total, services.covered, services.total)
    clauses = parse_scope(target.scope)
    scoped = [g for g in groups if in_scope(clauses, g["tier"], g["kind"])]
    total = sum(g["total"] for g in scoped)
    covered = sum(g["covered"] for g in scoped)
    if target.formula == Formula.agency_flag_share.value:
        key = _flag_key(target_flags(target))
        return make_result(target, period, basis, sum(g[key] for g in scoped), total, covered, total)
    fields = (target.numerator_field, target.denominator_field)
    numerator = sum(g[_ratio_key(*fields, "numerator")] for g in scoped)
    denominator = sum(g[_ratio_key(*fields, "denominator")] for g in scoped)
    return make_result(target, period, basis, numerator, denominator, covered, total)


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
    figures = BasisJoin(period, basis)
    level = figures.level()
    statement = (
        select(Service.id, Service.code, Service.name, Service.name_en, Service.sector,
               Agency.code.label("agency_code"), Agency.name.label("agency_name"),
               level.label("level"), figures.flag().label("in_basis"),
               (level >= min_level).label("counted"))
        .join(Agency, Agency.id == Service.agency_id)
        .where(Service.active, Agency.active)
    )
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def agency_drilldown(target: Target, period: int, basis: str):
    """A select of every active agency in the target's scope with the figures that
    count for it (NULL when its submission is not in the basis) and whether it
    counts in the numerator (all flags true; for a sum target, both figures known).
    Callers add ordering and paging."""
    figures = BasisJoin(period, basis)
    scope_conditions = []
    for tier, kinds in parse_scope(target.scope):
        parts = []
        if tier is not None:
            parts.append(Agency.tier == tier)
        if kinds is not None:
            parts.append(Agency.kind.in_(sorted(kinds)))
        scope_conditions.append(and_(*parts) if parts else literal(True))
    if target.formula == Formula.report_sum_ratio.value:
        # summed only where both figures are known (see _agency_groups)
        meets = and_(figures.in_basis, figures.field(target.numerator_field).is_not(None),
                     figures.field(target.denominator_field).is_not(None))
    else:
        meets = and_(figures.in_basis, *[figures.field(f).is_(True) for f in target_flags(target)])
    statement = (
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind,
               figures.flag().label("in_basis"),
               case((meets, True), else_=False).label("counted"),
               *[figures.field(f).label(f) for f in (*REPORT_FLAGS, *REPORT_COUNTS)])
        .select_from(Agency)
        .where(Agency.active, or_(*scope_conditions))
    )
    return figures.join(statement, Agency.id)
