"""Public reads of the agencies: the list, an agency, its relatives and its verified reports.
Paged by key like the services (catalogue/services.py). No Flask here."""

from dataclasses import dataclass

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.paging import Page, beyond, code_order, dialect_of, localised, word_prefixes
from registry.catalogue.parameters import PAGE_SIZE, TIER_ORDER, clean, make_cursor
from registry.catalogue.validity import is_valid
from registry.core.errors import N_, NotFound
from registry.core.search import search_terms
from registry.models import (
    REPORT_FIELDS,
    Agency,
    ReportingPeriod,
    Submission,
    VerifiedCopy,
)


def find_active_agency(session: Session, code: str | None) -> Agency | None:
    code = clean(code, 64)
    if not code:
        return None
    return session.execute(select(Agency).where(Agency.code == code, Agency.active)).scalars().first()



# --- agencies -----------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    name_en: str | None
    tier: str
    kind: str
    parent_code: str | None
    name_sort: str

    @property
    def cursor(self) -> str:
        return make_cursor(TIER_ORDER.index(self.tier) if self.tier in TIER_ORDER else len(TIER_ORDER) - 1,
                           self.name_sort, self.code)

    def as_dict(self, lang: str) -> dict:
        return {"code": self.code, "name": localised(self.name, self.name_en, lang), "name_en": self.name_en,
                "tier": self.tier, "kind": self.kind, "parent_code": self.parent_code}


def agency_page(session: Session, *, q: str = "", tier: str | None = None, kind: str | None = None,
                after: tuple[int, str, str] | None = None, limit: int = PAGE_SIZE) -> tuple[Page, dict[str, int]]:
    """One page of active agencies ordered by tier, then Vietnamese name; with the
    number that match in each tier. Two queries.

    The page is the first rows of each tier's own list, read in order from the
    (tier, name_sort, code) index from the cursor on, then put in tier order:
    no sort of every agency of the country.
    """
    dialect = dialect_of(session)
    conditions = [Agency.active]
    terms = search_terms(clean(q))
    if terms:
        conditions.append(word_prefixes(Agency.name_key, terms))
    if kind:
        conditions.append(Agency.kind == kind)
    counts = {t: int(n) for t, n in session.execute(
        select(Agency.tier, func.count()).where(*conditions, *([Agency.tier == tier] if tier else []))
        .group_by(Agency.tier))}
    order = (Agency.name_sort, code_order(dialect, Agency.code))
    tiers = []
    for rank, name in enumerate(TIER_ORDER):
        if (tier and name != tier) or (after is not None and rank < after[0]):
            continue
        rows = (select(literal(rank).label("rank"), Agency.code, Agency.name, Agency.name_en, Agency.tier,
                       Agency.kind, Agency.parent_id, Agency.name_sort)
                .where(Agency.tier == name, *conditions))
        if after is not None and rank == after[0]:
            rows = rows.where(beyond(order, after[1:]))
        tiers.append(select(rows.order_by(*order).limit(limit + 1).subquery()))
    rows = []
    if tiers:
        listed = union_all(*tiers).subquery()
        parent = aliased(Agency)
        rows = session.execute(
            select(listed, parent.code.label("parent_code"))
            .join(parent, parent.id == listed.c.parent_id, isouter=True)
            .order_by(listed.c.rank, listed.c.name_sort, code_order(dialect, listed.c.code))
            .limit(limit + 1)).all()
    agencies = [AgencyRow(r.code, r.name, r.name_en, r.tier, r.kind, r.parent_code, r.name_sort)
                for r in rows[:limit]]
    page = Page(agencies, sum(counts.values()), agencies[-1].cursor if len(rows) > limit else None)
    return page, counts


def active_agency(session: Session, code, period: int | None = None) -> Agency:
    """The agency a public page or the API names: an active one, or for ``period`` one that
    existed in it (rule 2: a dissolved agency keeps its past periods' page); 404 otherwise."""
    agency = find_active_agency(session, code)
    if agency is None and period is not None and clean(code, 64):
        agency = session.execute(select(Agency).where(Agency.code == clean(code, 64))).scalars().first()
        agency = agency if agency is not None and is_valid(agency, period) else None
    if agency is None:
        raise NotFound(N_("Không có cơ quan mã %(code)s."), code=clean(code, 64))
    return agency


@dataclass(frozen=True)
class Relatives:
    parent: Agency | None
    children: list[Agency]


def relatives(session: Session, agency: Agency) -> Relatives:
    """The agency's parent (active or not) and its active children, in Vietnamese order: one query."""
    rows = session.execute(
        select(Agency).where(or_(Agency.id == agency.parent_id, and_(Agency.active, Agency.parent_id == agency.id)))
        .order_by(Agency.name_sort, Agency.code)).scalars().all()
    parent = next((a for a in rows if a.id == agency.parent_id), None)
    return Relatives(parent, [a for a in rows if a.parent_id == agency.id])


@dataclass(frozen=True)
class VerifiedReport:
    period: int
    report: dict | None  # None: no verified copy for this period
    verified_at: object = None


def verified_reports(session: Session, agency: Agency) -> list[VerifiedReport]:
    """For every period the agency existed in (rule 2), oldest first, its last verified adoption
    report: one query."""
    rows = session.execute(
        select(ReportingPeriod.year, VerifiedCopy)
        .join(Submission, and_(Submission.period_year == ReportingPeriod.year, Submission.agency_id == agency.id),
              isouter=True)
        .join(VerifiedCopy, and_(VerifiedCopy.submission_id == Submission.id,
                                 VerifiedCopy.sequence == Submission.verified_sequence), isouter=True)
        .order_by(ReportingPeriod.year)).all()
    return [VerifiedReport(year, {f: getattr(copy, f) for f in REPORT_FIELDS} if copy is not None else None,
                           copy.verified_at if copy is not None else None)
            for year, copy in rows if is_valid(agency, year)]


