"""Each agency's verified figures for a period, as the scorecards read them: three
grouped queries whatever the size of the registry (the agencies with their last
verified report, their services valid in the period, and how many of these the
verified copy puts at each level). An agency or service counts in the periods it
was valid in (rule 2), not by whether it is active today. No Flask here.

The counting follows the target engine's verified basis (targets/basis.py): a
submission counts through its last verified copy, even while it is reopened; an
active service that copy does not mention is level 0 (§8.3); a status of a
service that has moved to another agency or was switched off does not count.

A closed (or correcting) period is read from what closing it published (rule 12):
the ``figures`` part holds each agency valid in the period as it was then (name,
tier, kind, parent, report, services by level), so renaming or re-kinding an
agency later changes nothing of a past period's scorecards and ranking. Periods
published before that part existed are read from their verified data.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from registry.catalogue.levels import LEVELS, MIN_LEVEL
from registry.catalogue.validity import valid_in
from registry.core.vocabulary import PUBLISHED_STATUSES
from registry.models import (
    REPORT_FIELDS,
    Agency,
    PublishedPart,
    ReportingPeriod,
    Service,
    Submission,
    VerifiedCopy,
    VerifiedServiceStatus,
)

COUNTED_LEVELS = tuple(level.number for level in LEVELS if level.number > MIN_LEVEL)
# what the public may know of a report's progress (§8.14)
REPORT_STATUSES = ("not_started", "in_progress", "submitted", "verified")


@dataclass
class AgencyFigures:
    id: int
    code: str
    name: str
    name_en: str | None
    tier: str
    kind: str
    parent_id: int | None
    name_sort: str
    active: bool  # valid in the period: counted, and ranked when it belongs to a group
    state: str | None  # its submission's state in the period; None: it has none
    report: dict | None  # its last verified report; None: not in the verified basis
    services: int = 0  # its services valid in the period
    at_least: dict[int, int] = field(default_factory=dict)  # level → its services verified at it or above
    district_id: int | None = None  # the district people's committee it belongs to (or is)

    @property
    def assessed(self) -> bool:
        return self.report is not None

    @property
    def report_status(self) -> str:
        if self.state == "verified":
            return "verified"
        if self.state == "submitted":
            return "submitted"
        return "not_started" if self.state is None else "in_progress"

    def services_at(self, level: int) -> int:
        """Its services at ``level`` or above (every one at level 0)."""
        return self.services if level <= MIN_LEVEL else self.at_least.get(level, 0)

    def by_level(self) -> dict[int, int]:
        """How many of its services are at exactly each level (not assessed: all at 0)."""
        counts = {}
        for number in (MIN_LEVEL, *COUNTED_LEVELS):
            above = self.at_least.get(number + 1, 0) if number + 1 in COUNTED_LEVELS else 0
            counts[number] = self.services_at(number) - above
        return counts


def _level_key(level: int) -> str:
    return f"at_least_{level}"


# The part publishing stores (the verified basis): each agency valid in the period with its figures.
FIGURES_PART = "figures"
FIGURES_COLUMNS = ("code", "name", "name_en", "tier", "kind", "parent_code", "name_sort", "state", "services",
                   *[_level_key(n) for n in COUNTED_LEVELS], "in_basis", *REPORT_FIELDS)


def figures_part(figures: dict[int, AgencyFigures]) -> dict:
    """The ``figures`` part: the agencies valid in the period with their figures (FIGURES_COLUMNS)."""
    codes = {a.id: a.code for a in figures.values()}
    rows = [[a.code, a.name, a.name_en, a.tier, a.kind, codes.get(a.parent_id), a.name_sort, a.state, a.services,
             *[a.at_least.get(n, 0) for n in COUNTED_LEVELS], a.report is not None,
             *[(a.report or {}).get(f) for f in REPORT_FIELDS]]
            for a in figures.values() if a.active]
    return {"columns": list(FIGURES_COLUMNS), "rows": rows}


def load_figures(session: Session, year: int) -> dict[int, AgencyFigures]:
    """Every agency (active or not, for the district links), by id, with its figures of ``year``."""
    return load_years(session, [year])[year]


def load_years(session: Session, years: list[int], live: tuple[int, ...] = ()) -> dict[int, dict[int, AgencyFigures]]:
    """``load_figures`` for several periods: a published period from its ``figures`` part,
    the others (and those in ``live``: a period being published) from verified data."""
    years = list(dict.fromkeys(years))
    published = _published(session, [y for y in years if y not in live])
    found = _verified(session, [y for y in years if y not in published])
    if published:
        agencies = session.execute(select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier,
                                          Agency.kind, Agency.parent_id, Agency.name_sort)).all()
        for year, payload in published.items():
            found[year] = _from_published(payload, agencies)
    for agencies_of_year in found.values():
        _place_in_districts(agencies_of_year)
    return {year: found[year] for year in years}


def _published(session: Session, years: list[int]) -> dict[int, dict]:
    if not years:
        return {}
    return dict(session.execute(
        select(PublishedPart.period_year, PublishedPart.payload)
        .join(ReportingPeriod, ReportingPeriod.year == PublishedPart.period_year)
        .where(PublishedPart.basis == "verified", PublishedPart.part == FIGURES_PART,
               PublishedPart.period_year.in_(years), ReportingPeriod.status.in_(PUBLISHED_STATUSES))).all())


def _from_published(payload: dict, agencies) -> dict[int, AgencyFigures]:
    """A published period's figures, by today's agency ids (an agency is never deleted, and
    keeps its code); the agencies not valid then are there too, inactive, for the links."""
    ids = {a.code: a.id for a in agencies}
    at = {name: index for index, name in enumerate(payload["columns"])}  # (rows read as they are: no copies)
    code, parent = at["code"], at["parent_code"]
    for n, row in enumerate(r for r in payload["rows"] if r[code] not in ids):
        ids[row[code]] = -1 - n  # (a code changed since: still shown, under the code it had)
    report = [(f, at[f]) for f in REPORT_FIELDS]
    levels = [(n, at[_level_key(n)]) for n in COUNTED_LEVELS]
    figures = {}
    for r in payload["rows"]:
        counted = bool(r[at["in_basis"]])
        figures[ids[r[code]]] = AgencyFigures(
            ids[r[code]], r[code], r[at["name"]], r[at["name_en"]], r[at["tier"]], r[at["kind"]], ids.get(r[parent]),
            r[at["name_sort"]], True, r[at["state"]], {f: r[i] for f, i in report} if counted else None,
            r[at["services"]], {n: r[i] for n, i in levels} if counted else {})
    for a in agencies:
        if a.id not in figures:
            figures[a.id] = AgencyFigures(a.id, a.code, a.name, a.name_en, a.tier, a.kind, a.parent_id, a.name_sort,
                                          False, None, None)
    return figures


def _verified(session: Session, years: list[int]) -> dict[int, dict[int, AgencyFigures]]:
    """Each agency with its submission of each period, the verified copy that counts, its
    services valid in the period and how many of them that copy puts at each level (both
    summed per agency beforehand): one query whatever the number of periods."""
    if not years:
        return {}
    copy, status = VerifiedCopy, VerifiedServiceStatus
    # what existed in each period (rule 2): a service closed since still counts in a closed period
    services = (select(Service.agency_id,
                       *[func.sum(case((valid_in(Service, y), 1), else_=0)).label(f"services_{y}") for y in years])
                .group_by(Service.agency_id).subquery("services"))
    levels = (select(Submission.id.label("submission_id"),
                     *[func.sum(case((status.level >= n, 1), else_=0)).label(_level_key(n)) for n in COUNTED_LEVELS])
              .select_from(Submission)
              .join(copy, and_(copy.submission_id == Submission.id, copy.sequence == Submission.verified_sequence))
              .join(status, status.copy_id == copy.id)
              .join(Service, and_(Service.id == status.service_id, Service.agency_id == Submission.agency_id))
              .where(Submission.period_year.in_(years), valid_in(Service, Submission.period_year))
              .group_by(Submission.id).subquery("levels"))
    rows = session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind, Agency.parent_id,
               Agency.name_sort, *[valid_in(Agency, y).label(f"valid_{y}") for y in years],
               Submission.period_year, Submission.state,
               copy.id.label("copy_id"), *[getattr(copy, f) for f in REPORT_FIELDS],
               *[services.c[f"services_{y}"] for y in years], *[levels.c[_level_key(n)] for n in COUNTED_LEVELS])
        .select_from(Agency)
        .join(Submission, and_(Submission.agency_id == Agency.id, Submission.period_year.in_(years)), isouter=True)
        .join(copy, and_(copy.submission_id == Submission.id, copy.sequence == Submission.verified_sequence),
              isouter=True)
        .join(services, services.c.agency_id == Agency.id, isouter=True)
        .join(levels, levels.c.submission_id == Submission.id, isouter=True)).mappings().all()
    by_year: dict[int, dict[int, AgencyFigures]] = {year: {} for year in years}
    for r in rows:
        for year in years:
            mine = r["period_year"] == year
            if r["id"] in by_year[year] and not mine:
                continue
            counted = mine and r["copy_id"] is not None
            by_year[year][r["id"]] = AgencyFigures(
                r["id"], r["code"], r["name"], r["name_en"], r["tier"], r["kind"], r["parent_id"], r["name_sort"],
                bool(r[f"valid_{year}"]), r["state"] if mine else None,
                {f: r[f] for f in REPORT_FIELDS} if counted else None, int(r[f"services_{year}"] or 0),
                {n: int(r[_level_key(n)] or 0) for n in COUNTED_LEVELS} if counted else {})
    return by_year


def _place_in_districts(agencies: dict[int, AgencyFigures]) -> None:
    """Each agency's district: itself when it is a district people's committee, else the
    nearest such one among its parents (a commune's, a school's managing commune's…)."""
    for agency in agencies.values():
        seen, current = set(), agency
        while current is not None and current.id not in seen:
            if current.tier == "district" and current.kind == "people_committee":
                agency.district_id = current.id
                break
            seen.add(current.id)
            current = agencies.get(current.parent_id)
