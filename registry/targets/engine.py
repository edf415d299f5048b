"""The target engine (SPEC §3): attainment of each target for a period and basis.

Everything is counted by the database: per period, one statement grouped by
the agencies' tier and kind, whatever the size of the registry (the service
counts join it already summed per agency and per submission), and for the
service targets one more that counts procedures (procedures.py); the rest is
arithmetic on a few dozen grouped rows. Whether a target is met is
decided on exact integers, never on a rounded or floating value.
No Flask here.
"""

from dataclasses import replace
from typing import Iterable

from sqlalchemy import and_, case, func, select, union_all
from sqlmodel import Session

from registry.catalogue.levels import LEVELS, MIN_LEVEL
from registry.catalogue.validity import valid_in
from registry.models import Agency, Formula, PeriodStatus, ReportingPeriod, Service, Target
from registry.targets.basis import COUNTED_STATES, BasisJoin
from registry.targets.definitions import SERVICE_FORMULAS, definition_errors, in_scope, parse_scope, target_flags
from registry.targets.procedures import LevelCounts, procedure_counts
from registry.targets.results import TargetResult, make_result
from registry.targets.versions import in_force

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
    """Per submission in the basis: how many services of its agency valid in the period
    it puts at each level above 0 (a status of a service that moved to another agency,
    or is not valid in the period, does not count)."""
    statuses = _statuses_in_basis(period, basis).subquery("statuses")
    return (
        select(statuses.c.submission_id,
               *[func.sum(case((statuses.c.level == number, 1), else_=0)).label(_level_key(number))
                 for number in COUNTED_LEVELS])
        .join(Service, and_(Service.id == statuses.c.service_id, Service.agency_id == statuses.c.agency_id))
        .where(valid_in(Service, period))
        .group_by(statuses.c.submission_id)
        .subquery("levels")
    )


def _services_by_agency(period: int):
    return (select(Service.agency_id, func.count().label("services"))
            .where(valid_in(Service, period)).group_by(Service.agency_id).subquery("services"))


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
        services, levels = _services_by_agency(period), _levels_by_submission(period, basis)
        count = func.coalesce(services.c.services, 0)
        columns += [func.sum(count).label("services"),
                    func.sum(case((in_basis, count), else_=0)).label("services_covered")]
        columns += [func.sum(func.coalesce(levels.c[_level_key(n)], 0)).label(_level_key(n))
                    for n in COUNTED_LEVELS]
    statement = figures.join(select(*columns).select_from(Agency), Agency.id).where(valid_in(Agency, period))
    if with_services:
        statement = (statement.join(services, services.c.agency_id == Agency.id, isouter=True)
                     .join(levels, levels.c.submission_id == figures.submission.id, isouter=True))
    rows = session.execute(statement.group_by(Agency.tier, Agency.kind)).mappings().all()
    return [{k: (int(v) if k not in ("tier", "kind") and v is not None else v) for k, v in row.items()}
            for row in rows]


def _service_counts(groups: list[dict]) -> LevelCounts:
    """The offerings (services): all, known, and known ones at each level; an
    offering whose agency's submission is not in the basis meets no level."""
    counts = LevelCounts(total=sum(g["services"] for g in groups),
                         covered=sum(g["services_covered"] for g in groups))
    for number in COUNTED_LEVELS:
        counts.at_level[number] = sum(g[_level_key(number)] for g in groups)
    counts.at_level[MIN_LEVEL] = counts.covered - sum(counts.at_level.values())
    return counts


def active_targets(session: Session) -> list[Target]:
    return list(session.execute(
        select(Target).where(Target.active).order_by(Target.position, Target.code)).scalars())


def is_provisional(session: Session, period: int) -> bool:
    """A period's figures are final once it is closed (rule 10)."""
    status = session.execute(select(ReportingPeriod.status).where(ReportingPeriod.year == period)).scalar()
    return status != PeriodStatus.closed.value


def compute_targets(session: Session, period: int, basis: str = "verified",
                    targets: list[Target] | None = None, provisional: bool | None = None) -> list[TargetResult]:
    """Each target's result for ``period`` in ``basis``, each judged by its version in
    force for the period (rule 11): one grouped statement."""
    targets = active_targets(session) if targets is None else targets
    targets, versions = in_force(session, period, targets)
    if provisional is None:
        provisional = is_provisional(session, period)
    usable = [t for t in targets if not definition_errors(t)]
    if not usable:
        return []
    agency_targets = [t for t in usable if t.formula not in SERVICE_FORMULAS]
    flag_sets = sorted({target_flags(t) for t in agency_targets if t.formula == Formula.agency_flag_share.value})
    ratios = sorted({(t.numerator_field, t.denominator_field) for t in agency_targets
                     if t.formula == Formula.report_sum_ratio.value})
    with_services = len(agency_targets) < len(usable)
    groups = _groups(session, period, basis, with_services, flag_sets, ratios)
    services = None
    if with_services:
        services = (procedure_counts(session, period, basis), _service_counts(groups))
    return [replace(_compute_one(t, period, basis, services, groups), provisional=provisional,
                    version=versions.get(t.code, (1, None))) for t in usable]


def compute_target(session: Session, target: Target, period: int, basis: str = "verified") -> TargetResult:
    return compute_targets(session, period, basis, [target])[0]


def _compute_one(target: Target, period: int, basis: str, services: tuple[LevelCounts, LevelCounts] | None,
                 groups: list[dict]) -> TargetResult:
    if target.formula in SERVICE_FORMULAS:
        procedures, offerings = services
        return make_result(target, period, basis, procedures.at_least(target.min_level), procedures.total,
                           procedures.covered, procedures.total,
                           offerings={"numerator": offerings.at_least(target.min_level),
                                      "denominator": offerings.total, "covered": offerings.covered,
                                      "total": offerings.total})
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
