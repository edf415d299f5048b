"""Public reads of the catalogue: services with their verified level, agencies.

Plain query functions for the catalogue pages and the JSON API. The public
sees only verified data: a service's level is the level in its agency's last
verified copy for the period (targets.basis_figures), and a service whose
agency has no verified copy for the period is at level 0, "no verified data".

Every list is filtered, counted and paged by the database, by key (a cursor
naming the last row shown), so that a page costs the same few queries for 20
agencies or 12 000, and each query reads rows by index: a page of a list is
read in order from the index of its filter from the cursor on (models.py), a
service's verified level is looked up by index for the rows shown, and a
search is answered by the search index (models.py; what matches: search.py).
No Flask here.
"""

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import Text, and_, cast, func, literal, literal_column, or_, select, union_all
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from registry.core.errors import N_, DomainError, NotFound, ValidationFailed, translate
from registry.core.search import fts5_query, search_terms, tsquery, word_prefix_pattern
from registry.models import (
    REPORT_FIELDS,
    SERVICE_SEARCH,
    Agency,
    Kind,
    ReportingPeriod,
    Service,
    Submission,
    Tier,
    VerifiedCopy,
    VerifiedServiceStatus,
    name_words,
    service_search,
    service_search_rows,
)
from registry.targets import cache as target_cache

PAGE_SIZE = 50
MAX_LIMIT = 200
MAX_TEXT = 200  # longest search text or filter value taken from a request
MAX_CURSOR = 3000
MAX_CHOICES = 500  # longest list offered in a filter's drop-down; beyond it, a text field
TIER_ORDER = tuple(t.value for t in Tier)
# the sort keys of search.sort_key are made of these characters only
_SORT_KEY = re.compile(r"[0-9a-f]*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- request values ----------------------------------------------------------------

def clean(value, max_length: int = MAX_TEXT) -> str:
    """A request value as text: no control characters (PostgreSQL refuses NUL), trimmed, capped."""
    if value is None:
        return ""
    return _CONTROL.sub(" ", str(value)).strip()[:max_length]


def parse_search(value) -> str:
    """Search text a client sent through the API, where text too long is refused rather than cut."""
    if value is not None and len(value) > MAX_TEXT:
        raise ValidationFailed(N_("Từ khoá tìm kiếm dài quá %(max)s ký tự."),
                               fields={"q": N_("quá dài")}, max=MAX_TEXT)
    return clean(value)


def parse_level_filter(value) -> int | None:
    text = clean(value)
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not MIN_LEVEL <= int(text[:4]) <= MAX_LEVEL:
        raise ValidationFailed(
            N_("Mức độ phải là một trong %(levels)s."), fields={"level": N_("không hợp lệ")},
            levels=", ".join(str(lv.number) for lv in LEVELS))
    return int(text)


def parse_choice(name: str, value, choices) -> str | None:
    text = clean(value)
    if not text:
        return None
    if text not in choices:
        raise ValidationFailed(N_("Giá trị lọc không hợp lệ."), fields={name: N_("không hợp lệ")})
    return text


def parse_tier(value) -> str | None:
    return parse_choice("tier", value, TIER_ORDER)


def parse_kind(value) -> str | None:
    return parse_choice("kind", value, tuple(k.value for k in Kind))


def parse_limit(value, default: int = PAGE_SIZE) -> int:
    text = clean(value)
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text[:6]) <= MAX_LIMIT:
        raise ValidationFailed(N_("Số dòng mỗi trang phải từ 1 đến %(max)s."), fields={"limit": N_("không hợp lệ")},
                               max=MAX_LIMIT)
    return int(text)


def make_cursor(*parts) -> str:
    return "|".join(str(p) for p in parts)


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(N_("Liên kết trang không hợp lệ; hãy mở lại trang đầu."),
                            fields={"after": N_("không hợp lệ")})


def parse_service_cursor(value) -> tuple[str, str] | None:
    """``<name_sort>|<code>`` of the last service of the previous page."""
    if value is None or value == "":
        return None
    text = str(value)
    sort, sep, code = text.partition("|")
    if (len(text) > MAX_CURSOR or not sep or not _SORT_KEY.match(sort) or not code or len(code) > 64
            or _CONTROL.search(code)):
        raise _bad_cursor()
    return sort, code


def parse_agency_cursor(value) -> tuple[int, str, str] | None:
    """``<tier rank>|<name_sort>|<code>`` of the last agency of the previous page."""
    if value is None or value == "":
        return None
    text = str(value)
    rank, sep, rest = text.partition("|")
    if len(text) > MAX_CURSOR or not sep or rank not in [str(i) for i in range(len(TIER_ORDER))]:
        raise _bad_cursor()
    sort, code = parse_service_cursor(rest)
    return int(rank), sort, code


def safe_url(url: str | None) -> str | None:
    """An evidence address worth linking to: http or https only."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _word_prefixes(key, terms: list[str]):
    """Each term begins a word of ``key`` (search.py), tested row by row: LIKE '% term%' on ' ' || key."""
    words = literal_column("' '", Text) + key
    return and_(*[words.like(word_prefix_pattern(term), escape="\\") for term in terms])


def _fts_match(terms: list[str]):
    """The condition on SQLite's search index (models.py): the services that ``terms`` find."""
    return literal_column(SERVICE_SEARCH).match(fts5_query(terms))


def _service_matches(dialect: str, terms: list[str], in_catalogue_order: bool = False):
    """The services that ``terms`` find, from the engine's search index (models.py).

    ``in_catalogue_order``: the search finds so many services that reading the
    catalogue in order and testing each service finds a page sooner than
    fetching every match and sorting them. SQLite tests each service against
    the index's matches (``id + 0`` keeps the planner from fetching every match
    by id instead); PostgreSQL tests the key itself with LIKE, far cheaper row
    by row than building the key's tsvector, and which no index answers.
    """
    if dialect == "sqlite":
        service_id = Service.id + 0 if in_catalogue_order else Service.id
        return service_id.in_(select(service_search.c.rowid).where(_fts_match(terms)))
    if dialect == "postgresql" and not in_catalogue_order:
        return name_words(Service.name_key).op("@@")(cast(tsquery(terms), TSQUERY))
    return _word_prefixes(Service.name_key, terms)


def _after(columns, values):
    """Rows strictly after ``values`` in the order of ``columns`` (all ascending).

    Written as ``first >= v1 AND (first > v1 OR (second, …) > (v2, …))`` so that
    both engines seek the index of the order to the cursor rather than filter
    every row before it.
    """
    return and_(columns[0] >= values[0], _strictly_after(columns, values))


def _strictly_after(columns, values):
    (column, value), rest = (columns[0], values[0]), (columns[1:], values[1:])
    if not rest[0]:
        return column > value
    return or_(column > value, and_(column == value, _strictly_after(*rest)))


def _code_order(dialect: str, code):
    """Codes break ties in byte order on both engines (a PostgreSQL database's collation may not)."""
    return code.collate("C") if dialect == "postgresql" else code


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def localised(name: str, name_en: str | None, lang: str) -> str:
    return name_en if lang == "en" and name_en else name


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
    level: int
    verified: bool  # the agency's verified copy for the period is in the basis
    info_url: str | None
    form_url: str | None
    submission_url: str | None
    name_sort: str

    @property
    def cursor(self) -> str:
        return make_cursor(self.name_sort, self.code)

    @property
    def evidence(self) -> list[tuple[str, str]]:
        """(field, address) of the linkable evidence, in the order of the scale."""
        return [(f, u) for f, u in (("info_url", self.info_url), ("form_url", self.form_url),
                                    ("submission_url", self.submission_url)) if u]

    def as_dict(self, period: int | None, lang: str) -> dict:
        return {"code": self.code, "name": localised(self.name, self.name_en, lang), "name_en": self.name_en,
                "agency": self.agency_code, "sector": self.sector, "period": period, "level": self.level,
                "verified": self.verified, "info_url": self.info_url, "form_url": self.form_url,
                "submission_url": self.submission_url}


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    next: str | None  # the cursor of the next page, None on the last


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


def find_active_agency(session: Session, code: str | None) -> Agency | None:
    code = clean(code, 64)
    if not code:
        return None
    return session.execute(select(Agency).where(Agency.code == code, Agency.active)).scalars().first()


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
                 sector: str | None = None, level: int | None = None, after: tuple[str, str] | None = None,
                 limit: int = PAGE_SIZE) -> Page:
    """One page of the catalogue, in Vietnamese order, and how many services match: two queries.

    The page's services are chosen first, by key (the filters, the order and the
    cursor, from their indexes); their agency and verified status are then
    looked up for those rows only.
    """
    dialect = _dialect(session)
    terms = search_terms(clean(q))

    def selected(many_matches: bool = False):
        filters = [Service.active, Agency.active]
        if terms:
            filters.append(_service_matches(dialect, terms, many_matches))
        if agency is not None:
            filters.append(Service.agency_id == agency.id)
        if sector:
            filters.append(Service.sector == sector)
        keys = select(Service.id, Service.name_sort, Service.code).join(Agency, Agency.id == Service.agency_id)
        if level is not None:
            keys = _with_verified_status(keys, period).where(VERIFIED_LEVEL == level)
        return keys.where(*filters)

    unfiltered = agency is None and not sector and level is None
    total = _counted_once_per_generation(
        session, (tuple(terms), agency.id if agency else None, sector, level), period if level is not None else None,
        lambda: _count_services(session, dialect, selected(), terms if unfiltered else None, unfiltered and not terms))
    keys = selected(many_matches=bool(terms) and total > SORT_MATCHES_UP_TO and agency is None and not sector)
    order = (Service.name_sort, _code_order(dialect, Service.code))
    if after is not None:
        keys = keys.where(_after(order, after))
    keys = keys.order_by(*order).limit(limit + 1).subquery()
    status = VerifiedServiceStatus
    page = _with_verified_status(
        select(Service.code, Service.name, Service.name_en, Service.sector, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Agency.name_en.label("agency_name_en"),
               VERIFIED_LEVEL.label("level"), VerifiedCopy.id.is_not(None).label("verified"),
               status.info_url, status.form_url, status.submission_url, Service.name_sort)
        .select_from(keys).join(Service, Service.id == keys.c.id).join(Agency, Agency.id == Service.agency_id),
        period).order_by(keys.c.name_sort, _code_order(dialect, keys.c.code))
    rows = session.execute(page).all()
    services = [ServiceRow(code=r.code, name=r.name, name_en=r.name_en, sector=r.sector,
                           agency_code=r.agency_code, agency_name=r.agency_name, agency_name_en=r.agency_name_en,
                           level=int(r.level), verified=bool(r.verified), info_url=safe_url(r.info_url),
                           form_url=safe_url(r.form_url), submission_url=safe_url(r.submission_url),
                           name_sort=r.name_sort)
                for r in rows[:limit]]
    return Page(services, total, services[-1].cursor if len(rows) > limit else None)


# How many services match a search and filters, per process: counting takes PostgreSQL tens of
# milliseconds at national scale, and every page of a listing shows the same number.
_service_counts = target_cache.TokenMemo(1024)


def _counted_once_per_generation(session: Session, filters: tuple, period: int | None,
                                 count: Callable[[], int]) -> int:
    """``count()``, or what it gave under the same filters while the target cache's tokens it
    depends on are the same: every period's, which each change to services and agencies replaces,
    and, for a count of ``period``'s verified levels, that period's, which each verification of
    it replaces."""
    found = target_cache.tokens(session, "verified")
    if found is None or session.info.get(target_cache.PENDING):
        return count()
    key = (str(session.get_bind().url), filters, period)
    token = target_cache.stamp(found, period) if period is not None else found[target_cache.EVERY_PERIOD]
    total = _service_counts.get(key, token)
    if total is None:
        total = count()
        _service_counts.put(key, token, total)
    return total


def _count_services(session: Session, dialect: str, keys, search_alone: list[str] | None,
                    unfiltered: bool) -> int:
    """How many services ``keys`` selects. On SQLite the search index holds exactly
    the listed services (models.py): a search alone is counted in the index, and
    the whole catalogue is its number of rows."""
    if dialect == "sqlite" and search_alone:
        counted = select(func.count()).select_from(service_search).where(_fts_match(search_alone))
    elif dialect == "sqlite" and unfiltered:
        counted = select(func.count()).select_from(service_search_rows)
    else:
        counted = select(func.count()).select_from(keys.subquery())
    return session.execute(counted).scalar_one()


def sectors(session: Session, limit: int = MAX_CHOICES) -> list[str]:
    """The sectors of active services of active agencies (for a drop-down), in order,
    at most ``limit`` + 1.

    A skip scan of the sector index: each step seeks the next sector, and one
    listed service is enough to show it, so a catalogue of 100 000 services
    costs a few seeks per sector, not a pass over every service. (The test for
    a listed service is a scalar subquery with LIMIT 1, which PostgreSQL keeps
    per sector, where it would turn EXISTS into a join of every service.)
    """
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
    """(code, name, name_en) of active agencies in Vietnamese order, at most ``limit`` + 1."""
    rows = session.execute(select(Agency.code, Agency.name, Agency.name_en).where(Agency.active)
                           .order_by(Agency.name_sort, Agency.code).limit(limit + 1))
    return [tuple(r) for r in rows]


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
    dialect = _dialect(session)
    conditions = [Agency.active]
    terms = search_terms(clean(q))
    if terms:
        conditions.append(_word_prefixes(Agency.name_key, terms))
    if kind:
        conditions.append(Agency.kind == kind)
    counts = {t: int(n) for t, n in session.execute(
        select(Agency.tier, func.count()).where(*conditions, *([Agency.tier == tier] if tier else []))
        .group_by(Agency.tier))}
    order = (Agency.name_sort, _code_order(dialect, Agency.code))
    tiers = []
    for rank, name in enumerate(TIER_ORDER):
        if (tier and name != tier) or (after is not None and rank < after[0]):
            continue
        rows = (select(literal(rank).label("rank"), Agency.code, Agency.name, Agency.name_en, Agency.tier,
                       Agency.kind, Agency.parent_id, Agency.name_sort)
                .where(Agency.tier == name, *conditions))
        if after is not None and rank == after[0]:
            rows = rows.where(_after(order, after[1:]))
        tiers.append(select(rows.order_by(*order).limit(limit + 1).subquery()))
    rows = []
    if tiers:
        listed = union_all(*tiers).subquery()
        parent = aliased(Agency)
        rows = session.execute(
            select(listed, parent.code.label("parent_code"))
            .join(parent, parent.id == listed.c.parent_id, isouter=True)
            .order_by(listed.c.rank, listed.c.name_sort, _code_order(dialect, listed.c.code))
            .limit(limit + 1)).all()
    agencies = [AgencyRow(r.code, r.name, r.name_en, r.tier, r.kind, r.parent_code, r.name_sort)
                for r in rows[:limit]]
    page = Page(agencies, sum(counts.values()), agencies[-1].cursor if len(rows) > limit else None)
    return page, counts


def active_agency(session: Session, code) -> Agency:
    """The agency a public page or the API names; 404 when unknown or inactive."""
    agency = find_active_agency(session, code)
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
    """For every period, oldest first, the agency's last verified adoption report: one query."""
    rows = session.execute(
        select(ReportingPeriod.year, VerifiedCopy)
        .join(Submission, and_(Submission.period_year == ReportingPeriod.year, Submission.agency_id == agency.id),
              isouter=True)
        .join(VerifiedCopy, and_(VerifiedCopy.submission_id == Submission.id,
                                 VerifiedCopy.sequence == Submission.verified_sequence), isouter=True)
        .order_by(ReportingPeriod.year)).all()
    return [VerifiedReport(year, {f: getattr(copy, f) for f in REPORT_FIELDS} if copy is not None else None,
                           copy.verified_at if copy is not None else None)
            for year, copy in rows]


def message_text(error: DomainError, gettext) -> str:
    """A domain error's message in the user's language (for pages showing it inline)."""
    return translate(error.message, gettext)
