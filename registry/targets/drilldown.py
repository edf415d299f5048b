"""The agencies and services behind a target's figure, as selects the pages page through."""

from sqlalchemy import and_, case, literal, or_, select

from registry.models import REPORT_COUNTS, REPORT_FLAGS, Agency, Formula, Service, Target
from registry.targets.basis import BasisJoin
from registry.targets.definitions import parse_scope, target_flags


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
