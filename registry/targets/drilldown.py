"""The agencies and services behind a target's figure, as selects the pages page through."""

from types import SimpleNamespace

from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from registry.catalogue.validity import valid_in
from registry.models import REPORT_COUNTS, REPORT_FLAGS, Agency, Formula, Service, Target
from registry.targets.basis import BasisJoin
from registry.targets.definitions import SERVICE_FORMULAS, in_scope, parse_scope, target_flags
from registry.targets.procedures import offering_levels, valid_services
from registry.targets.publication import published_rows
from registry.targets.results import TargetResult


def service_drilldown(period: int, basis: str, min_level: int, procedure_code: str | None = None):
    """A select of every service (offering) valid in the period, or of the offerings of one
    procedure, with the level that counts for it (NULL without data in the basis), whether its
    agency's submission is in the basis, and whether it is in the offerings' numerator (an
    offering outside the basis never is). Callers add ordering, filters and paging."""
    figures = BasisJoin(period, basis)
    level = figures.known_level()
    statement = (
        select(Service.id, Service.code, Service.name, Service.name_en, Service.sector,
               Service.procedure_code,
               Agency.code.label("agency_code"), Agency.name.label("agency_name"),
               level.label("level"), figures.flag().label("in_basis"),
               case((and_(figures.in_basis, func.coalesce(level, -1) >= min_level), True),
                    else_=False).label("counted"))
        .join(Agency, Agency.id == Service.agency_id)
        .where(valid_services(period))
    )
    if procedure_code is not None:
        statement = statement.where(Service.procedure_code == procedure_code)
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def procedure_drilldown(period: int, basis: str, min_level: int):
    """A select of every procedure of the period, as a service target counts it:
    ``code`` (the procedure code), a name and sort key (its offerings' first, in
    Vietnamese order), ``offerings``, ``known`` offerings, ``level`` (the lowest of
    its offerings, NULL while any is unknown), ``in_basis`` (every offering known)
    and ``counted`` (in the target's numerator). Callers add ordering, filters and
    paging (columns ``name_sort`` and ``code``)."""
    offerings = offering_levels(period, basis).subquery("offerings")
    names = (select(Service.id.label("id"), Service.name, Service.name_en, Service.name_sort)
             .subquery("names"))
    count, known = func.count(), func.sum(offerings.c.known)
    complete = known == count
    level = case((complete, func.min(offerings.c.level)), else_=None)
    grouped = (select(offerings.c.procedure_code.label("code"), func.min(names.c.name).label("name"),
                   func.min(names.c.name_en).label("name_en"), func.min(names.c.name_sort).label("name_sort"),
                      count.label("offerings"), known.label("known"), level.label("level"),
                      case((complete, True), else_=False).label("in_basis"),
                      case((and_(complete, func.min(offerings.c.level) >= min_level), True),
                           else_=False).label("counted"))
               .select_from(offerings).join(names, names.c.id == offerings.c.service_id)
               .group_by(offerings.c.procedure_code)).subquery("procedures")
    return select(*grouped.c)


def agency_drilldown(target: Target, period: int, basis: str):
    """A select of every agency valid in the period and in the target's scope with the figures that
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
        .where(valid_in(Agency, period), or_(*scope_conditions))
    )
    return figures.join(statement, Agency.id)


def _published_counted(target: Target, row: dict) -> bool:
    if not row["in_basis"]:
        return False
    if target.formula in SERVICE_FORMULAS:
        return row["level"] is not None and row["level"] >= target.min_level
    if target.formula == Formula.report_sum_ratio.value:
        return row[target.numerator_field] is not None and row[target.denominator_field] is not None
    return all(row[f] is True for f in target_flags(target))


def _procedure_of(offering: dict) -> str:
    """A published offering's procedure (a part published before procedures were named: each
    service its own)."""
    return offering.get("procedure_code") or offering["code"]


def _published_procedures(offerings: list[dict]) -> list[dict]:
    """Published offerings grouped into procedures as ``procedure_drilldown`` selects them live:
    each procedure at the lowest level of its offerings, unknown while any is unknown. The
    offerings come in Vietnamese order, so a procedure takes its first offering's name and place."""
    groups: dict[str, list[dict]] = {}
    for row in offerings:
        groups.setdefault(_procedure_of(row), []).append(row)
    procedures = []
    for code, rows in groups.items():
        known = sum(1 for r in rows if r["in_basis"])
        level = min(r["level"] for r in rows) if known == len(rows) else None
        procedures.append({"code": code, "name": rows[0]["name"], "name_en": rows[0]["name_en"],
                           "offerings": len(rows), "known": known, "level": level, "in_basis": level is not None})
    return procedures


def published_drilldown(session: Session, target: Target, result: TargetResult, year: int, basis: str,
                        show: str, procedure: str | None = None, every_offering: bool = False) -> list | None:
    """The drill-down of a closed period, from what closing it published (rule 12): the rows
    (attributes as the live selects give them) that ``show`` asks for, in Vietnamese order;
    None when the period is not published. ``result.target`` is the version judged. A service
    target lists procedures, with ``procedure`` that procedure's offerings (rule 3), and with
    ``every_offering`` every offering (the per-agency breakdown, §8.6)."""
    judged = result.target
    part = "services" if judged.formula in SERVICE_FORMULAS else "agencies"
    rows = published_rows(session, year, basis, part)
    if rows is None:
        return None
    if part == "agencies":
        clauses = parse_scope(judged.scope)
        rows = [r for r in rows if in_scope(clauses, r["tier"], r["kind"])]
    elif procedure is not None:
        rows = [r for r in rows if _procedure_of(r) == procedure]
    elif not every_offering:
        rows = _published_procedures(rows)
    shown = []
    for row in rows:
        counted = _published_counted(judged, row)  # a procedure: known, at its lowest level
        if (show == "counted" and not counted) or (show == "not_counted" and (counted or not row["in_basis"])) \
                or (show == "not_in_basis" and row["in_basis"]):
            continue
        shown.append(SimpleNamespace(**row, counted=counted))
    return shown
