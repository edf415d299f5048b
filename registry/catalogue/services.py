"""Public reads of the catalogue: its services, each with its verified level.

Plain query functions for the catalogue pages and the JSON API. The public
sees only verified data: a service's level is the level in its agency's last
verified copy for the period (targets.basis_figures), and a service whose
agency has no verified copy for the period has no level (``None``, "no verified
data"), never level 0 (rule 3).

Every list is filtered, counted and paged by the database, by key (a cursor
naming the last row shown), so that a page costs the same few queries for 20
agencies or 12 000, and each query reads rows by index: a page of a list is
read in order from the index of its filter from the cursor on (models.py), a
service's verified level is looked up by index for the rows shown, and a
search is answered by the search index (models.py; what matches: search.py).
A search's results come in order of relevance (``_relevance``), each group of
it read as a list of its own. The sector list and the agency choices of the
filters are kept per generation of the catalogue. No Flask here.
"""

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Text, and_, case, cast, func, literal, literal_column, or_, select, union_all
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.agencies import find_active_agency
from registry.catalogue.paging import Page, beyond, code_order, dialect_of, localised, word_prefixes
from registry.catalogue.parameters import MAX_CHOICES, NO_DATA, PAGE_SIZE, bad_cursor, clean, make_cursor, safe_url
from registry.catalogue.validity import valid_in
from registry.core import generations
from registry.core.errors import N_, ValidationFailed
from registry.core.memo import TokenMemo
from registry.core.search import fts5_query, least_sort_key, like_escaped, phrase, search_terms, tsquery
from registry.models import (
    SERVICE_SEARCH,
    Agency,
    Service,
    Submission,
    VerifiedCopy,
    VerifiedServiceStatus,
    name_words,
    service_search,
    service_search_rows,
)


def _fts_match(terms: list[str]):
    """The condition on SQLite's search index (models.py): the services that ``terms`` find."""
    return literal_column(SERVICE_SEARCH).match(fts5_query(terms))


def _service_matches(dialect: str, terms: list[str], in_catalogue_order: bool = False,
                     beyond_the_index: bool = False):
    """The services that ``terms`` find, from the engine's search index (models.py).

    ``in_catalogue_order``: the search finds so many services that reading the
    catalogue in order and testing each service finds a page sooner than
    fetching every match and sorting them. SQLite tests each service against
    the index's matches (``id + 0`` keeps the planner from fetching every match
    by id instead); PostgreSQL tests the key itself with LIKE, far cheaper row
    by row than building the key's tsvector, and which no index answers.
    ``beyond_the_index``: the list holds services switched off since (a past
    period's), which SQLite's index leaves out.
    """
    if dialect == "sqlite":
        service_id = Service.id + 0 if in_catalogue_order else Service.id
        indexed = service_id.in_(select(service_search.c.rowid).where(_fts_match(terms)))
        if not beyond_the_index:
            return indexed
        # the index holds the active services only: one switched off since is tested by its key
        return or_(indexed, and_(~and_(Service.active, Agency.active), word_prefixes(Service.name_key, terms)))
    if dialect == "postgresql" and not in_catalogue_order:
        return name_words(Service.name_key).op("@@")(cast(tsquery(terms), TSQUERY))
    return word_prefixes(Service.name_key, terms)


# --- relevance -----------------------------------------------------------------------
#
# A search's results come in four groups, each in Vietnamese order: the services named
# exactly as the query, those whose name begins with the query's words as typed
# ("đăng ký" → "Đăng ký khai sinh"), those whose key holds them together elsewhere
# ("Thủ tục đăng ký…", or the code itself), then those where each word only begins
# some word ("đăng kiểm" for "đăng ki", words in another order). The key is the folded
# code, then name and English name (models.py); codes are ASCII without spaces, so the
# folded name begins after as many characters as the code has, and a space, and a name
# (composed, as every form and import stores it) has as many characters as its fold.
RELEVANCE_GROUPS = 4
CLUSTERED_GROUPS = 2  # the first groups' names begin with the same words: neighbours in Vietnamese order


def _relevance(terms: list[str]):
    """The conditions of the relevance groups of ``terms``, in order; exactly one holds for a match."""
    said = phrase(terms)
    name = func.substr(Service.name_key, func.length(Service.code) + 2)
    begins = or_(name.like(like_escaped(said) + " %", escape="\\"), name == said)
    exact = and_(begins, func.length(Service.name) == len(said))
    spaced = literal_column("' '", Text) + Service.name_key + literal_column("' '", Text)
    holds = spaced.like(f"% {like_escaped(said)} %", escape="\\")
    return [exact, and_(begins, ~exact), and_(~begins, holds), and_(~begins, ~holds)]


# --- services ------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceRow:
    code: str
    name: str
    name_en: str | None
    sector: str
    agency_code: str
    agency_name: str
    agency_name_en: str | None
    level: int | None  # None: no verified data for the period
    verified: bool  # the agency's verified copy for the period is in the basis
    info_url: str | None
    form_url: str | None
    submission_url: str | None
    name_sort: str
    relevance: int | None = None  # the relevance group of a search's result (_relevance)
    procedure_code: str = ""  # the national procedure this service is an offering of
    payment_url: str | None = None

    @property
    def cursor(self) -> str:
        if self.relevance is not None:
            return make_cursor(self.relevance, self.name_sort, self.code)
        return make_cursor(self.name_sort, self.code)

    @property
    def evidence(self) -> list[tuple[str, str]]:
        """(field, address) of the linkable evidence, in the order of the scale."""
        return [(f, u) for f, u in (("info_url", self.info_url), ("form_url", self.form_url),
                                    ("submission_url", self.submission_url),
                                    ("payment_url", self.payment_url)) if u]

    def as_dict(self, period: int | None, lang: str) -> dict:
        return {"code": self.code, "name": localised(self.name, self.name_en, lang), "name_en": self.name_en,
                "agency": self.agency_code, "sector": self.sector, "period": period, "level": self.level,
                "verified": self.verified, "info_url": self.info_url, "form_url": self.form_url,
                "submission_url": self.submission_url, "payment_url": self.payment_url,
                "procedure_code": self.procedure_code}


def _with_verified_status(query, period: int | None):
    """``query`` (over services) with each service's verified status for ``period``.

    The verified basis of targets.basis_figures (the agency's submission for the
    period, its last verified copy, the service's status in it), joined per
    service rather than computed for every agency of the period: each row
    looks up its submission, copy and status by a unique index.
    """
    status = VerifiedServiceStatus
    return (query
            .join(Submission, and_(Submission.agency_id == Service.agency_id, Submission.period_year == period,
                                   Submission.verified_sequence.is_not(None)), isouter=True)
            .join(VerifiedCopy, and_(VerifiedCopy.submission_id == Submission.id,
                                     VerifiedCopy.sequence == Submission.verified_sequence), isouter=True)
            .join(status, and_(status.copy_id == VerifiedCopy.id, status.service_id == Service.id), isouter=True))


# a service without a verified status for the period is at level 0
VERIFIED_LEVEL = func.coalesce(VerifiedServiceStatus.level, 0)
# Above this many matches a search's page is read in catalogue order, testing each
# service against the matches, rather than sorting the matches: past it, fewer rows
# are read in order (about PAGE_SIZE × catalogue ÷ matches) than there are matches.
SORT_MATCHES_UP_TO = 2000


def service_filter_agency(session: Session, code) -> Agency | None:
    """The agency a service list is filtered by; an unknown code is the user's mistake."""
    text = clean(code, 64)
    if not text:
        return None
    agency = find_active_agency(session, text)
    if agency is None:
        raise ValidationFailed(N_("Không có cơ quan đang hoạt động mã %(code)s."),
                               fields={"agency": N_("không có cơ quan này")}, code=text)
    return agency


def service_page(session: Session, period: int | None, *, q: str = "", agency: Agency | None = None,
                 sector: str | None = None, level: int | str | None = None, after: tuple[str, str] | None = None,
                 limit: int = PAGE_SIZE, offset: int = 0) -> Page:
    """One page of the catalogue, in Vietnamese order, and how many services match: two queries.
    A search's page is in order of relevance (``_relevance``), its cursor naming the group.

    The page's services are chosen first, by key (the filters, the order and the
    cursor, from their indexes); their agency and verified status are then
    looked up for those rows only.
    """
    dialect = dialect_of(session)
    terms = search_terms(clean(q))
    if after is not None and len(after) != (3 if terms else 2):
        raise bad_cursor()  # a link of a search followed without it, or the other way round

    lists_switched_off = bool(terms) and dialect == "sqlite" and _lists_switched_off(session, period)

    def selected(many_matches: bool = False, matched: bool = True):
        # a period lists what existed in it (rule 2): a service closed since is still in 2014's
        # list, one added since is not; without any period, what is active now
        filters = ([valid_in(Service, period), valid_in(Agency, period)] if period is not None
                   else [Service.active, Agency.active])
        if terms and matched:
            filters.append(_service_matches(dialect, terms, many_matches, lists_switched_off))
        if agency is not None:
            filters.append(Service.agency_id == agency.id)
        if sector:
            filters.append(Service.sector == sector)
        keys = select(Service.id, Service.name_sort, Service.code).join(Agency, Agency.id == Service.agency_id)
        if level == NO_DATA:
            keys = _with_verified_status(keys, period).where(VerifiedCopy.id.is_(None))
        elif level is not None:
            keys = _with_verified_status(keys, period).where(VerifiedCopy.id.is_not(None), VERIFIED_LEVEL == level)
        return keys.where(*filters)

    # the search index holds exactly the active services: it counts the whole list of no period
    unfiltered = agency is None and not sector and level is None and period is None
    # which services a period lists changes with the catalogue (every period's token); their
    # verified levels, which a level filter counts, with the period's verifications too
    filters = (tuple(terms), agency.id if agency else None, sector, level, period)
    counted_period = period if level is not None else None
    order = (Service.name_sort, code_order(dialect, Service.code))
    if terms:
        groups = _relevance(terms)
        counts = _counted_once_per_generation(session, filters, counted_period,
                                              lambda: _count_groups(session, selected(), groups))
        total = sum(counts)
        parts = []
        for rank, condition in enumerate(groups):
            if not counts[rank] or (after is not None and rank < after[0]):
                continue
            if parts and sum(counts[after[0] + 1 if after else 0:rank]) > limit:
                break  # the groups before this one hold more than a page from the cursor on
            # a group so large that its page is found sooner by reading the catalogue in order,
            # from where its names can begin when they begin alike (they lie together in that
            # order, possibly after a whole letter). The first three groups' conditions imply
            # the match, and need no index to test it.
            many = counts[rank] > SORT_MATCHES_UP_TO and agency is None and not sector
            part = selected(many, matched=not many or rank == RELEVANCE_GROUPS - 1).where(condition)
            if many and rank < CLUSTERED_GROUPS:  # read from where such names can begin
                part = part.where(Service.name_sort >= least_sort_key(phrase(terms)))
            if after is not None and rank == after[0]:
                part = part.where(beyond(order, after[1:]))
            # a numbered page (offset) needs the rows before it from every group
            part = part.add_columns(literal(rank).label("relevance")).order_by(*order).limit(offset + limit + 1)
            parts.append(select(part.subquery()))
        if not parts:
            return Page([], total, None)
        keys = union_all(*parts).subquery()
        first = (keys.c.relevance,)
    else:
        total = _counted_once_per_generation(
            session, filters, counted_period,
            lambda: _count_services(session, dialect, selected(), unfiltered))
        keys = selected()
        if after is not None:
            keys = keys.where(beyond(order, after))
        keys = (keys.add_columns(literal(None).label("relevance")).order_by(*order)
                .offset(offset).limit(limit + 1).subquery())  # offset: the pages' page numbers
        first = ()
        offset = 0  # applied already
    status = VerifiedServiceStatus
    page = _with_verified_status(
        select(Service.code, Service.name, Service.name_en, Service.sector, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Agency.name_en.label("agency_name_en"),
               VERIFIED_LEVEL.label("level"), VerifiedCopy.id.is_not(None).label("verified"),
               status.info_url, status.form_url, status.submission_url, Service.name_sort, keys.c.relevance,
               Service.procedure_code, status.payment_url)
        .select_from(keys).join(Service, Service.id == keys.c.id).join(Agency, Agency.id == Service.agency_id),
        period).order_by(*first, keys.c.name_sort, code_order(dialect, keys.c.code)).offset(offset).limit(limit + 1)
    rows = session.execute(page).all()
    services = [ServiceRow(code=r.code, name=r.name, name_en=r.name_en, sector=r.sector,
                           agency_code=r.agency_code, agency_name=r.agency_name, agency_name_en=r.agency_name_en,
                           level=int(r.level) if r.verified else None, verified=bool(r.verified),
                           info_url=safe_url(r.info_url),
                           form_url=safe_url(r.form_url), submission_url=safe_url(r.submission_url),
                           name_sort=r.name_sort, relevance=None if r.relevance is None else int(r.relevance),
                           procedure_code=r.procedure_code, payment_url=safe_url(r.payment_url))
                for r in rows[:limit]]
    return Page(services, total, services[-1].cursor if len(rows) > limit else None)


# How many services match a search and filters, per process: counting takes PostgreSQL tens of
# milliseconds at national scale, and every page of a listing shows the same number.
_service_counts = TokenMemo(1024)
# The filters' choices (sectors, agencies), per process and database.
_choices = TokenMemo(16)


def _counted_once_per_generation(session: Session, filters: tuple, period: int | None,
                                 count: Callable[[], Any], memo: TokenMemo = _service_counts) -> Any:
    """``count()``, or what it gave under the same filters while the target cache's tokens it
    depends on are the same: every period's, which each change to services and agencies replaces,
    and, for a count of ``period``'s verified levels, that period's, which each verification of
    it replaces."""
    found = generations.tokens(session, "verified")
    if found is None or generations.written(session):
        return count()
    key = (str(session.get_bind().url), filters, period)
    token = generations.stamp(found, period) if period is not None else found[generations.EVERY_PERIOD]
    total = memo.get(key, token)
    if total is None:
        total = count()
        memo.put(key, token, total)
    return total


def _lists_switched_off(session: Session, period: int | None) -> bool:
    """Whether ``period``'s list holds a service or agency switched off since (rarely the
    latest period's): asked once per generation of the catalogue."""
    if period is None:
        return False
    inactive = (select(Service.id).join(Agency, Agency.id == Service.agency_id)
                .where(valid_in(Service, period), valid_in(Agency, period), ~and_(Service.active, Agency.active))
                .limit(1))
    return _counted_once_per_generation(session, ("switched off", period), None,
                                        lambda: session.execute(inactive).first() is not None)


def _count_services(session: Session, dialect: str, keys, unfiltered: bool) -> int:
    """How many services ``keys`` selects. On SQLite the search index holds exactly
    the listed services (models.py): the whole catalogue is its number of rows."""
    if dialect == "sqlite" and unfiltered:
        counted = select(func.count()).select_from(service_search_rows)
    else:
        counted = select(func.count()).select_from(keys.subquery())
    return session.execute(counted).scalar_one()


def _count_groups(session: Session, keys, groups) -> tuple[int, ...]:
    """How many of the services ``keys`` selects fall in each of the relevance ``groups``."""
    group = case(*((condition, rank) for rank, condition in enumerate(groups[:-1])), else_=len(groups) - 1)
    found = dict(session.execute(keys.with_only_columns(group.label("relevance"), func.count())
                                 .group_by(group)).all())
    return tuple(int(found.get(rank, 0)) for rank in range(len(groups)))


def sectors(session: Session, limit: int = MAX_CHOICES) -> list[str]:
    """The sectors of active services of active agencies (for a drop-down), in order,
    at most ``limit`` + 1; read once per generation of the catalogue.

    A skip scan of the sector index: each step seeks the next sector, and one
    listed service is enough to show it, so a catalogue of 100 000 services
    costs a few seeks per sector, not a pass over every service. (The test for
    a listed service is a scalar subquery with LIMIT 1, which PostgreSQL keeps
    per sector, where it would turn EXISTS into a join of every service.)
    """
    return list(_counted_once_per_generation(session, ("sectors", limit), None,
                                             lambda: tuple(_sectors(session, limit)), _choices))


def _sectors(session: Session, limit: int) -> list[str]:
    following = aliased(Service)
    sector = select(func.min(Service.sector).label("name")).cte("sector", recursive=True)
    sector = sector.union_all(
        select(select(func.min(following.sector)).where(following.sector > sector.c.name).scalar_subquery())
        .where(sector.c.name.is_not(None)))
    listed = (select(literal(1)).select_from(Service).join(Agency, Agency.id == Service.agency_id)
              .where(Service.sector == sector.c.name, Service.active, Agency.active).limit(1).scalar_subquery())
    rows = session.execute(select(sector.c.name).where(sector.c.name.is_not(None), listed.is_not(None))
                           .order_by(sector.c.name).limit(limit + 1))
    return [r[0] for r in rows]


def agency_choices(session: Session, limit: int = MAX_CHOICES) -> list[tuple[str, str, str | None]]:
    """(code, name, name_en) of active agencies in Vietnamese order, at most ``limit`` + 1;
    read once per generation of the catalogue."""
    return list(_counted_once_per_generation(session, ("agencies", limit), None,
                                             lambda: tuple(_agency_choices(session, limit)), _choices))


def _agency_choices(session: Session, limit: int) -> list[tuple[str, str, str | None]]:
    rows = session.execute(select(Agency.code, Agency.name, Agency.name_en).where(Agency.active)
                           .order_by(Agency.name_sort, Agency.code).limit(limit + 1))
    return [tuple(r) for r in rows]


