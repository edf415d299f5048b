"""Service targets count procedures (SPEC §3, rule 3).

A service is one agency's offering of a procedure (``Service.procedure_code``).
A procedure is in a period's denominator when one of its offerings is valid
then; an offering is *known* when its agency's submission is in the basis; a
procedure's level is the **lowest** level of its valid offerings (the level at
which every citizen of the province can use it), and it is unknown while any
offering is unknown. An unknown procedure meets no level; coverage is known
procedures ÷ procedures. A registry that never names procedures has one
procedure per service, and the same figures as counting services.

Counted by the database in one statement: offerings → procedures (grouped by
code) → counts per level.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from registry.catalogue.levels import MAX_LEVEL, MIN_LEVEL
from registry.catalogue.validity import valid_in
from registry.models import Agency, Service
from registry.targets.basis import BasisJoin

LEVEL_NUMBERS = tuple(range(MIN_LEVEL, MAX_LEVEL + 1))


@dataclass
class LevelCounts:
    """How many units (procedures or offerings) there are, how many are known, and
    how many known ones are at each level."""

    total: int = 0
    covered: int = 0
    at_level: dict[int, int] = field(default_factory=dict)

    def at_least(self, level: int) -> int:
        """Known units at ``level`` or above: unknown ones never count."""
        return sum(n for lv, n in self.at_level.items() if lv >= level)


def valid_services(period: int):
    """The condition on Service (joined with its Agency) of the offerings that count in
    ``period``: both valid in it (SPEC §2 rule 2)."""
    return and_(valid_in(Service, period), valid_in(Agency, period))


def offering_levels(period: int, basis: str):
    """A select of every valid offering: its service id, code, procedure code and
    agency, ``known`` (1 when its agency's submission is in the basis, else 0) and
    the level that counts for it (NULL when unknown; 0 when the submission says
    nothing of it, §8.3)."""
    figures = BasisJoin(period, basis)
    statement = (
        select(Service.id.label("service_id"), Service.code.label("code"),
               Service.procedure_code.label("procedure_code"), Service.agency_id.label("agency_id"),
               case((figures.in_basis, 1), else_=0).label("known"),
               case((figures.in_basis, figures.level()), else_=None).label("level"))
        .select_from(Service)
        .join(Agency, Agency.id == Service.agency_id)
        .where(valid_services(period))
    )
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def procedure_levels(period: int, basis: str):
    """A select of every procedure with a valid offering: its code, its offerings,
    how many are known, and its level (the lowest; NULL while any is unknown)."""
    offerings = offering_levels(period, basis).subquery("offerings")
    count, known = func.count(), func.sum(offerings.c.known)
    return (select(offerings.c.procedure_code.label("procedure_code"), count.label("offerings"),
                   known.label("known"),
                   case((known == count, func.min(offerings.c.level)), else_=None).label("level"))
            .group_by(offerings.c.procedure_code))


def procedure_counts(session: Session, period: int, basis: str) -> LevelCounts:
    """Procedures, known procedures, and known procedures at each level."""
    procedures = procedure_levels(period, basis).subquery("procedures")
    level = procedures.c.level
    row = session.execute(select(
        func.count().label("total"),
        func.sum(case((level.is_not(None), 1), else_=0)).label("covered"),
        *[func.sum(case((level == n, 1), else_=0)).label(f"at_{n}") for n in LEVEL_NUMBERS],
    ).select_from(procedures)).mappings().one()
    return LevelCounts(int(row["total"] or 0), int(row["covered"] or 0),
                       {n: int(row[f"at_{n}"] or 0) for n in LEVEL_NUMBERS})
